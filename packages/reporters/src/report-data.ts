/**
 * The analysis fields a report reads from `ReportExperiment.trajectory`.
 *
 * At run time the trajectory usually carries the output of the trajectory
 * analyzer (`@converge/analyzers`), but a plugin never imports another plugin:
 * the shapes are declared here structurally, every field optional, and
 * `reportTrajectory` keeps only what is well-formed. A trajectory read from a
 * file written by another version, or one with no analysis at all, then
 * degrades to "field absent" instead of a crash, and each reader computes a
 * simple fallback from the records where it can.
 */
import type { ConvergenceStatus, MetricGoal, ReportExperiment } from "@converge/core";
import { nameRecord } from "./own.js";

/** A point where the score's course changed (Pettitt). */
export interface ReportChangePoint {
  /** Iteration number of the last iteration before the change. */
  after_iteration: number;
  /** Mean score before and after the change, when known. */
  mean_before?: number;
  mean_after?: number;
  /** The test's p-value, when known. */
  p?: number;
}

/** How many more iterations until the gate first passes. */
export interface ReportIterationsEstimate {
  /** The median (0 when passing); null when no estimate. */
  estimate: number | null;
  /** Lower end of the range. */
  low: number | null;
  /** Upper end; null when it never gets there or is unknown. */
  high: number | null;
  /**
   * The probability that the number lies in [low, high] (0.8 for a central
   * 80% range), given that the gate passes within `horizon`. Absent in
   * analyses written before the range had a stated level: show no level then.
   */
  level?: number;
  /** The range is over the predicted futures that pass within this many iterations; null or absent when unknown. */
  horizon?: number | null;
  /** The model behind it ("predictive"; older analyses: "linear", "saturating"), when known. */
  model: string | null;
  reason?: string;
}

/** The probability that the gate passes within the iterations ahead. */
export interface ReportSuccessProbability {
  /** P(the gate passes at least once within `horizon` iterations), in [0, 1]; null when there is no goal. */
  probability: number | null;
  /** Iterations looked ahead. */
  horizon: number;
  /**
   * "budget": `horizon` is what is left of the loop's budget; "default": no
   * budget was known. Absent when the analysis named another source.
   */
  horizon_source?: "budget" | "default";
  /** What was predicted ("criteria", "gate_score", "objective", "none"), when known. */
  basis?: string;
  /** Per criterion (keys as in `distance_by_criterion`): P(it alone passes within the horizon). */
  by_criterion?: Record<string, number>;
  reason?: string;
}

export type ReportImpactDirection = "INCREASE" | "DECREASE" | "UNCLEAR";

/** The estimated effect of one parameter on the score. */
export interface ReportParameterImpact {
  kind: "numeric" | "categorical";
  /** Numeric: score change per unit increase; categorical: change from `current` to `best`. */
  impact: number | null;
  stderr: number | null;
  /** Standardised effect, comparable across parameters. */
  importance: number | null;
  /** Transitions in which the parameter changed. */
  changes: number;
  direction: ReportImpactDirection;
  /** Categorical: the level in use and the level with the highest estimated effect. */
  current?: string;
  best?: string;
}

/** The joint estimate of every parameter's effect. */
export interface ReportParameterEffects {
  parameters: Record<string, ReportParameterImpact>;
  /** Parameter → why it has no estimate. */
  skipped: Record<string, string>;
  method: string | null;
}

/** Is each iteration worth it. */
export interface ReportEfficiency {
  /** Best (goal-signed) score after each iteration, one entry per record. */
  best_so_far?: number[];
  change_points?: ReportChangePoint[];
  best_iteration?: number | null;
  iterations_since_best?: number | null;
  improvement_per_iteration?: number | null;
  improvement_per_cost?: number | null;
  total_cost?: number;
}

/** The trend of the score the loop is judged by. */
export interface ReportScoreTrend {
  /** "gate_score", or "objective:<metric>" when the records carry no gate score. */
  source?: string;
  status?: ConvergenceStatus;
  reason?: string;
  slope?: number | null;
  slope_low?: number | null;
  slope_high?: number | null;
  p?: number | null;
}

