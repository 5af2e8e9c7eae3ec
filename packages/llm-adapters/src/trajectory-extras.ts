/**
 * Reads the fields `@converge/analyzers` adds to a trajectory (trends with
 * intervals, score trend, success probability, ETA range, joint parameter
 * impact, efficiency, overfitting guard) without depending on that package: core's trajectory is
 * a loose object, so each part is checked here with a local schema, one part
 * (and one metric or parameter) at a time. A missing or malformed part is
 * left out; it never fails the prompt.
 */
import type { ExperimentTrajectory } from "@converge/core";
import { z } from "zod";
import { nameMap, nameRecord } from "./own-names.js";

/** Any number, NaN and infinities included. */
const anyNumber = z.custom<number>((v) => typeof v === "number", "expected a number");
const maybe = anyNumber.nullable().optional();

const MetricTrendSchema = z.looseObject({
  goal: z.enum(["maximize", "minimize"]).optional(),
  theil_sen: z.looseObject({ slope: anyNumber.nullable(), low: maybe, high: maybe }),
  mann_kendall: z.looseObject({ p: maybe }).optional(),
  status: z.string().optional(),
});
export type MetricTrendFacts = z.infer<typeof MetricTrendSchema>;

const ScoreTrendSchema = z.looseObject({
  source: z.string().optional(),
  history: z.array(anyNumber).optional(),
  status: z.string().optional(),
  reason: z.string().optional(),
  slope: maybe,
  slope_low: maybe,
  slope_high: maybe,
  p: maybe,
});
export type ScoreTrendFacts = z.infer<typeof ScoreTrendSchema>;

const EtaSchema = z.looseObject({
  estimate: anyNumber.nullable(),
  low: maybe,
  high: maybe,
  /** The probability the range holds (0.8); absent in analyses written before it was stated. */
  level: maybe,
  /** The range is over the futures that pass within this many iterations; absent in older analyses. */
  horizon: maybe,
  model: z.string().nullable().optional(),
  reason: z.string().optional(),
});
export type EtaFacts = z.infer<typeof EtaSchema>;

const SuccessSchema = z.looseObject({
  probability: anyNumber.nullable(),
  horizon: anyNumber,
  /** "budget" (the iterations left) or "default" (no budget known); other values are shown without it. */
  horizon_source: z.string().optional(),
  basis: z.string().optional(),
  by_criterion: nameRecord(anyNumber).optional(),
  reason: z.string().optional(),
});
export type SuccessFacts = z.infer<typeof SuccessSchema>;

const ParameterEffectSchema = z.looseObject({
  kind: z.enum(["numeric", "categorical"]).optional(),
  impact: anyNumber.nullable(),
  stderr: maybe,
  importance: maybe,
  changes: maybe,
  direction: z.string().optional(),
  levels: nameRecord(anyNumber).optional(),
  reference: z.string().optional(),
  current: z.string().optional(),
  best: z.string().optional(),
});
export type ParameterEffectFacts = z.infer<typeof ParameterEffectSchema>;

const ParameterEffectsSchema = z.looseObject({
  parameters: nameRecord(z.unknown()),
  skipped: nameRecord(z.unknown()).optional(),
  method: z.string().optional(),
  drift: maybe,
  observations: maybe,
});

const ChangePointSchema = z.looseObject({
  after_iteration: anyNumber,
  mean_before: anyNumber,
  mean_after: anyNumber,
  p: maybe,
});
export type ChangePointFacts = z.infer<typeof ChangePointSchema>;

const EfficiencySchema = z.looseObject({
  improvement_per_iteration: maybe,
  improvement_per_cost: maybe,
  best_iteration: maybe,
  iterations_since_best: maybe,
  total_cost: maybe,
  change_points: z.array(z.unknown()).optional(),
});

