import { setName } from "./names.js";
import type { ExperimentRecord } from "./record.js";

/*
 * Reading a 100,000-record experiment spends most of its time validating.
 * zod costs ~3.5x JSON.parse per record; this hand-written check of the common
 * shape costs a fraction of that. It is conservative: it accepts only inputs
 * that ExperimentRecordSchema certainly accepts, and builds exactly what the
 * schema would build (a property test holds the two to that). Anything else,
 * including every invalid input, returns undefined and goes through zod,
 * which also writes the error messages.
 */

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z$/;
const KNOWN = new Set([
  "schema_version",
  "experiment_id",
  "iteration",
  "timestamp",
  "research_directive",
  "research_iteration",
  "strategy_iteration",
  "strategy_name",
  "strategy_code",
  "strategy_description",
  "parameters",
  "metrics",
  "gate_passed",
  "gate_score",
  "failed_criteria",
  "action_taken",
  "parameter_changes",
  "failure_classification",
  "failure_analysis",
  "compute_time",
  "cost",
  "llm_usage",
  "advice",
  "evaluation_error",
  "evaluator_log",
  "refiner",
]);

/** The optional fields the fast path takes (advice and evaluation_error only when undefined). */
const OPTIONAL = ["advice", "evaluation_error", "evaluator_log", "refiner"] as const;

type Obj = Record<string, unknown>;
const DECLINE = Symbol("decline");

function isPlainObject(v: unknown): v is Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isJson(v: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  switch (typeof v) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(v);
    case "object":
      if (v === null) return true;
      if (Array.isArray(v)) {
        for (const item of v) if (!isJson(item, depth + 1)) return false;
        return true;
      }
      if (!isPlainObject(v)) return false;
      for (const key of Object.keys(v)) if (!isJson(v[key], depth + 1)) return false;
      return true;
    default:
      return false;
  }
}

/** Whether `v` nests objects and arrays at most `room` levels deep (the schema path checks deeper ones). */
function shallow(v: unknown, room = 64): boolean {
  if (v === null || typeof v !== "object") return true;
  if (room === 0) return false;
  if (Array.isArray(v)) {
    for (const item of v) if (!shallow(item, room - 1)) return false;
    return true;
  }
  for (const key of Object.keys(v)) if (!shallow((v as Obj)[key], room - 1)) return false;
  return true;
}

function jsonMap(v: unknown): Obj | typeof DECLINE {
  if (v === undefined) return {};
  if (!isPlainObject(v)) return DECLINE;
  // Own keys only (a "__proto__" key is a name like any other); spreading copies it as one.
  for (const key of Object.keys(v)) if (!isJson(v[key])) return DECLINE;
  return { ...v };
}

function str(v: unknown): string | typeof DECLINE {
  return v === undefined ? "" : typeof v === "string" ? v : DECLINE;
}

function count(v: unknown, fallback: number): number | typeof DECLINE {
  return v === undefined
    ? fallback
    : Number.isSafeInteger(v) && (v as number) >= 0
      ? (v as number)
      : DECLINE;
}

function nonNegative(v: unknown): number | typeof DECLINE {
  return v === undefined ? 0 : typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : DECLINE;
}

function metricsOf(v: unknown): Record<string, number> | typeof DECLINE {
  if (!isPlainObject(v)) return DECLINE;
  const out: Record<string, number> = {};
  for (const key of Object.keys(v)) {
    if (key === "") return DECLINE;
    const m = v[key];
    let n: number;
    if (typeof m === "number") n = m;
    else if (m === null || m === "NaN") n = Number.NaN;
    else if (m === "Infinity") n = Number.POSITIVE_INFINITY;
    else if (m === "-Infinity") n = Number.NEGATIVE_INFINITY;
    else return DECLINE;
    setName(out, key, n);
  }
  return out;
}

/** The record ExperimentRecordSchema would produce, or undefined when unsure. */
export function fastParseRecord(input: unknown): ExperimentRecord | undefined {
  if (!isPlainObject(input) || Object.hasOwn(input, "__proto__")) return undefined;
  if (!scalarFieldsFit(input)) return undefined;
  const fields = convertedFields(input);
  return fields === undefined ? undefined : assemble(input, fields);
}

