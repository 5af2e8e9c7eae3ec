/** `runs/log-batch` bodies: a batch checked and split to the server's limits. */
import { MlflowError } from "./errors.js";
import { checkKey, encodeMetricValue, LIMITS } from "./limits.js";
import type { LogBatchInput, MlflowKeyValue, MlflowMetric } from "./types.js";

/** Splits a batch into request bodies within the server's limits. */
export function splitBatch(batch: LogBatchInput): Array<{
  metrics: Array<Omit<MlflowMetric, "value"> & { value: number | string }>;
  params: MlflowKeyValue[];
  tags: MlflowKeyValue[];
}> {
  const params: MlflowKeyValue[] = [];
  const seen = new Map<string, string>();
  for (const p of batch.params ?? []) {
    checkKey("param", p.key);
    if (p.value.length > LIMITS.paramValueLength) {
      throw new MlflowError(
        `MLflow param ${JSON.stringify(p.key)} has a value of ${p.value.length} characters; the server keeps at most ${LIMITS.paramValueLength}.`,
        {
          errorCode: "INVALID_PARAMETER_VALUE",
          hint: "shorten it and keep the full value as an artifact (mlflowStore does this itself)",
        },
      );
    }
    const prior = seen.get(p.key);
    if (prior === undefined) {
      seen.set(p.key, p.value);
      params.push(p);
    } else if (prior !== p.value) {
      throw new MlflowError(
        `MLflow param ${JSON.stringify(p.key)} is given twice with different values in one batch.`,
        {
          errorCode: "INVALID_PARAMETER_VALUE",
          hint: "a param of a run has one value: log a different key",
        },
      );
    }
  }
  for (const t of batch.tags ?? []) {
    checkKey("tag", t.key);
    if (t.value.length > LIMITS.tagValueLength) {
      throw new MlflowError(
        `MLflow tag ${JSON.stringify(t.key)} has a value of ${t.value.length} characters; the server keeps at most ${LIMITS.tagValueLength}.`,
        {
          errorCode: "INVALID_PARAMETER_VALUE",
          hint: "shorten it and keep the full value as an artifact (mlflowStore does this itself)",
        },
      );
    }
  }
  const metrics = (batch.metrics ?? []).map((m) => {
    checkKey("metric", m.key);
    return {
      key: m.key,
      value: encodeMetricValue(m.value),
      timestamp: Math.round(m.timestamp),
      step: Math.round(m.step),
    };
  });

  type Body = ReturnType<typeof splitBatch>[number];
  const bodies: Body[] = [];
  let cur: Body = { metrics: [], params: [], tags: [] };
  let bytes = 64;
  const entities = () => cur.metrics.length + cur.params.length + cur.tags.length;
  const room = (kind: "metrics" | "params" | "tags", size: number): boolean => {
    const cap =
      kind === "metrics"
        ? LIMITS.metricsPerBatch
        : kind === "params"
          ? LIMITS.paramsPerBatch
          : LIMITS.tagsPerBatch;
    return (
      cur[kind].length < cap &&
      entities() < LIMITS.entitiesPerBatch &&
      bytes + size <= LIMITS.batchBytes
    );
  };
  const add = <K extends "metrics" | "params" | "tags">(kind: K, item: Body[K][number]) => {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (!room(kind, size) && entities() > 0) {
      bodies.push(cur);
      cur = { metrics: [], params: [], tags: [] };
      bytes = 64;
    }
    (cur[kind] as Array<Body[K][number]>).push(item);
    bytes += size;
  };
  for (const p of params) add("params", p);
  for (const t of batch.tags ?? []) add("tags", t);
  for (const m of metrics) add("metrics", m);
  if (entities() > 0) bodies.push(cur);
  return bodies;
}
