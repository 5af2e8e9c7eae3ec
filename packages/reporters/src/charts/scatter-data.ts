/**
 * The data of the parameter scatter: each parameter's values per record, and
 * the scored iterations each panel draws, sampled when there are too many.
 */
import { own } from "../own.js";
import type { ChartData } from "./chart-data.js";
import { chartText } from "./labels.js";

/** How a parameter is drawn: on a numeric axis or as categories. */
export type ParamKind = "numeric" | "categorical";

/** Numbers (and booleans as 0/1) make a numeric parameter; any string a categorical one. */
export function parameterValues(
  data: ChartData,
  name: string,
): { kind: ParamKind; values: (number | string | null)[] } | null {
  let strings = false;
  const values = data.records.map((r) => {
    const v = own(r.parameters, name);
    if (typeof v === "number") return Number.isFinite(v) ? v : null;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "string") {
      strings = true;
      return v;
    }
    return null;
  });
  if (values.every((v) => v === null)) return null;
  if (strings)
    return {
      kind: "categorical",
      values: values.map((v) => (v === null ? null : chartText(String(v)))),
    };
  return { kind: "numeric", values };
}

/** Evenly spread indices plus the best score and the extreme values, ascending. */
function sampleIndices(
  valid: number[],
  scores: number[],
  values: (number | string | null)[],
  max: number,
): number[] {
  if (valid.length <= max) return valid;
  const keep = new Set<number>();
  for (let j = 0; j < max - 3; j++)
    keep.add(valid[Math.round((j * (valid.length - 1)) / (max - 4))] as number);
  const by = (f: (i: number) => number, better: (a: number, b: number) => boolean) =>
    valid.reduce((best, i) => (better(f(i), f(best)) ? i : best), valid[0] as number);
  keep.add(
    by(
      (i) => scores[i] as number,
      (a, b) => a > b,
    ),
  );
  if (typeof values[valid[0] as number] === "number") {
    keep.add(
      by(
        (i) => values[i] as number,
        (a, b) => a < b,
      ),
    );
    keep.add(
      by(
        (i) => values[i] as number,
        (a, b) => a > b,
      ),
    );
  }
  return [...keep].sort((a, b) => a - b);
}

/** One point of the scatter. */
export interface ScatterRow {
  /** The parameter's name, as data (see labels.ts). */
  parameter: string;
  value: number | string;
  score: number;
  iteration: number;
}

/** The panels of a scatter, the kind of the last parameter drawn, and whether any panel was sampled. */
export interface ScatterPanels {
  panels: { name: string; rows: ScatterRow[] }[];
  kind: ParamKind;
  sampled: boolean;
}

/**
 * A panel per named parameter that has values: its scored iterations, at
 * most `max` of them (see `sampleIndices`).
 */
export function scatterPanels(
  data: ChartData,
  names: readonly string[],
  max: number,
): ScatterPanels {
  const scores = data.gateScores ?? [];
  const out: ScatterPanels = { panels: [], kind: "numeric", sampled: false };
  for (const name of names) {
    const p = parameterValues(data, name);
    if (!p) continue;
    out.kind = p.kind;
    const valid: number[] = [];
    p.values.forEach((v, i) => {
      if (v !== null && Number.isFinite(scores[i] as number)) valid.push(i);
    });
    const picked = sampleIndices(valid, scores, p.values, max);
    out.sampled ||= picked.length < valid.length;
    const label = chartText(name);
    out.panels.push({
      name,
      rows: picked.map((i) => ({
        parameter: label,
        value: p.values[i] as number | string,
        score: scores[i] as number,
        iteration: data.iterations[i] as number,
      })),
    });
  }
  return out;
}
