import { z } from "zod";
import { LlmUsageSchema, RecordedAdviceSchema } from "./advice.js";
import { ValidationError } from "./errors.js";
import { findDeepNesting, type JsonValue, JsonValueSchema } from "./json.js";
import { nameMapSchema, setName } from "./names.js";
import { fastParseRecord } from "./record-fast-path.js";
import { parseOrThrow } from "./validate.js";

/** The wire format version this Converge writes and the newest it reads. */
export const SCHEMA_VERSION = 1 as const;

const NON_FINITE_TEXT = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};

function describeValue(v: unknown): string {
  if (typeof v === "string")
    return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (Array.isArray(v)) return "an array";
  return v === null ? "null" : typeof v;
}

/**
 * A metric value. Non-finite numbers travel as the strings "NaN", "Infinity"
 * and "-Infinity" (JSON has no such numbers); `null`, which Python's pydantic
 * writes for NaN, also reads as NaN.
 */
export const MetricValueSchema = z.unknown().transform((v, ctx): number => {
  if (typeof v === "number") return v;
  if (v === null) return Number.NaN;
  if (typeof v === "string" && Object.hasOwn(NON_FINITE_TEXT, v)) {
    return NON_FINITE_TEXT[v as keyof typeof NON_FINITE_TEXT];
  }
  ctx.addIssue({
    code: "custom",
    message: `expected a number (non-finite as "NaN", "Infinity" or "-Infinity"), got ${describeValue(v)}`,
  });
  return z.NEVER;
});

/**
 * Metric name → value. Every name is kept as data (`__proto__`, `toString`
 * included); the output is a plain object, so look names up with
 * `Object.hasOwn` or `ownValue`.
 */
export const MetricsSchema = nameMapSchema(MetricValueSchema, {
  emptyName: "metric names cannot be empty",
  prototype: "plain",
});

/** Parameter name → JSON value, every name kept as data. */
const JsonMapSchema = nameMapSchema(JsonValueSchema, { prototype: "plain" });

const ISO_WITH_ZONE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * ISO-8601 in UTC with `Z`. A timestamp without a zone (as Python's
 * `datetime.utcnow()` writes) is UTC; `+00:00` becomes `Z`; other offsets are
 * converted. Digits beyond milliseconds are kept when no conversion is needed.
 */
