import type { Classification } from "./classify.js";
import { forecastGate, windowed } from "./success-probability.js";

/**
 * How many more iterations until the gate first passes: the median and a
 * central range at a stated level, over the predicted futures in which it
 * passes within `horizon` iterations.
 */
export interface IterationsEstimate {
  /** Median (whole iterations, ≥ 1 while failing, 0 when passing); null when it cannot be estimated. */
  estimate: number | null;
  /** Lower end of the range. */
  low: number | null;
  /** Upper end of the range. */
  high: number | null;
  /** The probability that the true number lies in [low, high], given that the gate passes within `horizon`, e.g. 0.8. */
  level: number;
  /** The futures the range is over pass within this many iterations; null without a range. */
  horizon: number | null;
  /** "predictive": the model behind `success_probability`; null when there is no estimate or the gate passes. */
  model: "predictive" | null;
  reason: string;
}

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
