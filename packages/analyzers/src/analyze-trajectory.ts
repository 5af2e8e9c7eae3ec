import {
  type Analyzer,
  ExperimentMetaSchema,
  type ExperimentRecord,
  evaluateGate,
  type GateSpec,
  type GateSpecInput,
  hasName,
  inIterationOrder,
  type MetricSpec,
  type MetricSpecInput,
  MetricSpecsSchema,
  median,
  metricGoal,
  metricRole,
  metricSpan,
  nameMap,
  ownValue,
  parseGate,
  parseOrThrow,
  TRAJECTORY_ANALYSIS_VERSION,
} from "@converge/core";
import { classifySeries, gradientDirection } from "./classify.js";
import { criterionKeys } from "./criterion-keys.js";
import { computeEfficiency } from "./efficiency.js";
import { overfittingGuard } from "./overfitting.js";
import { estimateParameterImpact } from "./parameter-impact.js";
import { olsSlope } from "./stats/index.js";
import {
  experimentBudget,
  iterationsUsed,
  type PredictiveSettings,
  predictPasses,
} from "./success-probability.js";
import type { MetricTrend, ScoreTrend, TrajectoryAnalysis } from "./types.js";

export interface AnalyzeOptions {
  /** Metric directions; names not given default by name (drawdown, loss, ... minimise). */
  metrics?: Record<string, MetricSpecInput>;
  /** The gate, for per-criterion distances and to score records that carry no gate score. */
  gate?: GateSpecInput | null;
  /** Experiment id when there are no records to take it from. */
  experimentId?: string;
  /**
   * The experiment's iteration budget (it stops after this many iterations):
   * `success_probability` is then about the iterations left. Without it, about
   * the next `horizon`.
   */
  maxIterations?: number | null;
  /** Iterations to look ahead when no budget is known. Default 20 (`DEFAULT_HORIZON`). */
  horizon?: number;
  /** The predictive model's priors; the defaults are documented in the README. */
  predictive?: PredictiveSettings;
}

/** The practical effect scale of a metric: its median magnitude, else its range, else 1. */
function metricScale(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  const mid = Math.abs(median(finite));
  const span = metricSpan(finite);
  const range = span.n ? (span.max as number) - (span.min as number) : 0;
  return mid > 1e-12 ? mid : range > 0 ? range : 1;
}

/**
 * The raw statistics of an informational metric (no goal stated): the slopes
 * and the trend test of its own series, but no goal, improvement rate or
 * verdict, since nothing says which way is better.
 */
function informationalTrend(values: readonly number[], constant: boolean): MetricTrend {
  const c = classifySeries(values, { scale: metricScale(values) });
  const ts = c.theilSen;
  const mk = c.mannKendall;
  return {
    role: "informational",
    goal: null,
    n: c.n,
    ols_slope: olsSlope(values).slope,
    theil_sen: {
      slope: ts?.slope ?? null,
      low: ts?.low ?? null,
      high: ts?.high ?? null,
      method: ts?.method ?? "exact",
    },
    mann_kendall: { s: mk?.s ?? 0, z: mk?.z ?? null, p: mk?.p ?? null, exact: mk?.exact ?? false },
    improvement_rate: null,
    status: null,
    reason: "informational: no goal stated (not in the gate, not given maximize or minimize)",
    constant,
  };
}

function metricTrend(values: readonly number[], spec: MetricSpec): MetricTrend {
  const sign = spec.goal === "minimize" ? -1 : 1;
  // A metric's practical effect is 2% of its typical size (its median, else its range).
  const scale = metricScale(values);
  // Classified on the goal-signed series; the raw statistics are its mirror image for "minimize".
  const c = classifySeries(
    values.map((v) => sign * v),
    { scale },
  );
  const ts = c.theilSen;
  const mk = c.mannKendall;
  const raw = (x: number | null) => (x === null ? null : sign * x);
  return {
    role: "objective",
    goal: spec.goal,
    n: c.n,
    ols_slope: olsSlope(values).slope,
    theil_sen: {
      slope: raw(ts?.slope ?? null),
      low: sign > 0 ? (ts?.low ?? null) : raw(ts?.high ?? null),
      high: sign > 0 ? (ts?.high ?? null) : raw(ts?.low ?? null),
      method: ts?.method ?? "exact",
    },
    mann_kendall: {
      s: sign * (mk?.s ?? 0),
      z: raw(mk?.z ?? null),
      p: mk?.p ?? null,
      exact: mk?.exact ?? false,
    },
    improvement_rate: ts?.slope ?? null,
    status: c.status,
    reason: c.reason,
    constant: metricSpan(values).constant,
  };
}

