/**
 * `@converge/storage-mlflow`: `mlflowStore`, a Converge `Store` on an MLflow
 * tracking server with an offline spool. The REST client it is built on is the
 * `@converge/storage-mlflow/client` entry. `readMlflowExperiment` reads an
 * MLflow experiment of ordinary runs (not written by Converge) as records.
 */
export { MlflowError, type MlflowErrorOptions } from "./client/errors.js";
export {
  DESCRIBE_RUN_LIMIT,
  describeMlflowExperiment,
  type MlflowExperimentDescription,
} from "./foreign/describe-mlflow-experiment.js";
export {
  type ForeignRunsDetails,
  ForeignRunsError,
  type ForeignRunsReason,
} from "./foreign/foreign-error.js";
export {
  type ForeignMode,
  type ForeignNotice,
  type ForeignSource,
  type MlflowExperimentRecords,
  type ReadMlflowExperimentOptions,
  readMlflowExperiment,
} from "./foreign/read-mlflow-experiment.js";
export type { MlflowStoreNotice } from "./store/context.js";
export { ARTIFACT, mlflowKey, TAG } from "./store/mapping.js";
export { type MlflowStore, type MlflowStoreOptions, mlflowStore } from "./store/store.js";
export type { SyncResult } from "./store/sync.js";
