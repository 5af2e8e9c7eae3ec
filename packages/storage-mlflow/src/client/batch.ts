/** `runs/log-batch` bodies: a batch checked and split to the server's limits. */
import { MlflowError } from "./errors.js";
import { checkKey, encodeMetricValue, LIMITS } from "./limits.js";
import type { LogBatchInput, MlflowKeyValue, MlflowMetric } from "./types.js";

/** One `runs/log-batch` body, without its `run_id`. */
type Body = {
  metrics: Array<Omit<MlflowMetric, "value"> & { value: number | string }>;
  params: MlflowKeyValue[];
  tags: MlflowKeyValue[];
};

/** Splits a batch into request bodies within the server's limits. */
export function splitBatch(batch: LogBatchInput): Body[] {
  const params = checkedParams(batch.params ?? []);
  checkTags(batch.tags ?? []);
  const metrics = (batch.metrics ?? []).map((m) => {
    checkKey("metric", m.key);
    return {
      key: m.key,
      value: encodeMetricValue(m.value),
      timestamp: Math.round(m.timestamp),
      step: Math.round(m.step),
    };
  });
  const packer = new BodyPacker();
  for (const p of params) packer.add("params", p);
  for (const t of batch.tags ?? []) packer.add("tags", t);
  for (const m of metrics) packer.add("metrics", m);
  return packer.finish();
}

/** The params with a repeated key (same value) given once; throws for a key given two values. */
function checkedParams(given: MlflowKeyValue[]): MlflowKeyValue[] {
  const params: MlflowKeyValue[] = [];
  const seen = new Map<string, string>();
  for (const p of given) {
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
  return params;
}

/** Throws for a tag the server would refuse. */
function checkTags(tags: MlflowKeyValue[]): void {
  for (const t of tags) {
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
}

/** Fills bodies in order, starting the next one when an entity would break a limit. */
class BodyPacker {
  private readonly bodies: Body[] = [];
  private cur: Body = { metrics: [], params: [], tags: [] };
  // What a body costs before its entities: `run_id` and the JSON around them.
  private bytes = 64;

  add<K extends keyof Body>(kind: K, item: Body[K][number]): void {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (!this.room(kind, size) && this.entities() > 0) {
      this.bodies.push(this.cur);
      this.cur = { metrics: [], params: [], tags: [] };
      this.bytes = 64;
    }
    (this.cur[kind] as Array<Body[K][number]>).push(item);
    this.bytes += size;
  }

  /** Every body, the last included when it holds anything. */
  finish(): Body[] {
    if (this.entities() > 0) this.bodies.push(this.cur);
    return this.bodies;
  }

  private entities(): number {
    return this.cur.metrics.length + this.cur.params.length + this.cur.tags.length;
  }

  private room(kind: keyof Body, size: number): boolean {
    const cap =
      kind === "metrics"
        ? LIMITS.metricsPerBatch
        : kind === "params"
          ? LIMITS.paramsPerBatch
          : LIMITS.tagsPerBatch;
    return (
      this.cur[kind].length < cap &&
      this.entities() < LIMITS.entitiesPerBatch &&
      this.bytes + size <= LIMITS.batchBytes
    );
  }
}
