import type { GateSpec } from "@converge/core";

/**
 * A name per gate criterion: its metric, or "metric op threshold" when the
 * gate tests one metric more than once. The keys of `distance_by_criterion`
 * and `success_probability.by_criterion`.
 */
export function criterionKeys(gate: GateSpec): string[] {
  const seen = new Map<string, number>();
  for (const c of gate.criteria) seen.set(c.metric, (seen.get(c.metric) ?? 0) + 1);
  return gate.criteria.map((c) =>
    (seen.get(c.metric) ?? 0) > 1
      ? `${c.metric} ${c.op} ${Array.isArray(c.threshold) ? c.threshold.join("..") : c.threshold}`
      : c.metric,
  );
}
