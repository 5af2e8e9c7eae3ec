/**
 * Reads the analysis parts a trajectory analyzer adds (trends with intervals,
 * score trend, success probability, ETA range, joint parameter impact,
 * efficiency, overfitting guard) with core's analysis schemas, one part (and
 * one metric, parameter or change point) at a time: core's trajectory is a
 * loose object that may come from another version or producer, so a missing
 * or malformed part is left out; it never fails the prompt.
 */
import {
  analysisPart,
  type ChangePoint,
  ChangePointSchema,
  type Efficiency,
  EfficiencySchema,
  type ExperimentTrajectory,
  type IterationsEstimate,
  type MetricTrend,
  MetricTrendSchema,
  type OverfittingGuard,
  type ParameterEffects,
  ParameterEffectsSchema,
  type ParameterImpact,
  ParameterImpactSchema,
  type ScoreTrend,
  type SuccessProbability,
} from "@converge/core";
import { z } from "zod";
import { nameMap, nameRecord } from "./own-names.js";

export type MetricTrendFacts = MetricTrend;
export type ScoreTrendFacts = ScoreTrend;
export type EtaFacts = IterationsEstimate;
export type SuccessFacts = SuccessProbability;
export type ParameterEffectFacts = ParameterImpact;
export type ChangePointFacts = ChangePoint;
export type OverfittingFacts = OverfittingGuard;

/** The parameter effects with each parameter (and skip reason) left to be read on its own. */
const ParameterEffectsOuterSchema = ParameterEffectsSchema.extend({
  parameters: nameRecord(z.unknown()),
  skipped: nameRecord(z.unknown()).optional(),
});

/** The efficiency with each change point left to be read on its own. */
const EfficiencyOuterSchema = EfficiencySchema.extend({
  change_points: z.array(z.unknown()).optional(),
});

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
    method?: ParameterEffects["method"];
    drift?: ParameterEffects["drift"];
    observations?: ParameterEffects["observations"];
  };
  /** The efficiency part, with only its well-formed change points. */
  efficiency?: Efficiency & { change_points: ChangePointFacts[] };
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
  const scoreTrend = analysisPart(t, "score_trend");
  if (scoreTrend) extras.scoreTrend = scoreTrend;
  const eta = analysisPart(t, "iterations_to_success");
  if (eta) extras.eta = eta;
  const success = analysisPart(t, "success_probability");
  if (success) extras.success = success;
  const distances = analysisPart(t, "distance_by_criterion");
  if (distances) extras.distanceByCriterion = distances;

  const effects = parsed(ParameterEffectsOuterSchema, t.parameter_effects);
  if (effects) {
    const parameters: [string, ParameterEffectFacts][] = [];
    for (const [name, value] of Object.entries(effects.parameters)) {
      const effect = parsed(ParameterImpactSchema, value);
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

  const efficiency = parsed(EfficiencyOuterSchema, t.efficiency);
  if (efficiency) {
    extras.efficiency = {
      ...efficiency,
      change_points: (efficiency.change_points ?? []).flatMap((c) => {
        const point = parsed(ChangePointSchema, c);
        return point ? [point] : [];
      }),
    };
  }

  const guard = analysisPart(t, "overfitting");
  if (guard !== undefined) extras.overfitting = guard;
  return extras;
}
