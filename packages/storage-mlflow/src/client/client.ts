import { ConfigurationError } from "@converge/core";
import { getArtifact, listArtifactFiles, putArtifact } from "./artifacts.js";
import { resolveMlflowConfig } from "./config.js";
import {
  createExperiment,
  deleteExperiment,
  getExperiment,
  getExperimentByName,
  getOrCreateExperiment,
  searchExperiments,
} from "./experiments.js";
import { Http, type HttpStats } from "./http.js";
import {
  type CreateRunOptions,
  createRun,
  deleteRun,
  getMetricHistory,
  getRun,
  logBatch,
  type SearchRunsOptions,
  searchRuns,
  setTag,
  updateRun,
} from "./runs.js";
import type {
  LogBatchInput,
  MlflowArtifactFile,
  MlflowExperiment,
  MlflowKeyValue,
  MlflowMetric,
  MlflowRun,
  MlflowRunStatus,
} from "./types.js";

export type { CreateRunOptions, SearchRunsOptions } from "./runs.js";

export interface MlflowClientOptions {
  /** e.g. `http://127.0.0.1:5000`; default `MLFLOW_TRACKING_URI`. */
  trackingUri?: string;
  /** Bearer token; default `MLFLOW_TRACKING_TOKEN`. */
  token?: string;
  /** Basic auth; default `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`. */
  username?: string;
  password?: string;
  /** Time allowed for one attempt of one request (default 30 000 ms). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 6). */
  maxRetries?: number;
  /** Total time a request may spend retrying (default 60 000 ms). */
  retryBudgetMs?: number;
  /** Connections kept open to the server (default 8). */
  connections?: number;
}

/** A typed client for the MLflow tracking REST API (2.x / 3.x servers). */
export interface MlflowClient {
  /** The tracking URI, without credentials. */
  readonly trackingUri: string;
  /** Requests sent and retried so far. */
  readonly stats: HttpStats;

  health(): Promise<string>;
  version(): Promise<string>;

  getExperimentByName(name: string): Promise<MlflowExperiment | null>;
  getExperiment(experimentId: string): Promise<MlflowExperiment>;
  createExperiment(name: string, tags?: MlflowKeyValue[]): Promise<string>;
  /** The experiment of that name, created with `tags` when missing (a concurrent create is fine). */
  getOrCreateExperiment(name: string, tags?: MlflowKeyValue[]): Promise<MlflowExperiment>;
  searchExperiments(options?: {
    filter?: string;
    viewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
  }): Promise<MlflowExperiment[]>;
  deleteExperiment(experimentId: string): Promise<void>;

  createRun(options: CreateRunOptions): Promise<MlflowRun>;
  updateRun(
    runId: string,
    update: { status?: MlflowRunStatus; endTime?: number; runName?: string },
  ): Promise<void>;
  getRun(runId: string): Promise<MlflowRun>;
  /** Every matching run (follows `next_page_token`). */
  searchRuns(options: SearchRunsOptions): Promise<MlflowRun[]>;
  /** Logs metrics, params and tags, split into as many requests as the server's limits need. */
  logBatch(runId: string, batch: LogBatchInput): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  deleteRun(runId: string): Promise<void>;
  /** Every value of a metric (follows `next_page_token`). */
  getMetricHistory(runId: string, key: string): Promise<MlflowMetric[]>;

  /** Uploads one file through the artifact proxy (`artifact_uri` must be `mlflow-artifacts:`). */
  uploadArtifact(
    artifactUri: string,
    path: string,
    data: string | Uint8Array,
    contentType?: string,
  ): Promise<void>;
  /** The bytes of one artifact; `MlflowError` with status 404 when missing. */
  downloadArtifact(artifactUri: string, path: string): Promise<Buffer>;
  /** The files directly under `path` (default: the root of the run's artifacts). */
  listArtifacts(artifactUri: string, path?: string): Promise<MlflowArtifactFile[]>;

  /** Closes the connection pool. */
  close(): Promise<void>;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigurationError(`MLflow client option ${name} must be a whole number >= ${min}.`);
  }
  return value;
}

/**
 * A client for an MLflow tracking server over undici: one keep-alive pool,
 * per-request timeouts, retries with exponential backoff and full jitter on
 * 408/429/5xx and connection errors (honouring Retry-After, bounded in count
 * and time), typed `MlflowError`s.
 */
export function createMlflowClient(options: MlflowClientOptions = {}): MlflowClient {
  const config = resolveMlflowConfig(options);
  const http = new Http({
    trackingUri: config.trackingUri,
    auth: config.auth,
    timeoutMs: positiveInt("timeoutMs", options.timeoutMs, 30_000),
    maxRetries: positiveInt("maxRetries", options.maxRetries, 6, 0),
    retryBudgetMs: positiveInt("retryBudgetMs", options.retryBudgetMs, 60_000, 0),
    connections: positiveInt("connections", options.connections, 8),
  });

  const client: MlflowClient = {
    trackingUri: config.trackingUri,
    stats: http.stats,

    async health() {
      return (await http.send("GET", "/health")).toString("utf8");
    },
    async version() {
      return (await http.send("GET", "/version")).toString("utf8").trim();
    },

    getExperimentByName: (name) => getExperimentByName(http, name),
    getExperiment: (experimentId) => getExperiment(http, experimentId),
    createExperiment: (name, tags) => createExperiment(http, name, tags),
    getOrCreateExperiment: (name, tags) => getOrCreateExperiment(client, name, tags),
    searchExperiments: (opts = {}) => searchExperiments(http, opts),
    deleteExperiment: (experimentId) => deleteExperiment(http, experimentId),

    createRun: (opts) => createRun(http, opts),
    updateRun: (runId, update) => updateRun(http, runId, update),
    getRun: (runId) => getRun(http, runId),
    searchRuns: (opts) => searchRuns(http, opts),
    logBatch: (runId, batch) => logBatch(http, runId, batch),
    setTag: (runId, key, value) => setTag(http, runId, key, value),
    deleteRun: (runId) => deleteRun(http, runId),
    getMetricHistory: (runId, key) => getMetricHistory(http, runId, key),

    async uploadArtifact(artifactUri, path, data, contentType) {
      await putArtifact(http, artifactUri, path, data, contentType);
    },
    async downloadArtifact(artifactUri, path) {
      return getArtifact(http, artifactUri, path);
    },
    async listArtifacts(artifactUri, path = "") {
      return listArtifactFiles(http, artifactUri, path);
    },

    async close() {
      await http.close();
    },
  };
  return client;
}
