/**
 * The probability that the gate passes within the iterations ahead, and when:
 * one predictive model (per-criterion damped trends with their uncertainty,
 * noise and breakthroughs, see predictive-model.ts and predictive-paths.ts)
 * gives both `success_probability` and `iterations_to_success`.
 */
import {
  type Complete,
  type SuccessProbability as CoreSuccessProbability,
  criterionScale,
  type ExperimentMeta,
  type ExperimentRecord,
  type GateCriterion,
  type GateSpec,
  type LoopProgress,
  nameMap,
  ownValue,
  seededRandom,
} from "@converge/core";
import { criterionKeys } from "./criterion-keys.js";
import type { IterationsEstimate } from "./eta.js";
import {
  type DampedTrendPrior,
  DEFAULT_DAMPED_TREND_PRIOR,
  sampleDampedTrend,
} from "./predictive-model.js";
import {
  type BreakthroughPrior,
  type CriterionForecastInput,
  DEFAULT_BREAKTHROUGH_PRIOR,
  forecastPasses,
  type PassRegion,
} from "./predictive-paths.js";

/** Iterations looked ahead when no budget is known. */
export const DEFAULT_HORIZON = 20;
/** The level of the `iterations_to_success` range. */
export const ETA_LEVEL = 0.8;
/** See `PredictiveSettings.etaIntervalMass`. */
export const ETA_INTERVAL_MASS = 0.65;
/** The ETA looks at least this far ahead, so that a loop short of budget still learns when it would pass. */
export const ETA_MIN_HORIZON = 50;
/** The model reads the most recent iterations only: the recent course is what predicts the next ones. */
export const PREDICTIVE_WINDOW = 40;
const MAX_STEPS = 400;
/** Below this chance of passing within its horizon, a loop that is not improving gets no ETA. */
const ETA_MIN_MASS = 0.05;
const DRAWS = 800;
const FORECAST_FLOOR = 0.001;

/** The probability that the gate passes within the horizon: core's `SuccessProbability` with every field present. */
export type SuccessProbability = Complete<CoreSuccessProbability>;

/** The model's settings; the defaults are documented in the package README. */
export interface PredictiveSettings {
  trend?: DampedTrendPrior;
  breakthrough?: BreakthroughPrior;
  /**
   * The model's central probability mass that the stated `ETA_LEVEL` range
   * spans. Default `ETA_INTERVAL_MASS`: chosen on the benchmark's tuning loops
   * so that the range holds the truth `ETA_LEVEL` of the time.
   */
  etaIntervalMass?: number;
}

/** An experiment to predict: its records, gate or score, and what is left. */
export interface PredictionInput extends Omit<ForecastContext, "basis" | "unpredictable"> {
  records: readonly ExperimentRecord[];
  gate: GateSpec | null;
  /** The score series and goal of the analysis, for experiments without a gate spec. */
  score: { source: string; scores: readonly number[]; goal: number | undefined };
}

function regionOf(c: GateCriterion, scale: number): PassRegion {
  if (Array.isArray(c.threshold))
    return { kind: "between", low: c.threshold[0] / scale, high: c.threshold[1] / scale };
  const bound = (c.threshold as number) / scale;
  return c.op === ">=" || c.op === ">" ? { kind: "above", bound } : { kind: "below", bound };
}

/** Iterations an experiment has used: its records, or the last iteration number if higher. */
export function iterationsUsed(records: readonly ExperimentRecord[]): number {
  return Math.max(records.length, records.at(-1)?.iteration ?? 0);
}

/**
 * The experiment's iteration budget: a running loop's (counted from the
 * experiment's start, as the loop may have begun after earlier records), else
 * the meta's `max_iterations`; null when neither is known.
 */
export function experimentBudget(
  records: readonly ExperimentRecord[],
  loop: LoopProgress | undefined,
  meta: Pick<ExperimentMeta, "max_iterations">,
): number | null {
  return loop
    ? records.length - loop.iteration + loop.maxIterations
    : (meta.max_iterations ?? null);
}

/**
 * The last `PREDICTIVE_WINDOW` positions of a series of `length` with a
 * finite value, as offsets (≤ 0) from the last position and values / `scale`.
 */
export function windowed(
  length: number,
  valueAt: (index: number) => number | undefined,
  scale: number,
): { offsets: number[]; values: number[] } {
  const offsets: number[] = [];
  const values: number[] = [];
  const last = length - 1;
  for (let i = Math.max(0, length - PREDICTIVE_WINDOW); i <= last; i++) {
    const v = valueAt(i);
    if (v !== undefined && Number.isFinite(v)) {
      offsets.push(i - last);
      values.push(v / scale);
    }
  }
  return { offsets, values };
}

