/** Text forms of numbers, times and parameter changes shared by the commands. */
import { formatMetricValue } from "@converge/core";
import { jsonSafe } from "./terminal-text.js";

/**
 * A metric or parameter number as people read it: core's
 * `formatMetricValue` (`755`, `1.076`, `0.000822`, `1.5e9`; "NaN",
 * "Infinity" and "-Infinity" for non-finite values), so the command line
 * writes a value as the reports do.
 */
export function formatNumber(value: number): string {
  return formatMetricValue(value);
}

/** A metric value on a progress or summary line: as {@link formatNumber}, "n/a" when not a finite number (no trades: no Sharpe). */
export function formatMetric(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value) ? formatMetricValue(value) : "n/a";
}

/** A gate score with three decimals; "-" when the iteration had no gate. */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined || Number.isNaN(score) ? "-" : score.toFixed(3);
}

/** Seconds as "45.2 s", "2 min 13.1 s" or "1 h 02 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "-";
  if (seconds > 0 && seconds < 0.01) return "< 0.01 s";
  if (seconds < 60) return `${Number(seconds.toFixed(seconds < 10 ? 2 : 1))} s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    return `${m} min ${(seconds - m * 60).toFixed(1)} s`;
  }
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds - h * 3600) / 60);
  return `${h} h ${String(m).padStart(2, "0")} min`;
}

/** US dollars: two decimals, or four for amounts under a cent. */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd)) return "-";
  return usd > 0 && usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** An ISO time as "2026-01-18 14:39:55Z" (UTC, no fraction); "-" when unknown. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "-";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** A parameter value (any JSON) in a table cell; numbers without digit grouping (a value to copy). */
export function formatValue(value: unknown): string {
  if (typeof value === "number") return formatMetricValue(value, { group: false });
  if (typeof value === "string") return value;
  if (value === undefined) return "-";
  return JSON.stringify(value);
}

function isFromTo(value: unknown): value is { from?: unknown; to?: unknown } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k === "from" || k === "to");
}

/**
 * One record's `parameter_changes` as short texts, e.g. "position_size 0.1→0.15".
 * Reads both forms: Converge's `{name: {from, to}}` (an added parameter has
 * no `from`, a removed one no `to`) and the Python logger's `{name: to}`, shown as
 * "name→to".
 */
export function formatChanges(changes: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(changes).map(([name, change]) => {
    if (!isFromTo(change)) return `${name}→${formatValue(change)}`;
    const hasFrom = Object.hasOwn(change, "from");
    const hasTo = Object.hasOwn(change, "to");
    if (hasFrom && hasTo) return `${name} ${formatValue(change.from)}→${formatValue(change.to)}`;
    if (hasTo) return `+${name}=${formatValue(change.to)}`;
    return `-${name} (was ${formatValue(change.from)})`;
  });
}

/** JSON.stringify's replacer for machine output: non-finite numbers as text. */
function finiteOrText(_key: string, v: unknown): unknown {
  if (typeof v === "number" && !Number.isFinite(v)) {
    return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  }
  return v;
}

/**
 * JSON text for machine output, indented by two spaces: non-finite numbers
 * anywhere in `value` become the strings "NaN", "Infinity" and "-Infinity"
 * (as in the record wire format) instead of JSON's silent `null`; DEL, C1
 * controls, bidi and zero-width characters and U+2028/U+2029, which
 * JSON.stringify leaves raw, are `\uXXXX` escapes. `indent` (spaces) starts
 * every line but the first, for a value nested in a larger document.
 */
export function toJson(value: unknown, indent = ""): string {
  // JSON.stringify gives undefined for undefined (and functions): that is JSON null.
  const text = jsonSafe(JSON.stringify(value, finiteOrText, 2) ?? "null");
  // Line breaks in JSON text are all structural: those inside strings are escaped.
  return indent === "" ? text : text.replaceAll("\n", `\n${indent}`);
}
