import { z } from "zod";
import { nameMapSchema, ownValue } from "./names.js";

export const MetricGoalSchema = z.enum(["maximize", "minimize"]);
export type MetricGoal = z.infer<typeof MetricGoalSchema>;

/** What "better" means for one metric. */
export const MetricSpecSchema = z.object({
  goal: MetricGoalSchema,
  /** The value the loop aims for, when there is one (informative; the gate decides passing). */
  threshold: z.number().optional(),
  /** Unit shown in reports, e.g. `%` or `ms`. */
  unit: z.string().optional(),
});
export type MetricSpec = z.infer<typeof MetricSpecSchema>;

/** A `MetricSpec`, or just its goal. */
export const MetricSpecInputSchema = z.union([
  MetricGoalSchema.transform((goal): MetricSpec => ({ goal })),
  MetricSpecSchema,
]);
export type MetricSpecInput = z.input<typeof MetricSpecInputSchema>;

/** Metric name → spec (or goal); the output has no prototype, so every metric name is data. */
export const MetricSpecsSchema = nameMapSchema(MetricSpecInputSchema, {
  emptyName: "metric names cannot be empty",
});
export type MetricSpecs = Record<string, MetricSpec>;

const MINIMIZE_WORDS = ["drawdown", "volatility", "loss", "error", "cost", "latency"];

/**
 * The goal of a metric: from its spec when there is one, else from its name
 * (names containing drawdown, volatility, loss, error, cost or latency are
 * minimised; every other metric is maximised).
 */
export function metricGoal(name: string, specs?: Readonly<Record<string, MetricSpec>>): MetricGoal {
  const spec = ownValue(specs, name);
  if (spec) return spec.goal;
  const lower = name.toLowerCase();
  return MINIMIZE_WORDS.some((w) => lower.includes(w)) ? "minimize" : "maximize";
}
