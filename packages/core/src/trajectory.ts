import { z } from "zod";
import { nameMapSchema } from "./names.js";

/** Any number, NaN and infinities included (histories have gaps). */
const anyNumber = z.custom<number>((v) => typeof v === "number", "expected a number");

export const ConvergenceStatusSchema = z.enum([
  "CONVERGING",
  "DIVERGING",
  "OSCILLATING",
  "STAGNANT",
  "INSUFFICIENT_DATA",
]);
export type ConvergenceStatus = z.infer<typeof ConvergenceStatusSchema>;

export const GradientDirectionSchema = z.enum(["ASCENDING", "DESCENDING", "FLAT"]);
export type GradientDirection = z.infer<typeof GradientDirectionSchema>;

/**
 * Analysis of an experiment's course (`ExperimentTrajectory` of docs/record-format.md).
 * Analyzers fill it; fields they add beyond these are kept. Its maps are
 * keyed by metric and parameter names and have no prototype.
 */
export const ExperimentTrajectorySchema = z.looseObject({
  experiment_id: z.string(),
  total_iterations: z.number().int().nonnegative(),
  /** Each metric per iteration, in iteration order (NaN where an iteration lacked it). */
  metric_history: nameMapSchema(z.array(anyNumber)),
  /** Slope per iteration of each metric (raw: its sign is not yet "better"). */
  improvement_rates: nameMapSchema(anyNumber),
  convergence_status: ConvergenceStatusSchema,
  gradient_direction: GradientDirectionSchema,
  /** How far from passing the gate (0 = passing); null without a gate. */
  distance_to_goal: z.number().min(0).nullable(),
  /** Iterations still needed at the current pace; null when not converging. */
  estimated_iterations_to_success: z.number().int().nonnegative().nullable(),
  /** Estimated gate-score change per unit increase of each parameter. */
  parameter_impact: nameMapSchema(z.number()),
});
export type ExperimentTrajectory = z.output<typeof ExperimentTrajectorySchema>;
