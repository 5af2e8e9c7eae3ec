/**
 * The JSON of the tracking REST API and its conversion to the client's types:
 * the server may leave fields out and send numbers as strings.
 */
import { decodeMetricValue } from "./limits.js";
import type {
  MlflowExperiment,
  MlflowKeyValue,
  MlflowMetric,
  MlflowRun,
  MlflowRunStatus,
} from "./types.js";

/** The path prefix of the tracking REST API's endpoints. */
export const TRACKING_API = "/api/2.0/mlflow";

export interface RawExperiment {
  experiment_id?: string;
  name?: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  tags?: MlflowKeyValue[];
}
export interface RawMetric {
  key?: string;
  value?: unknown;
  timestamp?: number | string;
  step?: number | string;
}
export interface RawRun {
  info?: {
    run_id?: string;
    run_uuid?: string;
    run_name?: string;
    experiment_id?: string;
    status?: string;
    start_time?: number | string;
    end_time?: number | string;
    artifact_uri?: string;
    lifecycle_stage?: string;
  };
  data?: { metrics?: RawMetric[]; params?: MlflowKeyValue[]; tags?: MlflowKeyValue[] };
}
export interface RawFile {
  path?: string;
  is_dir?: boolean;
  file_size?: number | string;
}

export function experimentOf(e: RawExperiment): MlflowExperiment {
  return {
    experiment_id: String(e.experiment_id ?? ""),
    name: e.name ?? "",
    artifact_location: e.artifact_location ?? "",
    lifecycle_stage: e.lifecycle_stage ?? "active",
    tags: (e.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? "" })),
  };
}

export function metricOf(m: RawMetric): MlflowMetric {
  return {
    key: m.key ?? "",
    value: decodeMetricValue(m.value),
    timestamp: Number(m.timestamp ?? 0),
    step: Number(m.step ?? 0),
  };
}

export function runOf(r: RawRun): MlflowRun {
  const i = r.info ?? {};
  return {
    info: {
      run_id: i.run_id ?? i.run_uuid ?? "",
      run_name: i.run_name ?? "",
      experiment_id: String(i.experiment_id ?? ""),
      status: (i.status ?? "RUNNING") as MlflowRunStatus,
      start_time: i.start_time === undefined ? undefined : Number(i.start_time),
      end_time: i.end_time === undefined ? undefined : Number(i.end_time),
      artifact_uri: i.artifact_uri ?? "",
      lifecycle_stage: i.lifecycle_stage ?? "active",
    },
    data: {
      metrics: (r.data?.metrics ?? []).map(metricOf),
      params: (r.data?.params ?? []).map((p) => ({ key: p.key, value: p.value ?? "" })),
      tags: (r.data?.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? "" })),
    },
  };
}

/** A run as `runs/create` answers it: a run found after a lost answer stands in for that answer. */
export function toRaw(run: MlflowRun): RawRun {
  return { info: run.info, data: { params: run.data.params, tags: run.data.tags, metrics: [] } };
}