const OverfittingSchema = z.looseObject({
  metric: z.string(),
  best_iteration: anyNumber,
  sharpe: anyNumber,
  trials: anyNumber,
  observations: anyNumber,
  psr: maybe,
  dsr: maybe,
  risk: z.string(),
  assumptions: z.array(z.string()).optional(),
});
export type OverfittingFacts = z.infer<typeof OverfittingSchema>;

/**
 * The analysis parts found on a trajectory; each absent when missing or
 * malformed. Name-keyed parts have no prototype (see own-names.ts).
 */
export interface TrajectoryExtras {
  metricTrends: Record<string, MetricTrendFacts>;
  scoreTrend?: ScoreTrendFacts;
  eta?: EtaFacts;
  /** The probability that the gate passes within the horizon; absent in analyses written before it. */
  success?: SuccessFacts;
  distanceByCriterion?: Record<string, number>;
  parameterEffects?: {
    parameters: [string, ParameterEffectFacts][];
    skipped: [string, string][];
    method?: string | undefined;
    drift?: number | null | undefined;
    observations?: number | null | undefined;
  };
  efficiency?: {
    improvementPerIteration?: number | null | undefined;
    improvementPerCost?: number | null | undefined;
    bestIteration?: number | null | undefined;
    iterationsSinceBest?: number | null | undefined;
    totalCost?: number | null | undefined;
    changePoints: ChangePointFacts[];
  };
  /** null when the analyzers found no Sharpe metric to guard; absent when not analysed. */
  overfitting?: OverfittingFacts | null;
}

function parsed<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Reads every analysis part it recognises on `trajectory`. */
export function readTrajectoryExtras(trajectory: ExperimentTrajectory): TrajectoryExtras {
  const t = trajectory as Record<string, unknown>;
  const extras: TrajectoryExtras = { metricTrends: nameMap<MetricTrendFacts>() };

  if (isObject(t.metric_trends)) {
    for (const [name, value] of Object.entries(t.metric_trends)) {
      const trend = parsed(MetricTrendSchema, value);
      if (trend) extras.metricTrends[name] = trend;
    }
  }
  const scoreTrend = parsed(ScoreTrendSchema, t.score_trend);
  if (scoreTrend) extras.scoreTrend = scoreTrend;
  const eta = parsed(EtaSchema, t.iterations_to_success);
  if (eta) extras.eta = eta;
  const success = parsed(SuccessSchema, t.success_probability);
  if (success) extras.success = success;
  const distances = parsed(nameRecord(anyNumber), t.distance_by_criterion);
  if (distances) extras.distanceByCriterion = distances;

  const effects = parsed(ParameterEffectsSchema, t.parameter_effects);
  if (effects) {
    const parameters: [string, ParameterEffectFacts][] = [];
    for (const [name, value] of Object.entries(effects.parameters)) {
      const effect = parsed(ParameterEffectSchema, value);
      if (effect) parameters.push([name, effect]);
    }
    const skipped: [string, string][] = [];
    for (const [name, why] of Object.entries(effects.skipped ?? {})) {
      if (typeof why === "string") skipped.push([name, why]);
    }
    extras.parameterEffects = {
      parameters,
      skipped,
      method: effects.method,
      drift: effects.drift,
      observations: effects.observations,
    };
  }

  const efficiency = parsed(EfficiencySchema, t.efficiency);
  if (efficiency) {
    extras.efficiency = {
      improvementPerIteration: efficiency.improvement_per_iteration,
      improvementPerCost: efficiency.improvement_per_cost,
      bestIteration: efficiency.best_iteration,
      iterationsSinceBest: efficiency.iterations_since_best,
      totalCost: efficiency.total_cost,
      changePoints: (efficiency.change_points ?? []).flatMap((c) => {
        const point = parsed(ChangePointSchema, c);
        return point ? [point] : [];
      }),
    };
  }

  if (t.overfitting === null) extras.overfitting = null;
  else {
    const guard = parsed(OverfittingSchema, t.overfitting);
    if (guard) extras.overfitting = guard;
  }
  return extras;
}
