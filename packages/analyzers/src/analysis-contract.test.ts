import {
  analysisPart,
  TRAJECTORY_ANALYSIS_VERSION,
  TrajectoryAnalysisSchema,
} from "@converge/core";
import { describe, expect, it } from "vitest";
import { analyzeTrajectory } from "./analyze-trajectory.js";
import { GATE, loop, sharpeLoop } from "./test-fixtures/rule-loops.js";

const sharpes = [0.4, 0.55, 0.5, 0.7, 0.8, 0.78, 0.95, 1.1, 1.05, 1.2, 1.3, 1.6];

describe("the analysis this package produces", () => {
  it("is core's contract: the schema accepts it as written and after a JSON round trip", async () => {
    const { records } = await loop(
      sharpeLoop(
        sharpes,
        sharpes.map((_, i) => 0.1 + 0.02 * i),
      ),
    );
    const analysis = analyzeTrajectory(records, { gate: GATE, maxIterations: 20 });
    expect(analysis.analysis_version).toBe(TRAJECTORY_ANALYSIS_VERSION);

    const parsed = TrajectoryAnalysisSchema.parse(analysis);
    expect(parsed.success_probability).toEqual(analysis.success_probability);
    expect(parsed.parameter_effects).toEqual(analysis.parameter_effects);
    expect(parsed.metric_trends?.sharpe_ratio).toEqual(analysis.metric_trends.sharpe_ratio);

    // On disk NaN becomes null: a reader of a stored analysis still gets every part.
    const stored: unknown = JSON.parse(JSON.stringify(analysis));
    expect(TrajectoryAnalysisSchema.safeParse(stored).success).toBe(true);
    for (const part of [
      "metric_trends",
      "score_trend",
      "distance_by_criterion",
      "iterations_to_success",
      "success_probability",
      "parameter_effects",
      "efficiency",
    ] as const) {
      expect(analysisPart(stored, part), part).toBeDefined();
    }
  });
});