/** The trend of one metric. */
export interface ReportMetricTrend {
  goal?: MetricGoal;
  status?: ConvergenceStatus;
  reason?: string;
  /** Robust slope per iteration signed so that positive means better. */
  improvement_rate?: number | null;
  n?: number;
}

/** The analysis fields a report reads; each is present only when well-formed. */
export interface ReportTrajectory {
  convergence_status?: ConvergenceStatus;
  gradient_direction?: string;
  distance_to_goal?: number | null;
  estimated_iterations_to_success?: number | null;
  score_trend?: ReportScoreTrend;
  metric_trends?: Record<string, ReportMetricTrend>;
  /** Normalised distance of each gate criterion at the last iteration. */
  distance_by_criterion?: Record<string, number>;
  iterations_to_success?: ReportIterationsEstimate;
  /** Absent in analyses written before the success probability existed. */
  success_probability?: ReportSuccessProbability;
  parameter_effects?: ReportParameterEffects;
  efficiency?: ReportEfficiency;
}

const STATUSES: readonly string[] = [
  "CONVERGING",
  "DIVERGING",
  "OSCILLATING",
  "STAGNANT",
  "INSUFFICIENT_DATA",
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
/** A finite number, null when absent or not finite (the analysis' "unknown"). */
const numOrNull = (v: unknown): number | null => (isNum(v) ? v : null);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const status = (v: unknown): ConvergenceStatus | undefined =>
  typeof v === "string" && STATUSES.includes(v) ? (v as ConvergenceStatus) : undefined;

/** Copies the listed keys whose values pass `keep`, skipping the rest. */
function pick<T extends object>(src: Obj, entries: Record<string, (v: unknown) => unknown>): T {
  const out: Obj = {};
  for (const [key, read] of Object.entries(entries)) {
    if (!Object.hasOwn(src, key)) continue;
    const v = read(src[key]);
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}

const optNumOrNull = (v: unknown) => (v === null || isNum(v) ? v : undefined);

function changePoints(v: unknown): ReportChangePoint[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: ReportChangePoint[] = [];
  for (const c of v) {
    if (!isObj(c) || !isNum(c.after_iteration)) continue;
    out.push(
      pick<ReportChangePoint>(c, {
        after_iteration: (x) => x,
        mean_before: (x) => (isNum(x) ? x : undefined),
        mean_after: (x) => (isNum(x) ? x : undefined),
        p: (x) => (isNum(x) ? x : undefined),
      }),
    );
  }
  return out;
}

function efficiency(v: unknown): ReportEfficiency | undefined {
  if (!isObj(v)) return undefined;
  return pick<ReportEfficiency>(v, {
    // NaN (JSON null) marks "no score yet"; keep the positions.
    best_so_far: (x) => (Array.isArray(x) ? x.map((n) => (isNum(n) ? n : Number.NaN)) : undefined),
    change_points: changePoints,
    best_iteration: optNumOrNull,
    iterations_since_best: optNumOrNull,
    improvement_per_iteration: optNumOrNull,
    improvement_per_cost: optNumOrNull,
    total_cost: (x) => (isNum(x) ? x : undefined),
  });
}

function iterationsEstimate(v: unknown): ReportIterationsEstimate | undefined {
  if (!isObj(v) || !(v.estimate === null || isNum(v.estimate))) return undefined;
  const out: ReportIterationsEstimate = {
    estimate: numOrNull(v.estimate),
    low: numOrNull(v.low),
    high: numOrNull(v.high),
    model: str(v.model) ?? null,
  };
  if (isNum(v.level) && v.level > 0 && v.level <= 1) out.level = v.level;
  if (v.horizon === null || (isNum(v.horizon) && v.horizon >= 0)) out.horizon = v.horizon;
  const reason = str(v.reason);
  if (reason !== undefined) out.reason = reason;
  return out;
}

const isProbability = (v: unknown): v is number => isNum(v) && v >= 0 && v <= 1;

function successProbability(v: unknown): ReportSuccessProbability | undefined {
  // Without a usable probability and horizon there is nothing to say "P(pass within N) p" with.
  if (!isObj(v) || !(v.probability === null || isProbability(v.probability))) return undefined;
  if (!isNum(v.horizon) || v.horizon < 0) return undefined;
  const out: ReportSuccessProbability = { probability: v.probability, horizon: v.horizon };
  if (v.horizon_source === "budget" || v.horizon_source === "default") {
    out.horizon_source = v.horizon_source;
  }
  const basis = str(v.basis);
  if (basis !== undefined) out.basis = basis;
  if (isObj(v.by_criterion)) {
    const by = nameRecord<number>();
    for (const [k, p] of Object.entries(v.by_criterion)) if (isProbability(p)) by[k] = p;
    out.by_criterion = by;
  }
  const reason = str(v.reason);
  if (reason !== undefined) out.reason = reason;
  return out;
}

function parameterImpact(v: unknown): ReportParameterImpact | undefined {
  if (!isObj(v)) return undefined;
  const direction = v.direction;
  const out: ReportParameterImpact = {
    kind: v.kind === "categorical" ? "categorical" : "numeric",
    impact: numOrNull(v.impact),
    stderr: numOrNull(v.stderr),
    importance: numOrNull(v.importance),
    changes: isNum(v.changes) ? v.changes : 0,
    direction: direction === "INCREASE" || direction === "DECREASE" ? direction : "UNCLEAR",
  };
  const current = str(v.current);
  const best = str(v.best);
  if (current !== undefined) out.current = current;
  if (best !== undefined) out.best = best;
  return out;
}

function parameterEffects(v: unknown): ReportParameterEffects | undefined {
  if (!isObj(v) || !isObj(v.parameters)) return undefined;
  const parameters = nameRecord<ReportParameterImpact>();
  for (const [name, p] of Object.entries(v.parameters)) {
    const impact = parameterImpact(p);
    if (impact) parameters[name] = impact;
  }
  const skipped = nameRecord<string>();
  if (isObj(v.skipped))
    for (const [name, why] of Object.entries(v.skipped))
      if (typeof why === "string") skipped[name] = why;
  return { parameters, skipped, method: str(v.method) ?? null };
}

function numberRecord(v: unknown): Record<string, number> | undefined {
  if (!isObj(v)) return undefined;
  const out = nameRecord<number>();
  for (const [k, n] of Object.entries(v)) if (isNum(n)) out[k] = n;
  return out;
}

function metricTrends(v: unknown): Record<string, ReportMetricTrend> | undefined {
  if (!isObj(v)) return undefined;
  const out = nameRecord<ReportMetricTrend>();
  for (const [name, t] of Object.entries(v)) {
    if (!isObj(t)) continue;
    out[name] = pick<ReportMetricTrend>(t, {
      goal: (x) => (x === "maximize" || x === "minimize" ? x : undefined),
      status,
      reason: str,
      improvement_rate: optNumOrNull,
      n: (x) => (isNum(x) ? x : undefined),
    });
  }
  return out;
}

function scoreTrend(v: unknown): ReportScoreTrend | undefined {
  if (!isObj(v)) return undefined;
  return pick<ReportScoreTrend>(v, {
    source: str,
    status,
    reason: str,
    slope: optNumOrNull,
    slope_low: optNumOrNull,
    slope_high: optNumOrNull,
    p: optNumOrNull,
  });
}

/**
 * The analysis fields of an experiment's trajectory that are well-formed,
 * typed; an empty object when the experiment has no trajectory. Never throws.
 *
 * @param experiment the experiment whose `trajectory` to read
 * @returns the fields present and well-formed (malformed ones are left out)
 */
export function reportTrajectory(
  experiment: Pick<ReportExperiment, "trajectory">,
): ReportTrajectory {
  const t: unknown = experiment.trajectory;
  if (!isObj(t)) return {};
  return pick<ReportTrajectory>(t, {
    convergence_status: status,
    gradient_direction: str,
    distance_to_goal: optNumOrNull,
    estimated_iterations_to_success: optNumOrNull,
    score_trend: scoreTrend,
    metric_trends: metricTrends,
    distance_by_criterion: numberRecord,
    iterations_to_success: iterationsEstimate,
    success_probability: successProbability,
    parameter_effects: parameterEffects,
    efficiency,
  });
}
