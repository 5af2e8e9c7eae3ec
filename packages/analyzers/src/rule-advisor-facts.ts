/**
 * The facts the rule advisor decides on, gathered from the analysis and the
 * records. Pure: no clock, no randomness.
 */
import {
  type ConvergenceStatus,
  canonicalJson,
  type ExperimentRecord,
  ownValue,
} from "@converge/core";
import { iterationsUsed } from "./success-probability.js";
import type { TrajectoryAnalysis } from "./types.js";

/** The rule advisor's options with their defaults filled in. */
export interface RuleSettings {
  /** Iterations without a best-so-far improvement before a plateau or oscillation means PIVOT. */
  patience: number;
  /** Iterations without improvement after which the line of work is abandoned. */
  abandonAfter: number;
  /** The loop's total budget of iterations, when known. */
  maxIterations: number | null;
  /** The rise of the best score that counts as an improvement; null: 1% of the score's scale. */
  minImprovement: number | null;
  /** PIVOT or ABANDON only when the success probability is below this. */
  stopBelow: number;
  /** Iterations the success probability looks ahead when no budget is known. */
  horizon: number;
}

/** One scored iteration. */
export interface ScorePoint {
  /** Position in the records. */
  index: number;
  iteration: number;
  /** Goal-signed score (higher is better). */
  value: number;
}

/** A parameter with a clear effect, and whether the loop moved it the helpful way. */
export interface ParameterMove {
  name: string;
  /** Sign of the estimated effect per unit increase. */
  effect: 1 | -1;
  /** Net change of the parameter from its first to its last value. */
  net: number;
  helped: boolean;
}

/** What the rules look at. */
export interface Facts {
  analysis: TrajectoryAnalysis;
  records: readonly ExperimentRecord[];
  settings: RuleSettings;
  /** How the score is named in text: "gate score", or the objective metric. */
  label: string;
  points: ScorePoint[];
  /** Scored iterations. */
  n: number;
  status: ConvergenceStatus;
  /** The last iteration passes the gate. */
  passing: boolean;
  best: ScorePoint | null;
  /** Iterations since the best score last rose by more than `tolerance`; null without scores. */
  stall: number | null;
  /** Record index of the last improvement by more than `tolerance` (the first score counts). */
  improvedAt: number | null;
  tolerance: number;
  /** Iterations left in the budget; null when the budget is unknown. */
  remaining: number | null;
  /** P(the gate passes within the iterations left, or the horizon); null when there is no goal. */
  probability: number | null;
  overfitHigh: boolean;
  /** Transitions in which any parameter changed. */
  changedTransitions: number;
  /** Numeric parameters with a clear effect (INCREASE / DECREASE) that the loop moved. */
  moves: ParameterMove[];
}

export function scoreLabel(a: TrajectoryAnalysis): string {
  const source = a.score_trend.source;
  if (source === "gate_score") return "gate score";
  const metric = source.startsWith("objective:") ? source.slice("objective:".length) : source;
  return ownValue(a.metric_trends, metric)?.goal === "minimize" ? `-${metric}` : metric;
}

/** A parameter value as a number (booleans as 0/1), else null. */
export function numericValue(value: unknown): number | null {
  if (typeof value === "boolean") return value ? 1 : 0;
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The parameter's numeric values in record order (records without it skipped). */
export function parameterValues(records: readonly ExperimentRecord[], name: string): number[] {
  const out: number[] = [];
  for (const r of records) {
    const v = numericValue(ownValue(r.parameters, name));
    if (v !== null) out.push(v);
  }
  return out;
}

export function gatherFacts(
  analysis: TrajectoryAnalysis,
  records: readonly ExperimentRecord[],
  settings: RuleSettings,
): Facts {
  const history = analysis.score_trend.history;
  const points: ScorePoint[] = [];
  history.forEach((value, index) => {
    if (Number.isFinite(value)) {
      points.push({ index, iteration: records[index]?.iteration ?? index + 1, value });
    }
  });
  const values = points.map((p) => p.value);
  let best: ScorePoint | null = null;
  for (const p of points) if (best === null || p.value > best.value) best = p;

  const tolerance = settings.minImprovement ?? defaultTolerance(analysis, values);
  let stall: number | null = null;
  let improvedAt: number | null = null;
  if (points.length > 0) {
    let reference = (points[0] as ScorePoint).value;
    let lastImproved = (points[0] as ScorePoint).index;
    for (const p of points.slice(1)) {
      if (p.value > reference + tolerance) {
        reference = p.value;
        lastImproved = p.index;
      }
    }
    stall = Math.max(records.length, history.length) - 1 - lastImproved;
    improvedAt = lastImproved;
  }

  const last = records.at(-1);
  const passing =
    analysis.distance_to_goal !== null
      ? analysis.distance_to_goal === 0
      : last?.gate_passed === true;
  const success = analysis.success_probability;
  const remaining =
    settings.maxIterations !== null
      ? settings.maxIterations - iterationsUsed(records)
      : success.horizon_source === "budget"
        ? success.horizon
        : null;
  return {
    analysis,
    records,
    settings,
    label: scoreLabel(analysis),
    points,
    n: points.length,
    status: analysis.score_trend.status,
    passing,
    best,
    stall,
    improvedAt,
    tolerance,
    remaining,
    probability: passing ? 1 : remaining !== null && remaining <= 0 ? 0 : success.probability,
    overfitHigh: analysis.overfitting?.risk === "HIGH",
    changedTransitions: countChangedTransitions(records),
    moves: parameterMoves(analysis, records),
  };
}

/** 0.01 on a gate score; else 1% of the larger of the score's range and its typical size. */
function defaultTolerance(a: TrajectoryAnalysis, values: readonly number[]): number {
  if (a.score_trend.source === "gate_score" || values.length === 0) return 0.01;
  const sorted = [...values].sort((x, y) => x - y);
  const range = (sorted.at(-1) as number) - (sorted[0] as number);
  const median = sorted[sorted.length >> 1] as number;
  return 0.01 * Math.max(range, Math.abs(median)) || 0.01;
}

function countChangedTransitions(records: readonly ExperimentRecord[]): number {
  let count = 0;
  for (let i = 1; i < records.length; i++) {
    const r = records[i] as ExperimentRecord;
    const before = records[i - 1] as ExperimentRecord;
    const stated = Object.keys(r.parameter_changes).length > 0;
    if (stated || canonicalJson(r.parameters) !== canonicalJson(before.parameters)) count++;
  }
  return count;
}

function parameterMoves(a: TrajectoryAnalysis, records: readonly ExperimentRecord[]) {
  const moves: ParameterMove[] = [];
  for (const [name, p] of Object.entries(a.parameter_effects.parameters)) {
    if (p.kind !== "numeric" || p.impact === null || p.direction === "UNCLEAR") continue;
    const values = parameterValues(records, name);
    if (values.length < 2) continue;
    const net = (values.at(-1) as number) - (values[0] as number);
    if (net === 0) continue;
    const effect = p.impact > 0 ? 1 : -1;
    moves.push({ name, effect, net, helped: Math.sign(net) === effect });
  }
  return moves;
}
