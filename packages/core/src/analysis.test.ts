import { describe, expect, it } from "vitest";
import { analysisPart, TrajectoryAnalysisSchema } from "./analysis.js";

const base = {
  experiment_id: "exp_a",
  total_iterations: 2,
  metric_history: { sharpe_ratio: [0.5, 0.7] },
  improvement_rates: { sharpe_ratio: 0.2 },
  convergence_status: "CONVERGING",
  gradient_direction: "ASCENDING",
  distance_to_goal: 0.3,
  estimated_iterations_to_success: 3,
  parameter_impact: {},
};

describe("TrajectoryAnalysisSchema", () => {
  it("accepts a trajectory without any analysis part, and an older analysis without the newer fields", () => {
    expect(TrajectoryAnalysisSchema.safeParse(base).success).toBe(true);
    const older = {
      ...base,
      iterations_to_success: { estimate: 3, low: 2, high: null, model: "linear", reason: "r" },
      metric_trends: { sharpe_ratio: { theil_sen: { slope: 0.2 } } },
      efficiency: { best_iteration: 2 },
    };
    const parsed = TrajectoryAnalysisSchema.parse(older);
    expect(parsed.iterations_to_success?.level).toBeUndefined();
    expect(parsed.analysis_version).toBeUndefined();
    expect(parsed.success_probability).toBeUndefined();
  });

  it("reads an enum value it does not know as absent instead of failing the part", () => {
    const success = analysisPart(
      { success_probability: { probability: 0.4, horizon: 5, horizon_source: "oracle" } },
      "success_probability",
    );
    expect(success).toMatchObject({ probability: 0.4, horizon: 5 });
    expect(success?.horizon_source).toBeUndefined();
    const guard = analysisPart(
      {
        overfitting: {
          metric: "sharpe_ratio",
          best_iteration: 3,
          sharpe: 1.2,
          trials: 4,
          observations: 250,
          risk: "EXTREME",
        },
      },
      "overfitting",
    );
    expect(guard?.risk).toBe("UNKNOWN");
  });
});

describe("analysisPart", () => {
  it("leaves out a part that is absent or malformed, and keeps an explicit null guard", () => {
    expect(analysisPart(null, "score_trend")).toBeUndefined();
    expect(analysisPart({}, "score_trend")).toBeUndefined();
    expect(
      analysisPart({ iterations_to_success: { estimate: "soon" } }, "iterations_to_success"),
    ).toBeUndefined();
    expect(analysisPart({ overfitting: null }, "overfitting")).toBeNull();
  });

  it("never reads an inherited property as a part", () => {
    const t = Object.create({ score_trend: { source: "gate_score" } });
    expect(analysisPart(t, "score_trend")).toBeUndefined();
  });
});
