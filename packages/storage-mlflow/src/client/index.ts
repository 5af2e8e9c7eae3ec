/**
 * `@converge/storage-mlflow/client`: the typed MLflow tracking REST client the
 * store is built on, for code that talks to MLflow directly. It sits apart from
 * the root entry because most users only need `mlflowStore`; its errors are
 * the root entry's `MlflowError`.
 */
export { splitBatch } from "./batch.js";
export {
  type CreateRunOptions,
  createMlflowClient,
  type MlflowClient,
  type MlflowClientOptions,
  type SearchRunsOptions,
} from "./client.js";
export {
  type MlflowAuth,
  type MlflowConfig,
  type MlflowConfigOptions,
  resolveMlflowConfig,
} from "./config.js";
export type { HttpStats } from "./http.js";
export {
  canonicalParamValue,
  decodeMetricValue,
  encodeMetricValue,
  keyProblem,
  LIMITS,
} from "./limits.js";
export type {
  LogBatchInput,
  MlflowArtifactFile,
  MlflowExperiment,
  MlflowKeyValue,
  MlflowMetric,
  MlflowRun,
  MlflowRunInfo,
  MlflowRunStatus,
} from "./types.js";