/** Whether the fields kept as they are (ids, timestamp, gate outcome, failures) are what the schema accepts. */
function scalarFieldsFit(v: Obj): boolean {
  const version = v.schema_version;
  if (version !== undefined && !(Number.isSafeInteger(version) && (version as number) <= 1))
    return false;
  if (typeof v.experiment_id !== "string" || !ID.test(v.experiment_id)) return false;
  if (!Number.isSafeInteger(v.iteration) || (v.iteration as number) < 0) return false;
  const ts = v.timestamp;
  if (!(ts === undefined || ts === null || (typeof ts === "string" && UTC.test(ts)))) return false;
  const gateScore = v.gate_score;
  if (
    !(
      gateScore === undefined ||
      gateScore === null ||
      (typeof gateScore === "number" && gateScore >= 0 && gateScore <= 1)
    )
  ) {
    return false;
  }
  if (!(v.gate_passed === undefined || typeof v.gate_passed === "boolean")) return false;
  const fc = v.failure_classification;
  if (!(fc === undefined || fc === null || typeof fc === "string")) return false;
  const fa = v.failure_analysis;
  if (
    !(
      fa === undefined ||
      fa === null ||
      (isPlainObject(fa) && !Object.hasOwn(fa, "__proto__") && shallow(fa))
    )
  )
    return false;
  const failed = v.failed_criteria === undefined ? [] : v.failed_criteria;
  if (!Array.isArray(failed)) return false;
  for (const c of failed)
    if (!isPlainObject(c) || Object.hasOwn(c, "__proto__") || !shallow(c)) return false;
  if (!(v.llm_usage === undefined || (Array.isArray(v.llm_usage) && v.llm_usage.length === 0)))
    return false;
  // Advice is rare (one per LLM-advised iteration) and nested: zod validates it, as it
  // does the rare evaluation_error. The refiner and the log are common: checked here.
  if (!(v.evaluator_log === undefined || typeof v.evaluator_log === "string")) return false;
  if (!(v.refiner === undefined || isRefinerField(v.refiner))) return false;
  return v.advice === undefined && v.evaluation_error === undefined;
}

/** `{ source, fallback? }` with strings and nothing else: the schema's output is a copy. */
const REFINER_KEYS = ["source", "fallback", "model", "prompt_version"];

function isRefinerField(v: unknown): boolean {
  if (!isPlainObject(v) || typeof v.source !== "string") return false;
  return Object.keys(v).every(
    (k) => REFINER_KEYS.includes(k) && (k === "source" || typeof v[k] === "string"),
  );
}

/** The fields the schema defaults or converts, or undefined when one of them declines. */
function convertedFields(v: Obj) {
  const fields = {
    research_directive: str(v.research_directive),
    research_iteration: count(v.research_iteration, 1),
    strategy_iteration: count(v.strategy_iteration, 1),
    strategy_name: str(v.strategy_name),
    strategy_code: str(v.strategy_code),
    strategy_description: str(v.strategy_description),
    parameters: jsonMap(v.parameters),
    metrics: metricsOf(v.metrics),
    action_taken: str(v.action_taken),
    parameter_changes: jsonMap(v.parameter_changes),
    compute_time: nonNegative(v.compute_time),
    cost: nonNegative(v.cost),
  };
  for (const key in fields) if (fields[key as keyof typeof fields] === DECLINE) return undefined;
  return fields;
}

/** The record from checked input, or undefined when an unknown field is deep. */
function assemble(
  v: Obj,
  fields: NonNullable<ReturnType<typeof convertedFields>>,
): ExperimentRecord | undefined {
  const fa = v.failure_analysis;
  const failed = (v.failed_criteria ?? []) as Obj[];
  // Same key order as the schema's output: known fields in shape order, then the rest.
  const out: Obj = {
    schema_version: v.schema_version ?? 1,
    experiment_id: v.experiment_id,
    iteration: v.iteration,
    timestamp: v.timestamp ?? null,
    research_directive: fields.research_directive,
    research_iteration: fields.research_iteration,
    strategy_iteration: fields.strategy_iteration,
    strategy_name: fields.strategy_name,
    strategy_code: fields.strategy_code,
    strategy_description: fields.strategy_description,
    parameters: fields.parameters,
    metrics: fields.metrics,
    gate_passed: v.gate_passed ?? false,
    gate_score: v.gate_score ?? null,
    failed_criteria: failed.map((c: Obj) => ({ ...c })),
    action_taken: fields.action_taken,
    parameter_changes: fields.parameter_changes,
    failure_classification: v.failure_classification ?? null,
    failure_analysis: fa ? { ...(fa as Obj) } : null,
    compute_time: fields.compute_time,
    cost: fields.cost,
    llm_usage: [],
  };
  // Optional fields, in shape order; present-but-undefined stays a key, as in the schema's output.
  for (const key of OPTIONAL) {
    if (!Object.hasOwn(v, key)) continue;
    const value = v[key];
    out[key] = key === "refiner" && value !== undefined ? { ...(value as Obj) } : value;
  }
  for (const key in v) {
    if (KNOWN.has(key)) continue;
    // Fields this version does not know are kept as they are; deep ones go to the schema path and its depth check.
    if (!shallow(v[key])) return undefined;
    out[key] = v[key];
  }
  return out as ExperimentRecord;
}
