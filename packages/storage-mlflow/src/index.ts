/**
 * `@converge/storage-mlflow`: `mlflowStore`, a Converge `Store` on an MLflow
 * tracking server with an offline spool. The REST client it is built on is the
 * `@converge/storage-mlflow/client` entry.
 */
export { MlflowError, type MlflowErrorOptions } from "./client/errors.js";
export type { MlflowStoreNotice } from "./store/context.js";
export { ARTIFACT, mlflowKey, TAG } from "./store/mapping.js";
export { type MlflowStore, type MlflowStoreOptions, mlflowStore } from "./store/store.js";
export type { SyncResult } from "./store/sync.js";