function seriesToPredict(input: PredictionInput): {
  basis: SuccessProbability["basis"];
  series: ForecastSeries[];
  unpredictable: string[];
} {
  const { records, gate, score } = input;
  if (gate) {
    const keys = criterionKeys(gate);
    const series: ForecastSeries[] = [];
    const unpredictable: string[] = [];
    gate.criteria.forEach((c, k) => {
      if (!c.required) return;
      const scale = criterionScale(c);
      const s = windowed(records.length, (i) => ownValue(records[i]?.metrics, c.metric), scale);
      const key = keys[k] as string;
      if (s.values.length === 0) unpredictable.push(key);
      else series.push({ key, ...s, observed: records.length, region: regionOf(c, scale) });
    });
    return { basis: "criteria", series, unpredictable };
  }
  if (score.goal === undefined || score.source === "none") {
    return { basis: "none", series: [], unpredictable: [] };
  }
  const scale = Math.abs(score.goal) || 1;
  const s = windowed(records.length, (i) => score.scores[i], scale);
  const basis = score.source === "gate_score" ? "gate_score" : "objective";
  const key =
    score.source === "gate_score" ? "gate_score" : score.source.slice("objective:".length);
  return {
    basis,
    series: s.values.length
      ? [
          {
            key,
            ...s,
            observed: records.length,
            region: { kind: "above", bound: score.goal / scale },
          },
        ]
      : [],
    unpredictable: s.values.length ? [] : [key],
  };
}

const fmt = (x: number) => (x < 0.001 && x > 0 ? "< 0.001" : x.toFixed(3));

/** How a prediction is framed: what is left, and what the loop looks like. */
export interface ForecastContext {
  basis: SuccessProbability["basis"];
  /** Whether the last iteration passes. */
  passing: boolean;
  /** Iterations left in the budget; null when no budget is known. */
  remaining: number | null;
  /** Iterations to look ahead without a budget. Default `DEFAULT_HORIZON`. */
  horizon?: number;
  /** The score is improving (CONVERGING): the ETA then never gives up. */
  improving: boolean;
  /** Series that cannot be predicted yet (no finite value), named in the reason. */
  unpredictable?: readonly string[];
  settings?: PredictiveSettings;
}

/** One series to forecast: observations at offsets (≤ 0) from now, in scale units, and where it passes. */
export interface ForecastSeries {
  key: string;
  /** Iterations observed in all (not only in the window): how long the loop has gone without a breakthrough. */
  observed: number;
  offsets: readonly number[];
  values: readonly number[];
  region: PassRegion;
}

/**
 * `success_probability` and `iterations_to_success` for an experiment's
 * records, from one predictive model. Deterministic: the same records give
 * the same numbers.
 */
export function predictPasses(input: PredictionInput): GateForecast {
  const { basis, series, unpredictable } = seriesToPredict(input);
  return forecastGate(series, {
    basis,
    passing: input.passing,
    remaining: input.remaining,
    ...(input.horizon !== undefined && { horizon: input.horizon }),
    improving: input.improving,
    unpredictable,
    ...(input.settings && { settings: input.settings }),
  });
}

/** What `forecastGate` returns. */
type GateForecast = { success: SuccessProbability; eta: IterationsEstimate };

/** How far a forecast looks, where that comes from, and how its reason says it. */
interface ForecastHorizon {
  horizon: number;
  horizon_source: SuccessProbability["horizon_source"];
  within: string;
}

function forecastHorizon(context: ForecastContext): ForecastHorizon {
  const fromBudget = context.remaining !== null;
  const horizon = Math.max(
    0,
    Math.floor(fromBudget ? (context.remaining as number) : (context.horizon ?? DEFAULT_HORIZON)),
  );
  return {
    horizon,
    horizon_source: fromBudget ? "budget" : "default",
    within: fromBudget
      ? `the ${horizon} iteration${horizon === 1 ? "" : "s"} left`
      : `the next ${horizon} iterations (no budget known)`,
  };
}

/** The answer without a model: the loop passes already, or there is nothing to forecast; else null. */
function forecastWithoutModel(
  series: readonly ForecastSeries[],
  context: ForecastContext,
  { horizon, horizon_source }: ForecastHorizon,
): GateForecast | null {
  const { basis } = context;
  const unpredictable = context.unpredictable ?? [];
  const nothing = (reason: string, probability: number | null): GateForecast => ({
    success: { probability, horizon, horizon_source, basis, by_criterion: nameMap(), reason },
    eta: {
      estimate: null,
      low: null,
      high: null,
      level: ETA_LEVEL,
      horizon: null,
      model: null,
      reason,
    },
  });
  if (context.passing) {
    const reason = "the last iteration passes the gate";
    return {
      success: { probability: 1, horizon, horizon_source, basis, by_criterion: nameMap(), reason },
      eta: { estimate: 0, low: 0, high: 0, level: ETA_LEVEL, horizon: 0, model: null, reason },
    };
  }
  if (basis === "none")
    return nothing("no goal to reach: give the metric a threshold or the run a gate", null);
  if (series.length === 0) {
    return unpredictable.length
      ? nothing(`no finite value yet of ${unpredictable.join(", ")}`, null)
      : nothing("no required criterion to predict", 1);
  }
  return null;
}

