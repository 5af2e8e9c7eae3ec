import { canonicalJson } from "@converge/core";
import { MlflowError } from "./errors.js";

/** The server's limits on one `runs/log-batch` request and on keys and values (MLflow 2.17+). */
export const LIMITS = {
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entitiesPerBatch: 1000,
  /** The server refuses bodies over 1 MB; we stay under with a margin. */
  batchBytes: 900_000,
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
} as const;

const KEY_RE = /^[/\w.\- :]*$/;

/** Why `key` is not a valid MLflow param / metric / tag key, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return "keys cannot be empty";
  if (key.length > LIMITS.keyLength)
    return `keys are at most ${LIMITS.keyLength} characters (this one has ${key.length})`;
  if (!KEY_RE.test(key))
    return "keys may only contain letters, digits, '_', '-', '.', ' ', ':' and '/' (MLflow's rule ^[/\\w.\\- :]*$)";
  if (
    key.startsWith("/") ||
    key.endsWith("/") ||
    key.split("/").some((s) => s === "" || s === "." || s === "..")
  )
    return "keys are used as file paths by MLflow: no leading or trailing '/', no '//', no '.' or '..' segments";
  return undefined;
}

/** Throws an `MlflowError` naming the key and the rule when it is not valid. */
export function checkKey(kind: "param" | "metric" | "tag", key: string): void {
  const problem = keyProblem(key);
  if (problem) {
    throw new MlflowError(`Invalid MLflow ${kind} key ${JSON.stringify(key)}: ${problem}.`, {
      errorCode: "INVALID_PARAMETER_VALUE",
      hint: `rename the ${kind} (mlflowStore renames such keys itself; see the README's sanitisation rules)`,
    });
  }
}

/**
 * The one string form of a parameter value: strings as they are, everything
 * else as canonical JSON (sorted keys, no spaces): `7` → "7", `0.1` → "0.1",
 * `true` → "true", `null` → "null", `[1,2]` → "[1,2]". The same value always
 * gives the same text, so re-logging it never meets "Changing param values is
 * not allowed".
 */
export function canonicalParamValue(value: unknown): string {
  if (typeof value === "string") return value;
  return canonicalJson(value) ?? String(value);
}

/** A metric value as MLflow's JSON wants it: non-finite numbers as "NaN" / "Infinity" / "-Infinity". */
export function encodeMetricValue(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

const DOUBLE_MAX = 1.7976931348623157e308;

/** A metric value as read back: "NaN" → NaN, ±1.7976931348623157e308 (how ±Infinity is stored) → ±Infinity. */
export function decodeMetricValue(v: unknown): number {
  if (typeof v === "number") {
    if (v >= DOUBLE_MAX) return Number.POSITIVE_INFINITY;
    if (v <= -DOUBLE_MAX) return Number.NEGATIVE_INFINITY;
    return v;
  }
  if (v === "NaN" || v === null || v === undefined) return Number.NaN;
  if (v === "Infinity") return Number.POSITIVE_INFINITY;
  if (v === "-Infinity") return Number.NEGATIVE_INFINITY;
  const n = Number(v);
  return Number.isNaN(n) ? Number.NaN : decodeMetricValue(n);
}
