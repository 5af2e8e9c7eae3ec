/**
 * The run and metric endpoints of the tracking REST API, as
 * `createMlflowClient`'s methods call them.
 */
import { splitBatch } from "./batch.js";
import type { Http } from "./http.js";
import { checkKey } from "./limits.js";
import type {
  LogBatchInput,
  MlflowKeyValue,
  MlflowMetric,
  MlflowRun,
  MlflowRunStatus,
} from "./types.js";
import {
  TRACKING_API as API,
  metricOf,
  type RawMetric,
  type RawRun,
  runOf,
  toRaw,
} from "./wire.js";

/** Which runs `searchRuns` asks for, and in what order. */
export interface SearchRunsOptions {
  experimentIds: string[];
  filter?: string;
  orderBy?: string[];
  /** "ACTIVE_ONLY" (default), "DELETED_ONLY" or "ALL". */
  runViewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
  /** Stop after this many runs (default: all). */
  limit?: number;
}

/** The run `createRun` makes. */
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

/** Creates a run; with `findExisting`, a retry first looks for the run a lost answer made. */
export async function createRun(http: Http, opts: CreateRunOptions): Promise<MlflowRun> {
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
}

/** Sets a run's status, end time or name. */
export async function updateRun(
  http: Http,
  runId: string,
  update: { status?: MlflowRunStatus; endTime?: number; runName?: string },
): Promise<void> {
  await http.json("POST", `${API}/runs/update`, {
    json: {
      run_id: runId,
      status: update.status,
      end_time: update.endTime,
      run_name: update.runName,
    },
  });
}

/** One run by id. */
export async function getRun(http: Http, runId: string): Promise<MlflowRun> {
  const res = await http.json<{ run?: RawRun }>("GET", `${API}/runs/get`, {
    query: { run_id: runId },
  });
  return runOf(res.run ?? {});
}

/** Every matching run, up to `limit` (follows `next_page_token`). */
export async function searchRuns(http: Http, opts: SearchRunsOptions): Promise<MlflowRun[]> {
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
}

/** Logs a batch in as many requests as the server's limits need, one after another. */
export async function logBatch(http: Http, runId: string, batch: LogBatchInput): Promise<void> {
  for (const body of splitBatch(batch)) {
    await http.json("POST", `${API}/runs/log-batch`, { json: { run_id: runId, ...body } });
  }
}

/** Sets one tag of a run. */
export async function setTag(http: Http, runId: string, key: string, value: string): Promise<void> {
  checkKey("tag", key);
  await http.json("POST", `${API}/runs/set-tag`, { json: { run_id: runId, key, value } });
}

/** Deletes a run (MLflow keeps it, marked deleted). */
export async function deleteRun(http: Http, runId: string): Promise<void> {
  await http.json("POST", `${API}/runs/delete`, { json: { run_id: runId } });
}

/** Every value of a metric (follows `next_page_token`). */
export async function getMetricHistory(
  http: Http,
  runId: string,
  key: string,
): Promise<MlflowMetric[]> {
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
}