/** The score the loop is judged by: the gate score, else the gate evaluated on the metrics, else the first metric goal-signed. */
function scoreSeries(
  records: readonly ExperimentRecord[],
  gate: GateSpec | null,
  specs: Record<string, MetricSpec>,
): { source: string; scores: number[]; goal: number | undefined } {
  if (records.some((r) => r.gate_score !== null)) {
    return {
      source: "gate_score",
      scores: records.map((r) => r.gate_score ?? Number.NaN),
      goal: 1,
    };
  }
  if (gate) {
    return {
      source: "gate_score",
      scores: records.map((r) => evaluateGate(r.metrics, gate).score),
      goal: 1,
    };
  }
  const name =
    Object.keys(specs).find((m) => records.some((r) => hasName(r.metrics, m))) ??
    Object.keys(records[0]?.metrics ?? {})[0];
  if (name === undefined)
    return { source: "none", scores: records.map(() => Number.NaN), goal: undefined };
  const spec = ownValue(specs, name) ?? { goal: metricGoal(name) };
  const sign = spec.goal === "minimize" ? -1 : 1;
  return {
    source: `objective:${name}`,
    scores: records.map((r) => sign * (ownValue(r.metrics, name) ?? Number.NaN)),
    goal: spec.threshold === undefined ? undefined : sign * spec.threshold,
  };
}

/**
 * Every metric's history, trend and OLS rate, keyed by name in order of first
 * appearance. Only objectives (`metricRole`: a spec, a gate criterion, or the
 * score's own metric) are judged; the others get their raw statistics only.
 */
function metricTrends(
  records: readonly ExperimentRecord[],
  specs: Record<string, MetricSpec>,
  gate: GateSpec | null,
  scoreMetric: string | null,
) {
  // Own keys in order of first appearance (a Set keeps insertion order).
  const names = new Set<string>();
  for (const r of records) for (const name of Object.keys(r.metrics)) names.add(name);
  const metric_history = nameMap<number[]>();
  const improvement_rates = nameMap<number>();
  const metric_trends = nameMap<MetricTrend>();
  for (const name of names) {
    const values = records.map((r) => ownValue(r.metrics, name) ?? Number.NaN);
    metric_history[name] = values;
    const role = metricRole(name, { metrics: specs, gate, scoreMetric });
    const trend =
      role.goal === null
        ? informationalTrend(values, metricSpan(values).constant)
        : metricTrend(values, { ...ownValue(specs, name), goal: role.goal });
    metric_trends[name] = trend;
    improvement_rates[name] = trend.ols_slope ?? 0;
  }
  return { metric_history, improvement_rates, metric_trends };
}

/** How far the last record is from passing: per criterion when the gate is known, overall as the weighted mean. */
function distances(last: ExperimentRecord | undefined, gate: GateSpec | null) {
  const distance_by_criterion = nameMap<number>();
  let distance_to_goal: number | null = null;
  if (gate && last) {
    const result = evaluateGate(last.metrics, gate);
    const keys = criterionKeys(gate);
    result.criteria.forEach((cr, i) => {
      distance_by_criterion[keys[i] as string] = cr.distance;
    });
    const required = result.criteria.filter((cr) => cr.required);
    const weight = required.reduce((s, cr) => s + cr.weight, 0);
    distance_to_goal =
      weight === 0 ? 0 : required.reduce((s, cr) => s + cr.weight * cr.distance, 0) / weight;
  } else if (last?.gate_passed) {
    distance_to_goal = 0;
  } else if (last && last.gate_score !== null) {
    // Without the gate spec only the score is known: its shortfall stands in for the distance.
    distance_to_goal = Math.max(0, 1 - last.gate_score);
  }
  return { distance_by_criterion, distance_to_goal };
}

/** Parameter effects on the score, and the flat impact map (categorical levels as `name=level`). */
function parameterEffects(records: readonly ExperimentRecord[], scores: readonly number[]) {
  const scoreOf = new Map(records.map((r, i) => [r, scores[i] as number]));
  const parameter_effects = estimateParameterImpact(records, {
    score: (r) => {
      const s = scoreOf.get(r);
      return s === undefined || !Number.isFinite(s) ? null : s;
    },
  });
  const parameter_impact = nameMap<number>();
  for (const [p, e] of Object.entries(parameter_effects.parameters)) {
    if (e.kind === "numeric" && e.impact !== null) parameter_impact[p] = e.impact;
    if (e.kind === "categorical")
      for (const [level, v] of Object.entries<number>(e.levels ?? {}))
        parameter_impact[`${p}=${level}`] = v;
  }
  return { parameter_effects, parameter_impact };
}

