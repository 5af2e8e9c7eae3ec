/**
 * Design matrix for the parameter-impact regression: turns records into score
 * deltas and parameter-delta columns. Internal to `parameter-impact.ts`.
 */
import { nameMap, ownValue } from "@converge/core";

/** One regression column: the deltas of a numeric parameter or of one level's indicator. */
export interface DesignColumn {
  param: string;
  /** The level whose indicator this column differences; absent for numeric parameters. */
  level?: string;
  deltas: Float64Array;
}

/** What the design step learnt about a parameter that got at least one column. */
export interface ParameterInfo {
  kind: "numeric" | "categorical";
  /** Used transitions in which the parameter was present on both sides and changed. */
  changes: number;
  /** Categorical: the level every other level is compared with (the first seen). */
  reference?: string;
  /** Categorical: the level in the last record that has the parameter. */
  current?: string;
}

export interface Design {
  /** Score deltas of the used transitions. */
  y: Float64Array;
  columns: DesignColumn[];
  /** Parameters that got columns, in order of first appearance. */
  info: Map<string, ParameterInfo>;
  /** Parameter -> why it got no column; no prototype (names are data). */
  skipped: Record<string, string>;
}

type Scalar = number | string;

/**
 * A string parameter with more distinct values than this (a run name, a
 * hash) is skipped: one indicator column per level would swamp the fit.
 */
export const MAX_LEVELS = 50;

/** A parameter value as the estimator sees it; undefined means "not present". */
function scalarOf(value: unknown): Scalar | undefined | "nested" {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string") return value;
  if (typeof value === "object") return "nested";
  return undefined;
}

function parametersOf(record: unknown): Record<string, unknown> {
  const p = (record as { parameters?: unknown } | null | undefined)?.parameters;
  return p !== null && typeof p === "object" && !Array.isArray(p)
    ? (p as Record<string, unknown>)
    : {};
}

/** Indices i such that records i-1 and i both have finite scores with a finite difference. */
function usedTransitions(scores: (number | null)[]): { at: number[]; y: Float64Array } {
  const at: number[] = [];
  const dy: number[] = [];
  for (let i = 1; i < scores.length; i++) {
    const a = scores[i - 1];
    const b = scores[i];
    if (a == null || b == null) continue;
    const d = b - a;
    if (!Number.isFinite(d)) continue;
    at.push(i);
    dy.push(d);
  }
  return { at, y: Float64Array.from(dy) };
}

/**
 * Build the design. `scores[i]` is the finite score of record i or null.
 * Numeric values (booleans as 0/1) difference directly; any string among a
 * parameter's values makes it categorical (all its values become levels,
 * numbers by their text). A transition where the parameter is absent (or
 * null) on either side contributes a zero delta for it.
 */
export function buildDesign(records: readonly unknown[], scores: (number | null)[]): Design {
  const { at, y } = usedTransitions(scores);
  const values = records.map(parametersOf);
  const names: string[] = [];
  const seen = new Set<string>();
  for (const p of values)
    for (const name of Object.keys(p))
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }

  const design: Design = { y, columns: [], info: new Map(), skipped: nameMap() };
  for (const name of names) {
    // Own entries only: a record without "constructor" has no such parameter, whatever Object.prototype has.
    const column = values.map((p) => scalarOf(ownValue(p, name)));
    if (column.includes("nested")) {
      design.skipped[name] = "non-scalar value (array or object)";
      continue;
    }
    const present = column as (Scalar | undefined)[];
    const categorical = present.some((v) => typeof v === "string");
    // Categorical values compare by their text, so 3 and "3" are one level.
    const keys = categorical ? present.map(levelOf) : present;
    const first = keys.find((v) => v !== undefined);
    if (first === undefined) {
      design.skipped[name] = "never set (only null values)";
      continue;
    }
    if (keys.every((v) => v === undefined || v === first)) {
      design.skipped[name] = "never changed";
      continue;
    }
    if (categorical) addCategorical(design, name, keys as (string | undefined)[], at);
    else addNumeric(design, name, keys as (number | undefined)[], at);
  }
  return design;
}

function levelOf(v: Scalar | undefined): string | undefined {
  return v === undefined ? undefined : String(v);
}

function addNumeric(
  design: Design,
  name: string,
  column: (number | undefined)[],
  at: number[],
): void {
  const deltas = new Float64Array(at.length);
  let changes = 0;
  for (let r = 0; r < at.length; r++) {
    const i = at[r] as number;
    const a = column[i - 1];
    const b = column[i];
    if (a === undefined || b === undefined) continue;
    const d = b - a;
    if (!Number.isFinite(d)) {
      design.skipped[name] = "values too large to take differences";
      return;
    }
    deltas[r] = d;
    if (d !== 0) changes++;
  }
  if (changes === 0) {
    design.skipped[name] = "not changed between consecutive scored iterations";
    return;
  }
  design.columns.push({ param: name, deltas });
  design.info.set(name, { kind: "numeric", changes });
}

function addCategorical(
  design: Design,
  name: string,
  column: (string | undefined)[],
  at: number[],
): void {
  const seen = new Set<string>();
  for (const v of column) if (v !== undefined) seen.add(v);
  if (seen.size > MAX_LEVELS) {
    design.skipped[name] =
      `more than ${MAX_LEVELS} distinct values (${seen.size}): too many levels`;
    return;
  }
  const levels = [...seen];
  const [reference] = levels as [string, ...string[]];
  // The reference level gets no column: the indicator deltas of all levels sum
  // to zero, so one of them is always redundant.
  const columns = new Map(levels.slice(1).map((l) => [l, new Float64Array(at.length)]));
  let changes = 0;
  for (let r = 0; r < at.length; r++) {
    const i = at[r] as number;
    const a = column[i - 1];
    const b = column[i];
    if (a === undefined || b === undefined || a === b) continue;
    changes++;
    const into = columns.get(b);
    const from = columns.get(a);
    if (into) into[r] = 1;
    if (from) from[r] = -1;
  }
  if (changes === 0) {
    design.skipped[name] = "not changed between consecutive scored iterations";
    return;
  }
  for (const [level, deltas] of columns)
    if (deltas.some((d) => d !== 0)) design.columns.push({ param: name, level, deltas });
  let current: string | undefined;
  for (const v of column) if (v !== undefined) current = v;
  design.info.set(name, { kind: "categorical", changes, reference, current: current as string });
}
