import { ConfigurationError } from "@converge/core";
import { getArtifact, listArtifactFiles, putArtifact } from "./artifacts.js";
import { splitBatch } from "./batch.js";
import { resolveMlflowConfig } from "./config.js";
import { MlflowError } from "./errors.js";
import { Http, type HttpStats } from "./http.js";
import { checkKey } from "./limits.js";
import type {
  LogBatchInput,
  MlflowArtifactFile,
  MlflowExperiment,
  MlflowKeyValue,
  MlflowMetric,
  MlflowRun,
  MlflowRunStatus,
} from "./types.js";
import {
  experimentOf,
  metricOf,
  type RawExperiment,
  type RawMetric,
  type RawRun,
  runOf,
  toRaw,
} from "./wire.js";

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

export interface SearchRunsOptions {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  /** "ACTIVE_ONLY" (default), "DELETED_ONLY" or "ALL". */
  runViewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
  /** Stop after this many runs (default: all). */
  limit?: number;
}

export interface CreateRunOptions {
  experimentId: string;
  runName?: string;
  /** ms since the epoch; default now. */
  startTime?: number;
  tags?: MlflowKeyValue[];
  /**
   * Looks for the run a lost `runs/create` answer may have created; called
   * before each retry. Without it `runs/create` is retried as MLflow's Python
   * client does (a lost answer can then leave a duplicate run).
   */
  findExisting?: () => Promise<MlflowRun | undefined>;
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
  /** The experiment of that name, created when missing (a concurrent create is fine). */
  getOrCreateExperiment(name: string): Promise<MlflowExperiment>;
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

const API = "/api/2.0/mlflow";

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

    async getExperimentByName(name) {
      try {
        const res = await http.json<{ experiment?: RawExperiment }>(
          "GET",
          `${API}/experiments/get-by-name`,
          { query: { experiment_name: name } },
        );
        return res.experiment ? experimentOf(res.experiment) : null;
      } catch (error) {
        if (MlflowError.isInstance(error) && error.errorCode === "RESOURCE_DOES_NOT_EXIST")
          return null;
        throw error;
      }
    },
    async getExperiment(experimentId) {
      const res = await http.json<{ experiment?: RawExperiment }>("GET", `${API}/experiments/get`, {
        query: { experiment_id: experimentId },
      });
      return experimentOf(res.experiment ?? {});
    },
    async createExperiment(name, tags) {
      const res = await http.json<{ experiment_id?: string }>("POST", `${API}/experiments/create`, {
        json: { name, tags: tags ?? [] },
      });
      return String(res.experiment_id ?? "");
    },
    async getOrCreateExperiment(name) {
      const existing = await client.getExperimentByName(name);
      if (existing) return existing;
      try {
        await client.createExperiment(name);
      } catch (error) {
        if (!(MlflowError.isInstance(error) && error.errorCode === "RESOURCE_ALREADY_EXISTS"))
          throw error;
      }
      const made = await client.getExperimentByName(name);
      if (!made) {
        throw new MlflowError(`MLflow experiment "${name}" was created but cannot be found.`, {
          hint: "check the server's backend store",
        });
      }
      return made;
    },
    async searchExperiments(opts = {}) {
      const out: MlflowExperiment[] = [];
      let token: string | undefined;
      do {
        const res = await http.json<{ experiments?: RawExperiment[]; next_page_token?: string }>(
          "POST",
          `${API}/experiments/search`,
          {
            json: {
              max_results: 1000,
              filter: opts.filter,
              view_type: opts.viewType ?? "ACTIVE_ONLY",
              page_token: token,
            },
          },
        );
        for (const e of res.experiments ?? []) out.push(experimentOf(e));
        token = res.next_page_token || undefined;
      } while (token);
      return out;
    },
    async deleteExperiment(experimentId) {
      await http.json("POST", `${API}/experiments/delete`, {
        json: { experiment_id: experimentId },
      });
    },

    async createRun(opts) {
      const res = await http.json<{ run?: RawRun }>("POST", `${API}/runs/create`, {
        json: {
          experiment_id: opts.experimentId,
          run_name: opts.runName,
          start_time: opts.startTime ?? Date.now(),
          tags: opts.tags ?? [],
        },
        recover: opts.findExisting
          ? async () => {
              const run = await opts.findExisting?.();
              return run ? { run: toRaw(run) } : undefined;
            }
          : undefined,
      });
      return runOf(res.run ?? {});
    },
    async updateRun(runId, update) {
      await http.json("POST", `${API}/runs/update`, {
        json: {
          run_id: runId,
          status: update.status,
          end_time: update.endTime,
          run_name: update.runName,
        },
      });
    },
    async getRun(runId) {
      const res = await http.json<{ run?: RawRun }>("GET", `${API}/runs/get`, {
        query: { run_id: runId },
      });
      return runOf(res.run ?? {});
    },
    async searchRuns(opts) {
      const out: MlflowRun[] = [];
      let token: string | undefined;
      const limit = opts.limit ?? Number.POSITIVE_INFINITY;
      do {
        const res = await http.json<{ runs?: RawRun[]; next_page_token?: string }>(
          "POST",
          `${API}/runs/search`,
          {
            json: {
              experiment_ids: opts.experimentIds,
              filter: opts.filter ?? "",
              run_view_type: opts.runViewType ?? "ACTIVE_ONLY",
              max_results: Math.min(1000, limit - out.length),
              order_by: opts.orderBy ?? [],
              page_token: token,
            },
          },
        );
        for (const r of res.runs ?? []) out.push(runOf(r));
        token = res.next_page_token || undefined;
      } while (token && out.length < limit);
      return out;
    },
    async logBatch(runId, batch) {
      for (const body of splitBatch(batch)) {
        await http.json("POST", `${API}/runs/log-batch`, { json: { run_id: runId, ...body } });
      }
    },
    async setTag(runId, key, value) {
      checkKey("tag", key);
      await http.json("POST", `${API}/runs/set-tag`, { json: { run_id: runId, key, value } });
    },
    async deleteRun(runId) {
      await http.json("POST", `${API}/runs/delete`, { json: { run_id: runId } });
    },
    async getMetricHistory(runId, key) {
      const out: MlflowMetric[] = [];
      let token: string | undefined;
      do {
        const res = await http.json<{ metrics?: RawMetric[]; next_page_token?: string }>(
          "GET",
          `${API}/metrics/get-history`,
          { query: { run_id: runId, metric_key: key, max_results: 25000, page_token: token } },
        );
        const page = res.metrics ?? [];
        for (const m of page) out.push(metricOf(m));
        // A page token that does not move the history on would loop forever (old servers).
        token = page.length > 0 ? res.next_page_token || undefined : undefined;
      } while (token);
      return out;
    },

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
