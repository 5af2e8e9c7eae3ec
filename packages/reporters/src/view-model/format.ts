/**
 * Number, time and value formatting shared by the HTML and Markdown reports.
 * Every function accepts `unknown` where the value comes from analysis data
 * that may have been through JSON (NaN arrives as null) and never throws.
 */
import { formatMetricValue } from "@converge/core";

/** What a missing value shows as. */
export const MISSING = "—";

/**
 * A number for people: core's `formatMetricValue` (integers as they are,
 * with comma grouping past 9,999; others with `digits` significant digits
 * and no trailing zeros; very large or small magnitudes in exponent form),
 * with NaN as "NaN", infinities as "∞" / "−∞" and anything that is not a
 * number as "—".
 */
export function formatNumber(value: unknown, digits = 4): string {
  if (typeof value !== "number") return MISSING;
  if (value === Number.POSITIVE_INFINITY) return "∞";
  if (value === Number.NEGATIVE_INFINITY) return "−∞";
  return formatMetricValue(value, { digits });
}

function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** A signed number ("+0.12", "−0.3"), for slopes and effects. */
export function formatSigned(value: unknown, digits = 3): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return formatNumber(value, digits);
  const text = formatNumber(Math.abs(value), digits);
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

/** A p-value: "< 0.001" below a thousandth, else three significant digits. */
export function formatP(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return MISSING;
  return value < 0.001 ? "< 0.001" : formatNumber(value, 2);
}

/** A fraction in [0, 1] as a percentage, e.g. 0.923 → "92.3%". */
export function formatPercent(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return MISSING;
  return `${trimZeros((value * 100).toFixed(1))}%`;
}

/** Seconds as "850 ms", "45.2 s", "12 min 5 s", "3 h 20 min" or "2 d 4 h". */
export function formatDuration(seconds: unknown): string {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return MISSING;
  if (seconds === 0) return "0 s";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${trimZeros(seconds.toFixed(1))} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** US dollars: "$0" for nothing, four decimals under a dollar, else two with grouping. */
export function formatCost(usd: unknown): string {
  if (typeof usd !== "number" || !Number.isFinite(usd)) return MISSING;
  if (usd === 0) return "$0";
  if (Math.abs(usd) < 1) return `$${trimZeros(usd.toFixed(4))}`;
  const [whole, cents] = usd.toFixed(2).split(".") as [string, string];
  return `$${Number(whole).toLocaleString("en-US")}.${cents}`;
}

/** A time as "2026-01-18 14:30 UTC". */
export function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) return MISSING;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** An ISO timestamp from a record as "2026-01-18 14:30:22", or "—". */
export function formatTimestamp(value: unknown): string {
  if (typeof value !== "string" || value === "") return MISSING;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().slice(0, 19).replace("T", " ");
}

/**
 * A parameter value as written: strings as they are, numbers exactly (0.15,
 * not 0.1500), booleans and null as words, arrays and objects as compact JSON.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return MISSING;
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? `${value}` : formatNumber(value);
  if (value === null || typeof value === "boolean") return `${value}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** "1 iteration", "3 iterations". */
export function plural(count: number, word: string, many = `${word}s`): string {
  return `${formatNumber(count)} ${count === 1 ? word : many}`;
}
