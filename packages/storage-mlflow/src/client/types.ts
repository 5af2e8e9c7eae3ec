export interface MlflowKeyValue {
  key: string;
  value: string;
}

export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  /** "active" or "deleted". */
  lifecycle_stage: string;
  tags: MlflowKeyValue[];
}

export type MlflowRunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

export interface MlflowRunInfo {
  run_id: string;
  run_name: string;
  experiment_id: string;
  status: MlflowRunStatus;
  start_time: number | undefined;
  end_time: number | undefined;
  artifact_uri: string;
  lifecycle_stage: string;
}

/** A metric as sent or read: `value` may be NaN or ±Infinity. */
export interface MlflowMetric {
  key: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}

export interface MlflowRun {
  info: MlflowRunInfo;
  data: {
    /** The latest value of each metric. */
    metrics: MlflowMetric[];
    params: MlflowKeyValue[];
    tags: MlflowKeyValue[];
  };
}

export interface MlflowArtifactFile {
  path: string;
  is_dir: boolean;
  file_size: number | undefined;
}

/** One `runs/log-batch` worth of data; the client splits it to the server's limits. */
export interface LogBatchInput {
  metrics?: MlflowMetric[];
  params?: MlflowKeyValue[];
  tags?: MlflowKeyValue[];
}

/** The value of a tag on a run, or undefined. */
export function tagOf(run: MlflowRun, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}