export const TimestampSchema = z.string().transform((text, ctx): string => {
  const m = ISO_WITH_ZONE.exec(text.trim());
  if (!m) {
    ctx.addIssue({
      code: "custom",
      message: `expected an ISO-8601 time such as 2026-01-18T14:30:22Z, got ${JSON.stringify(text)}`,
    });
    return z.NEVER;
  }
  const [, local, zone] = m as unknown as [string, string, string | undefined];
  if (zone === undefined || zone === "Z" || /^[+-]00:?00$/.test(zone)) return `${local}Z`;
  const date = new Date(
    `${local}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`,
  );
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: "custom", message: `not a valid time: ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return date.toISOString();
});

/**
 * Experiment ids are file names in the JSONL store and tags in MLflow, so they
 * keep to a portable alphabet.
 */
export const ExperimentIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    "experiment_id must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. exp_20260118_143022)",
  );

export {
  type LlmUsage,
  LlmUsageSchema,
  type RecordedAdvice,
  RecordedAdviceSchema,
} from "./advice.js";

const nonNegativeFinite = (what: string) =>
  z.number().refine((n) => Number.isFinite(n) && n >= 0, `${what} must be a finite number >= 0`);

/** A record's `evaluation_error`: the failure's message and the evaluator's stderr tail. */
export const EvaluationErrorFieldSchema = z.looseObject({
  message: z.string(),
  log_tail: z.string().default(""),
});

/** A record's `refiner`: the refiner that proposed the strategy, and the fallback reason. */
export const RefinerFieldSchema = z.looseObject({
  source: z.string(),
  fallback: z.string().optional(),
  /** The model and prompt version of an LLM refiner's answer. */
  model: z.string().optional(),
  prompt_version: z.string().optional(),
});
export type RefinerField = z.output<typeof RefinerFieldSchema>;

/**
 * One iteration of an experiment: wire format v1, the Python logger's
 * snake_case format (docs/record-format.md), so its logs read as they are. Required: `experiment_id`, `iteration`, `metrics`; every other field
 * has a default. Fields this version does not know are kept.
 */
export const ExperimentRecordSchema = z.looseObject({
  schema_version: z
    .number()
    .int()
    .refine((v) => v <= SCHEMA_VERSION, {
      message: `this record is from a newer Converge (schema_version > ${SCHEMA_VERSION}); upgrade @converge/core to read it`,
    })
    .default(SCHEMA_VERSION),
  experiment_id: ExperimentIdSchema,
  iteration: z
    .number()
    .int("iteration must be a whole number")
    .nonnegative("iteration must be >= 0"),
  /** ISO-8601 UTC with Z; null when the record did not say. */
  timestamp: TimestampSchema.nullable().default(null),

  research_directive: z.string().default(""),
  research_iteration: z.number().int().nonnegative().default(1),
  strategy_iteration: z.number().int().nonnegative().default(1),

  strategy_name: z.string().default(""),
  strategy_code: z.string().default(""),
  strategy_description: z.string().default(""),
  parameters: JsonMapSchema.default(() => ({})),

  metrics: MetricsSchema,

  gate_passed: z.boolean().default(false),
  /** Gate score in [0, 1]; null when the iteration ran without a gate. */
  gate_score: z.number().min(0).max(1).nullable().default(null),
  failed_criteria: z.array(z.record(z.string(), z.unknown())).default([]),

  action_taken: z.string().default(""),
  /**
   * What changed since the previous iteration: `{name: {from, to}}` as Converge
   * writes it (`from` absent for an added parameter, `to` absent for a removed
   * one), or the Python logger's `{name: to}`.
   */
  parameter_changes: JsonMapSchema.default(() => ({})),

  failure_classification: z.string().nullable().default(null),
  failure_analysis: z.record(z.string(), z.unknown()).nullable().default(null),

  /** Seconds spent evaluating this iteration. */
  compute_time: nonNegativeFinite("compute_time").default(0),
  /** Money spent on this iteration (USD): the sum of `llm_usage` costs unless stated. */
  cost: nonNegativeFinite("cost").default(0),
  llm_usage: z.array(LlmUsageSchema).default([]),
  /** The advice this iteration acted on (absent when no advisor was asked). */
  advice: RecordedAdviceSchema.optional(),
  /** Why the evaluation produced no metrics (absent when it did): the error and the stderr tail. */
  evaluation_error: EvaluationErrorFieldSchema.optional(),
  /** The evaluator's log (its stderr), capped to its last 16 KB. */
  evaluator_log: z.string().optional(),
  /** Who proposed this iteration's strategy (`refineWithin`), and why a fallback answered. */
  refiner: RefinerFieldSchema.optional(),
});

/** A validated record, with every default filled in. */
export type ExperimentRecord = z.output<typeof ExperimentRecordSchema>;
/** A record as it may be written by hand or by the Python logger: only the required fields. */
export type ExperimentRecordInput = z.input<typeof ExperimentRecordSchema>;

/** A parameter change as Converge writes it. */
export interface ParameterChange {
  from?: JsonValue;
  to?: JsonValue;
}

/**
 * Validates any value as a record, naming every bad field. Reading and
 * writing both come through here, so a store accepts for writing exactly the
 * records it can read. Objects and arrays may nest at most
 * `MAX_NESTING_DEPTH` (1024) levels, counted from the record.
 */
export function parseRecord(value: unknown): ExperimentRecord {
  const fast = fastParseRecord(value);
  if (fast) return fast;
  const deep = findDeepNesting(value);
  if (deep) {
    const path = deep.path
      .slice(0, 2)
      .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
      .join("");
    throw new ValidationError({
      subject: "record",
      issues: [
        {
          path: path.slice(1),
          message: `objects and arrays nest more than ${deep.limit} levels deep here (records allow at most ${deep.limit}, counted from the record)`,
        },
      ],
      hint: "flatten the value, e.g. store it as a JSON string",
    });
  }
  return parseOrThrow(ExperimentRecordSchema, value, "record");
}

/** Record fields whose numbers may be non-finite and so travel as text. */
function encodeMetrics(metrics: Record<string, number>): Record<string, number | string> {
  let out: Record<string, number | string> | undefined;
  for (const key in metrics) {
    const v = metrics[key] as number;
    if (!Number.isFinite(v)) {
      out ??= { ...metrics };
      setName(out, key, Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    }
  }
  return out ?? metrics;
}

/**
 * One JSON line (no trailing newline) for a validated record, with non-finite
 * metrics as text. `JSON.parse` + `parseRecord` gives the same record back.
 */
export function serializeRecord(record: ExperimentRecord): string {
  const metrics = encodeMetrics(record.metrics);
  return JSON.stringify(metrics === record.metrics ? record : { ...record, metrics });
}

/** Parses one JSON line into a validated record. */
export function deserializeRecord(line: string): ExperimentRecord {
  return parseRecord(JSON.parse(line));
}
