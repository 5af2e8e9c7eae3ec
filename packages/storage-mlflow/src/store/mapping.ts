import { createHash } from "node:crypto";
import { canonicalJson, type ExperimentMeta, type ExperimentRecord } from "@converge/core";
import { canonicalParamValue, keyProblem, LIMITS } from "../client/limits.js";
import type { MlflowKeyValue, MlflowMetric } from "../client/types.js";

/** Tags Converge sets on its runs. */
export const TAG = {
  experimentId: "converge.experiment_id",
  kind: "converge.kind",
  iteration: "converge.iteration",
  action: "converge.action",
  gatePassed: "converge.gate_passed",
  strategyName: "converge.strategy_name",
  recordHash: "converge.record_sha256",
  lastIteration: "converge.last_iteration",
  status: "converge.status",
  bestIteration: "converge.best_iteration",
  /** The whole record (its `serializeRecord` line) when it fits in a tag; else the artifact. */
  record: "converge.record",
  /** The whole meta as JSON when it fits in a tag; the artifact is a copy for people. */
  meta: "converge.meta",
  parentRunId: "mlflow.parentRunId",
  note: "mlflow.note.content",
  user: "mlflow.user",
  sourceName: "mlflow.source.name",
  sourceType: "mlflow.source.type",
} as const;

export const ARTIFACT = {
  record: "converge/record.json",
  code: "strategy/code.txt",
  meta: "converge/meta.json",
  summary: "converge/summary.json",
} as const;

