/**
 * The analysis fields a report reads from `ReportExperiment.trajectory`.
 *
 * At run time the trajectory usually carries an analysis in core's contract
 * (`TrajectoryAnalysisSchema`, written by `@converge/analyzers`); the types
 * here are views of core's types. `reportTrajectory` keeps each field that is
 * well-formed and finite, one field at a time: a trajectory written by another
 * version or producer, or one with no analysis at all, then degrades to "field
 * absent" instead of a crash, and each reader computes a simple fallback from
 * the records where it can.
 */
import {
  type ChangePoint,
  type Complete,
  type ConvergenceStatus,
  ConvergenceStatusSchema,
  type Efficiency,
  type ImpactDirection,
  type IterationsEstimate,
  type MetricTrend,
  type ParameterEffects,
  ParameterEffectsSchema,
  type ParameterImpact,
  type ReportExperiment,
  type ScoreTrend,
  type SuccessProbability,
  SuccessProbabilitySchema,
  type TrajectoryAnalysis,
} from "@converge/core";
import { nameRecord } from "./own.js";

/** A point where the score's course changed: the iteration, and the statistics that are well-formed. */
export type ReportChangePoint = Pick<ChangePoint, "after_iteration"> &
  Partial<Pick<ChangePoint, "mean_before" | "mean_after" | "p">>;

/** How many more iterations until the gate first passes; `level` and `horizon` are absent in older analyses. */
export type ReportIterationsEstimate = Pick<
  Complete<IterationsEstimate>,
  "estimate" | "low" | "high" | "model"
> &
  Pick<IterationsEstimate, "level" | "horizon" | "reason">;

/** The probability that the gate passes within the iterations ahead. */
export type ReportSuccessProbability = Pick<
  SuccessProbability,
  "probability" | "horizon" | "horizon_source" | "basis" | "by_criterion" | "reason"
>;

export type ReportImpactDirection = ImpactDirection;

/** The estimated effect of one parameter on the score; a missing kind reads as numeric, a missing direction as UNCLEAR. */
export type ReportParameterImpact = Pick<
  Complete<ParameterImpact>,
  "kind" | "impact" | "stderr" | "importance" | "changes" | "direction"
> &
  Pick<ParameterImpact, "current" | "best">;

/** The joint estimate of every parameter's effect. */
export interface ReportParameterEffects {
  parameters: Record<string, ReportParameterImpact>;
  /** Parameter → why it has no estimate. */
  skipped: Record<string, string>;
  method: Exclude<ParameterEffects["method"], undefined> | null;
}

/** Is each iteration worth it; each field present only when well-formed. */
export type ReportEfficiency = Partial<
  Pick<
    Complete<Efficiency>,
    | "best_iteration"
    | "iterations_since_best"
    | "improvement_per_iteration"
    | "improvement_per_cost"
    | "total_cost"
  >
> & {
  /** Best (goal-signed) score after each iteration, one entry per record; NaN before the first score. */
  best_so_far?: number[];
  change_points?: ReportChangePoint[];
};

/** The trend of the score the loop is judged by. */
export type ReportScoreTrend = Pick<
  ScoreTrend,
  "source" | "status" | "reason" | "slope" | "slope_low" | "slope_high" | "p"
>;

/** The trend of one metric. */
export type ReportMetricTrend = Pick<
  MetricTrend,
  "role" | "goal" | "status" | "reason" | "improvement_rate" | "n" | "constant"
>;

/** The analysis fields a report reads; each is present only when well-formed. */
export type ReportTrajectory = Partial<
  Pick<
    TrajectoryAnalysis,
    | "convergence_status"
    | "distance_to_goal"
    | "estimated_iterations_to_success"
    | "distance_by_criterion"
  >
> & {
  /** Shown as written (escaped): any string. */
  gradient_direction?: string;
  score_trend?: ReportScoreTrend;
  metric_trends?: Record<string, ReportMetricTrend>;
  iterations_to_success?: ReportIterationsEstimate;
  /** Absent in analyses written before the success probability existed. */
  success_probability?: ReportSuccessProbability;
  parameter_effects?: ReportParameterEffects;
  efficiency?: ReportEfficiency;
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
/** A finite number, null when absent or not finite (the analysis' "unknown"). */
const numOrNull = (v: unknown): number | null => (isNum(v) ? v : null);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const status = (v: unknown): ConvergenceStatus | undefined =>
  ConvergenceStatusSchema.safeParse(v).data;

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
  const { horizon_source, basis } = SuccessProbabilitySchema.shape;
  const source = horizon_source.parse(v.horizon_source);
  if (source !== undefined) out.horizon_source = source;
  const predicted = basis.parse(v.basis);
  if (predicted !== undefined) out.basis = predicted;
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
  return {
    parameters,
    skipped,
    method: ParameterEffectsSchema.shape.method.parse(v.method) ?? null,
  };
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
      role: (x) => (x === "objective" || x === "informational" ? x : undefined),
      goal: (x) => (x === "maximize" || x === "minimize" ? x : undefined),
      status,
      constant: (x) => (typeof x === "boolean" ? x : undefined),
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
