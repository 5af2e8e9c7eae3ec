import { evaluateGate } from "./gate.js";
import { inIterationOrder } from "./iteration-order.js";
import type { ExperimentMeta } from "./meta.js";
import { nameMap, ownValue } from "./names.js";
import type { ExperimentRecord } from "./record.js";
import type { ExperimentTrajectory } from "./trajectory.js";

/**
 * The part of a trajectory that needs no statistics: metric histories (NaN
 * where an iteration lacked a metric) and the distance to goal of the last
 * iteration. Analyzers fill in the rest; without any, the status is
 * INSUFFICIENT_DATA and the gradient FLAT. Records are taken in iteration
 * order, one per iteration (see `inIterationOrder`).
 */
export function baseTrajectory(
  given: readonly ExperimentRecord[],
  meta: ExperimentMeta,
): ExperimentTrajectory {
  const records = inIterationOrder(given);
  const names = new Set<string>();
  for (const r of records) for (const name of Object.keys(r.metrics)) names.add(name);
  const metric_history = nameMap<number[]>();
  for (const name of names)
    metric_history[name] = records.map((r) => ownValue(r.metrics, name) ?? Number.NaN);

  const last = records.at(-1);
  let distance_to_goal: number | null = null;
  if (meta.gate && last) {
    // Weighted mean shortfall of the required criteria: 0 exactly when the gate passes.
    const result = evaluateGate(last.metrics, meta.gate);
    const required = result.criteria.filter((c) => c.required);
    const weight = required.reduce((s, c) => s + c.weight, 0);
    distance_to_goal =
      weight === 0 ? 0 : required.reduce((s, c) => s + c.weight * c.distance, 0) / weight;
  }
  return {
    experiment_id: meta.experiment_id,
    total_iterations: records.length,
    metric_history,
    improvement_rates: nameMap(),
    convergence_status: "INSUFFICIENT_DATA",
    gradient_direction: "FLAT",
    distance_to_goal,
    estimated_iterations_to_success: null,
    parameter_impact: nameMap(),
  };
}