export interface Artifact {
  path: string;
  data: string;
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * The MLflow key for a Converge parameter or metric name. A valid key is kept
 * as it is. Otherwise every character outside `[A-Za-z0-9_ ./:-]` becomes `_`,
 * empty, `.` and `..` path segments become `_`, leading / trailing `/` go,
 * and `_` plus 8 hex digits of the SHA-256 of the original name are appended
 * (so two names never map to the same key); the result is cut to 250
 * characters. The record artifact keeps the original names.
 */
export function mlflowKey(name: string): string {
  if (keyProblem(name) === undefined) return name;
  let key = name.replace(/[^/\w.\- :]/g, "_");
  key = key
    .split("/")
    .map((s) => (s === "" || s === "." || s === ".." ? "_" : s))
    .join("/")
    .replace(/^\/+|\/+$/g, "");
  const suffix = `_${sha(name).slice(0, 8)}`;
  return `${key.slice(0, LIMITS.keyLength - suffix.length)}${suffix}`;
}

/** A file name for an artifact keeping a long value of `key`. */
function valueFile(dir: string, key: string): string {
  return `converge/${dir}/${key.replace(/[^\w.-]/g, "_").slice(0, 100)}-${sha(key).slice(0, 8)}.txt`;
}

/**
 * A value cut to `limit` characters with a marker naming the artifact that
 * holds it whole, or the value itself when it fits.
 */
function fitValue(value: string, limit: number, file: string, artifacts: Artifact[]): string {
  if (value.length <= limit) return value;
  artifacts.push({ path: file, data: value });
  const marker = `...[truncated: ${value.length} chars, full value in artifact ${file}]`;
  return `${value.slice(0, limit - marker.length)}${marker}`;
}

/** The SHA-256 of a record's canonical JSON: the same record always hashes the same. */
export function recordHash(line: string): string {
  return sha(canonicalJson(JSON.parse(line)));
}

export function metricTimestamp(record: ExperimentRecord): number {
  const t = record.timestamp === null ? Number.NaN : Date.parse(record.timestamp);
  return Number.isNaN(t) ? 0 : t;
}

/** Metrics of an iteration as MLflow metrics with `step = iteration` (gate score included). */
export function iterationMetrics(record: ExperimentRecord): MlflowMetric[] {
  const timestamp = metricTimestamp(record);
  const step = record.iteration;
  const out: MlflowMetric[] = [];
  const keys = new Set<string>();
  for (const [name, value] of Object.entries(record.metrics)) {
    const key = mlflowKey(name);
    keys.add(key);
    out.push({ key, value, timestamp, step });
  }
  if (record.gate_score !== null) {
    const key = keys.has("gate_score") ? "converge.gate_score" : "gate_score";
    out.push({ key, value: record.gate_score, timestamp, step });
  }
  return out;
}

/** A record's parameters as MLflow params (long values cut, kept whole in `artifacts`). */
export function recordParams(record: ExperimentRecord, artifacts: Artifact[]): MlflowKeyValue[] {
  const params: MlflowKeyValue[] = [];
  for (const [name, value] of Object.entries(record.parameters)) {
    const key = mlflowKey(name);
    params.push({
      key,
      value: fitValue(
        canonicalParamValue(value),
        LIMITS.paramValueLength,
        valueFile("params", key),
        artifacts,
      ),
    });
  }
  return params;
}

/**
 * The best iteration's metrics for the parent run: `best_<key>` (step = that
 * iteration), or `converge.best_<key>` when a record metric already starts
 * with `best_`.
 */
export function bestMetrics(record: ExperimentRecord): MlflowMetric[] {
  const points = iterationMetrics(record);
  const clash = points.some((m) => m.key.startsWith("best_"));
  const prefix = clash ? "converge.best_" : "best_";
  return points.map((m) => ({
    ...m,
    key: `${prefix}${m.key}`.slice(0, LIMITS.keyLength),
  }));
}

/** A child run's name: the iteration first, so that runs tell apart in narrow columns. */
export const childRunName = (record: ExperimentRecord) =>
  `#${record.iteration} · ${record.experiment_id}`;

export interface ChildPayload {
  runName: string;
  startTime: number;
  endTime: number;
  createTags: MlflowKeyValue[];
  params: MlflowKeyValue[];
  tags: MlflowKeyValue[];
  metrics: MlflowMetric[];
  artifacts: Artifact[];
}

/** Everything an iteration's child run holds. */
export function childPayload(
  record: ExperimentRecord,
  line: string,
  hash: string,
  parentRunId: string,
  sourceTags: readonly MlflowKeyValue[],
): ChildPayload {
  const artifacts: Artifact[] = [];
  // The record rides in a tag when it fits (read back with the run search, no download).
  const inTag = line.length <= LIMITS.tagValueLength;
  if (!inTag) artifacts.push({ path: ARTIFACT.record, data: line });
  if (record.strategy_code !== "")
    artifacts.push({ path: ARTIFACT.code, data: record.strategy_code });
  const params = recordParams(record, artifacts);
  const tag = (key: string, value: string) => ({
    key,
    value: fitValue(value, LIMITS.tagValueLength, valueFile("tags", key), artifacts),
  });
  const tags = [
    tag(TAG.action, record.action_taken),
    tag(TAG.gatePassed, String(record.gate_passed)),
  ];
  if (record.strategy_name !== "") tags.push(tag(TAG.strategyName, record.strategy_name));
  if (record.strategy_description !== "") tags.push(tag(TAG.note, record.strategy_description));
  if (inTag) tags.push({ key: TAG.record, value: line });
  const startTime = metricTimestamp(record) || Date.now();
  return {
    runName: childRunName(record),
    startTime,
    endTime: startTime + Math.round(record.compute_time * 1000),
    createTags: [
      { key: TAG.parentRunId, value: parentRunId },
      { key: TAG.experimentId, value: record.experiment_id },
      { key: TAG.iteration, value: String(record.iteration) },
      { key: TAG.kind, value: "iteration" },
      { key: TAG.recordHash, value: hash },
      ...sourceTags,
    ],
    params,
    tags,
    metrics: iterationMetrics(record),
    artifacts,
  };
}

/** The parent run's tags and artifacts for an experiment's meta. */
export function metaPayload(meta: ExperimentMeta): {
  tags: MlflowKeyValue[];
  artifacts: Artifact[];
} {
  const artifacts: Artifact[] = [
    { path: ARTIFACT.meta, data: `${JSON.stringify(meta, null, 2)}\n` },
  ];
  const metaJson = JSON.stringify(meta);
  if (meta.summary !== null)
    artifacts.push({ path: ARTIFACT.summary, data: `${JSON.stringify(meta.summary, null, 2)}\n` });
  const tags: MlflowKeyValue[] = [
    {
      key: TAG.note,
      value: fitValue(meta.directive, LIMITS.tagValueLength, "converge/directive.txt", artifacts),
    },
    { key: TAG.status, value: meta.status },
  ];
  if (metaJson.length <= LIMITS.tagValueLength) tags.push({ key: TAG.meta, value: metaJson });
  for (const [k, v] of Object.entries(meta.tags)) {
    const key = `converge.tag.${mlflowKey(k)}`.slice(0, LIMITS.keyLength);
    tags.push({
      key,
      value: fitValue(v, LIMITS.tagValueLength, valueFile("tags", key), artifacts),
    });
  }
  return { tags, artifacts };
}

/** A single-quoted value for a search filter. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