/**
 * The simulated futures of the series over `steps` iterations (at least the
 * horizon): the first-passage distribution, each criterion's chance within
 * the horizon, and the mass of passing within `steps`.
 */
function simulate(series: readonly ForecastSeries[], context: ForecastContext, horizon: number) {
  const settings = context.settings ?? {};
  const breakthrough = settings.breakthrough ?? DEFAULT_BREAKTHROUGH_PRIOR;
  const rnd = seededRandom(0x5eed);
  const criteria: CriterionForecastInput[] = series.map((s) => ({
    draws: sampleDampedTrend(
      s.offsets,
      s.values,
      DRAWS,
      rnd,
      settings.trend ?? DEFAULT_DAMPED_TREND_PRIOR,
    ),
    region: s.region,
  }));
  let steps = Math.min(MAX_STEPS, Math.max(horizon, ETA_MIN_HORIZON));
  let observed = Number.NEGATIVE_INFINITY;
  for (const s of series) if (s.observed > observed) observed = s.observed;
  let forecast = forecastPasses(criteria, steps, horizon, rnd, breakthrough, observed);
  let mass = sum(forecast.firstPass, steps);
  // An improving loop always gets an ETA: look further ahead until passing is plausible.
  while (context.improving && mass < 0.5 && steps < MAX_STEPS) {
    steps = Math.min(MAX_STEPS, steps * 2);
    forecast = forecastPasses(criteria, steps, horizon, rnd, breakthrough, observed);
    mass = sum(forecast.firstPass, steps);
  }
  return { forecast, steps, mass };
}

/** The forecast behind `predictPasses`, for series prepared by the caller. */
export function forecastGate(
  series: readonly ForecastSeries[],
  context: ForecastContext,
): GateForecast {
  const { basis } = context;
  const unpredictable = context.unpredictable ?? [];
  const h = forecastHorizon(context);
  const early = forecastWithoutModel(series, context, h);
  if (early) return early;
  const { horizon, horizon_source } = h;
  const { forecast, steps, mass } = simulate(series, context, horizon);
  const probability = horizon === 0 ? 0 : bounded(sum(forecast.firstPass, horizon));
  const by_criterion = nameMap<number>();
  series.forEach((s, k) => {
    by_criterion[s.key] = horizon === 0 ? 0 : bounded(forecast.byCriterion[k] as number);
  });
  const what = series.map((s) => s.key).join(", ");
  const missing = unpredictable.length ? `; ${unpredictable.join(", ")} not yet reported` : "";
  return {
    success: {
      probability,
      horizon,
      horizon_source,
      basis,
      by_criterion,
      reason: `P(pass within ${h.within}) ${fmt(probability)}, from damped-trend forecasts of ${what} with their noise and breakthroughs${missing}`,
    },
    eta: etaFrom(
      forecast.firstPass,
      steps,
      mass,
      context.improving,
      context.settings?.etaIntervalMass ?? ETA_INTERVAL_MASS,
    ),
  };
}

function etaFrom(
  firstPass: Float64Array,
  steps: number,
  mass: number,
  improving: boolean,
  intervalMass: number,
): IterationsEstimate {
  if (mass < ETA_MIN_MASS && !improving) {
    return {
      estimate: null,
      low: null,
      high: null,
      level: ETA_LEVEL,
      horizon: steps,
      model: null,
      reason: `passing within ${steps} iterations is unlikely (P ${fmt(mass)})`,
    };
  }
  const quantile = (q: number) => {
    let acc = 0;
    for (let s = 0; s < steps; s++) {
      acc += (firstPass[s] as number) / (mass || 1);
      if (acc >= q - 1e-12) return s + 1;
    }
    return steps;
  };
  const low = quantile((1 - intervalMass) / 2);
  const estimate = quantile(0.5);
  const high = quantile((1 + intervalMass) / 2);
  return {
    estimate,
    low,
    high,
    level: ETA_LEVEL,
    horizon: steps,
    model: "predictive",
    reason: `if it passes within ${steps} iterations (P ${fmt(mass)}): median ${estimate}, ${Math.round(ETA_LEVEL * 100)}% range ${low}–${high}`,
  };
}

function sum(xs: Float64Array, upTo: number): number {
  let s = 0;
  for (let i = 0; i < upTo && i < xs.length; i++) s += xs[i] as number;
  return s;
}

/** A forecast never claims certainty: DRAWS futures cannot resolve beyond 1 in 1,000. */
const bounded = (x: number) => Math.min(1 - FORECAST_FLOOR, Math.max(FORECAST_FLOOR, x));