/** The options validated: bad ones throw a `ValidationError`. */
function parseOptions(options: AnalyzeOptions) {
  const specs = parseOrThrow(MetricSpecsSchema, options.metrics ?? {}, "metrics") as Record<
    string,
    MetricSpec
  >;
  const gate = options.gate ? parseGate(options.gate) : null;
  const wholeNumber = ExperimentMetaSchema.shape.max_iterations;
  const maxIterations = parseOrThrow(wholeNumber, options.maxIterations ?? null, "maxIterations");
  const horizon = parseOrThrow(wholeNumber, options.horizon ?? null, "horizon");
  return { specs, gate, maxIterations, horizon };
}

/**
 * Analyses an experiment's records: the `ExperimentTrajectory` of the record
 * format (docs/record-format.md) with correct statistics, and the evidence
 * behind it. Records are taken in iteration order whatever order they come
 * in, one per iteration (of duplicates the first given counts:
 * `inIterationOrder`). Names are data: a
 * metric or parameter called `toString` or `__proto__` is analysed like any
 * other, and every map in the result has no prototype. Works from 0 records
 * up; never throws on degenerate data (bad options are a `ValidationError`).
 * See the package README for every field's definition.
 */
export function analyzeTrajectory(
  given: readonly ExperimentRecord[],
  options: AnalyzeOptions = {},
): TrajectoryAnalysis {
  const records = inIterationOrder(given);
  const { specs, gate, maxIterations, horizon } = parseOptions(options);
  const { source, scores, goal } = scoreSeries(records, gate, specs);
  const scoreMetric = source.startsWith("objective:") ? source.slice("objective:".length) : null;
  const { metric_history, improvement_rates, metric_trends } = metricTrends(
    records,
    specs,
    gate,
    scoreMetric,
  );

  const c = classifySeries(scores, goal === undefined ? {} : { goal });
  const score_trend: ScoreTrend = {
    source,
    history: scores,
    status: c.status,
    reason: c.reason,
    slope: c.slope,
    slope_low: c.slopeLow,
    slope_high: c.slopeHigh,
    p: c.p,
  };

  const last = records.at(-1);
  const { distance_by_criterion, distance_to_goal } = distances(last, gate);
  const lastScore = scores.at(-1);
  const passing =
    distance_to_goal !== null
      ? distance_to_goal === 0
      : last?.gate_passed === true ||
        (goal !== undefined && lastScore !== undefined && lastScore >= goal);
  const prediction = predictPasses({
    records,
    gate,
    score: { source, scores, goal },
    passing,
    remaining: maxIterations === null ? null : Math.max(0, maxIterations - iterationsUsed(records)),
    ...(horizon !== null && { horizon }),
    improving: c.status === "CONVERGING",
    ...(options.predictive && { settings: options.predictive }),
  });
  const eta = prediction.eta;
  const { parameter_effects, parameter_impact } = parameterEffects(records, scores);
  const efficiency = computeEfficiency(records, scores, c.slope);
  return {
    experiment_id: records[0]?.experiment_id ?? options.experimentId ?? "",
    total_iterations: records.length,
    metric_history,
    improvement_rates,
    convergence_status: c.status,
    gradient_direction: gradientDirection(c),
    distance_to_goal,
    estimated_iterations_to_success: eta.estimate,
    parameter_impact,
    metric_trends,
    score_trend,
    distance_by_criterion,
    iterations_to_success: eta,
    success_probability: prediction.success,
    parameter_effects,
    efficiency,
    overfitting: overfittingGuard(records, efficiency.best_iteration),
    analysis_version: TRAJECTORY_ANALYSIS_VERSION,
  };
}

/** Settings of `trajectoryAnalyzer`. */
export type TrajectoryAnalyzerOptions = Pick<AnalyzeOptions, "horizon" | "predictive">;

/**
 * The trajectory analysis as a core `Analyzer` plugin: fills every field of
 * the trajectory. The budget comes from the running loop that asks, else
 * from the experiment's meta (`max_iterations`).
 */
export function trajectoryAnalyzer(options: TrajectoryAnalyzerOptions = {}): Analyzer {
  return {
    specificationVersion: "v1",
    name: "trajectory",
    analyze: ({ records, gate, metrics, meta, loop }) =>
      analyzeTrajectory(records, {
        ...options,
        gate,
        metrics,
        experimentId: meta.experiment_id,
        maxIterations: experimentBudget(records, loop, meta),
      }),
  };
}

/** The analyzers a tracker wants by default: `createTracker({ store, analyzers: defaultAnalyzers() })`. */
export function defaultAnalyzers(options: TrajectoryAnalyzerOptions = {}): Analyzer[] {
  return [trajectoryAnalyzer(options)];
}
