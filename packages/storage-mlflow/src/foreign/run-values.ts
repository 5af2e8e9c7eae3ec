/**
 * How the values of an ordinary MLflow run (params, metrics, times, names)
 * become the fields of a Converge record. Pure functions: the readers in
 * runs-as-records.ts and history-as-records.ts fetch, these convert.
 */
import { type JsonValue, nameMap } from "@converge/core";
import type { MlflowRun } from "../client/types.js";
import { TAG } from "../store/mapping.js";

/**
 * A number the way Python's `str()` writes one (`7`, `-3`, `0.5`, `100.0`,
 * `1e-05`, `2.5E+10`); no leading zero before a digit (`007` is an id), no
 * bare `.5`, no `nan` / `inf`.
 */
const NUMERIC = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A param as a record parameter: MLflow keeps every param as text, so text
 * that reads as a finite number becomes that number (`"0.001"` → 0.001,
 * `"32"` → 32, `"100.0"` → 100); everything else stays the text it is
 * (`"adam"`, `"True"`, `"007"`, `"nan"`, `"[1, 2]"`).
 */
export function paramValue(text: string): JsonValue {
  if (!NUMERIC.test(text)) return text;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/** A run's params as record parameters, every name kept as data (see `paramValue`). */
export function parametersOf(run: MlflowRun): Record<string, JsonValue> {
  const out = nameMap<JsonValue>();
  for (const p of run.data.params) out[p.key] = paramValue(p.value);
  return out;
}

/** A run's latest metric values, as the client decodes them (NaN, ±Infinity included). */
export function latestMetricsOf(run: MlflowRun): Record<string, number> {
  const out = nameMap<number>();
  for (const m of run.data.metrics) out[m.key] = m.value;
  return out;
}

/** Milliseconds since the epoch as ISO-8601 UTC, or null when there is no time. */
export function isoTime(ms: number | undefined): string | null {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Seconds from `start` to `end` (ms), 0 when either is unknown or they run backwards. */
export function secondsBetween(start: number | undefined, end: number | undefined): number {
  if (start === undefined || end === undefined) return 0;
  const s = (end - start) / 1000;
  return Number.isFinite(s) && s > 0 ? s : 0;
}

/** The value of a tag of a run, or undefined. */
export function tagValue(run: MlflowRun, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}

/** Whether Converge wrote the run (it carries `converge.kind`): such runs are not foreign. */
export function isConvergeRun(run: MlflowRun): boolean {
  return tagValue(run, TAG.kind) !== undefined;
}

/**
 * Start order: earlier `start_time` first, a run without one last, ties by
 * run id (so the order never depends on the server's answer order).
 */
export function byStartTime(a: MlflowRun, b: MlflowRun): number {
  const ta = a.info.start_time ?? Number.POSITIVE_INFINITY;
  const tb = b.info.start_time ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.info.run_id < b.info.run_id ? -1 : a.info.run_id > b.info.run_id ? 1 : 0;
}

/** How a run is named in messages: `"trial-03" (3f2a…)`, or its id when it has no name. */
export function runLabel(run: MlflowRun): string {
  const name = run.info.run_name;
  return name ? `"${name}" (${run.info.run_id})` : run.info.run_id;
}

/**
 * A Converge experiment id (1-128 of letters, digits, `.`, `_`, `-`, starting
 * with a letter or digit) made from MLflow names: every other character
 * becomes `_`, runs of `_` collapse, leading `.`/`_`/`-` go. An empty result
 * falls back to `mlflow_<fallback>`.
 */
export function convergeIdFrom(name: string, fallback: string): string {
  const id = name
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^[._-]+/, "")
    .slice(0, 128)
    .replace(/[._-]+$/, "");
  return id === "" ? `mlflow_${fallback.replace(/[^A-Za-z0-9._-]/g, "_")}`.slice(0, 128) : id;
}

/** The Converge experiment ids Converge's runs belong to (`converge.experiment_id`), in order. */
export function convergeIdsOf(runs: readonly MlflowRun[]): string[] {
  const ids = runs.map((r) => tagValue(r, TAG.experimentId));
  return [...new Set(ids.filter((id) => id !== undefined))];
}
