import type { Complete, IterationsEstimate as CoreIterationsEstimate } from "@converge/core";
import type { Classification } from "./classify.js";
import { forecastGate, windowed } from "./success-probability.js";

/** How many more iterations until the gate first passes: core's `IterationsEstimate` with every field present. */
export type IterationsEstimate = Complete<CoreIterationsEstimate>;

/**
 * Iterations still needed for a higher-is-better series (a gate score, or a
 * goal-signed metric) to reach `goal`, from the same predictive model as
 * `success_probability` applied to the series alone. `analyzeTrajectory`
 * predicts each gate criterion instead, which is more faithful when the gate
 * has several; this is for a series without its gate.
 */
export function estimateIterationsToSuccess(
  values: readonly number[],
  classification: Classification,
  goal = 1,
): IterationsEstimate {
  const scale = Math.abs(goal) || 1;
  const { offsets, values: ys } = windowed(values.length, (i) => values[i], scale);
  const lastValue = ys.at(-1);
  return forecastGate(
    ys.length
      ? [
          {
            key: "score",
            offsets,
            values: ys,
            observed: values.length,
            region: { kind: "above", bound: goal / scale },
          },
        ]
      : [],
    {
      basis: "objective",
      passing: lastValue !== undefined && lastValue >= goal / scale - 1e-9,
      remaining: null,
      improving: classification.status === "CONVERGING",
      unpredictable: ys.length ? [] : ["score"],
    },
  ).eta;
}
