/**
 * `@converge/storage-mlflow`: a typed client for the MLflow tracking REST API
 * (undici) and `mlflowStore`, a Converge `Store` on an MLflow tracking server
 * with an offline spool.
 */
export { splitBatch } from "./client/batch.js";
export {
  type CreateRunOptions,
  createMlflowClient,
  type MlflowClient,
  type MlflowClientOptions,
  type SearchRunsOptions,
} from "./client/client.js";
export {
  type MlflowAuth,
  type MlflowConfig,
  type MlflowConfigOptions,
  resolveMlflowConfig,
} from "./client/config.js";
export { MlflowError, type MlflowErrorOptions } from "./client/errors.js";
export type { HttpStats } from "./client/http.js";
export {
  canonicalParamValue,
  decodeMetricValue,
  encodeMetricValue,
  keyProblem,
  LIMITS,
} from "./client/limits.js";
export type {
  LogBatchInput,
  MlflowArtifactFile,
  MlflowExperiment,
  MlflowKeyValue,
  MlflowMetric,
  MlflowRun,
  MlflowRunInfo,
  MlflowRunStatus,
} from "./client/types.js";
export type { MlflowStoreNotice } from "./store/context.js";
export { ARTIFACT, mlflowKey, TAG } from "./store/mapping.js";
export { type MlflowStore, type MlflowStoreOptions, mlflowStore } from "./store/store.js";
export type { SyncResult } from "./store/sync.js";
