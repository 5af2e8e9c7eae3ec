import {
  createTracker,
  type ExperimentRecord,
  ExperimentTrajectorySchema,
  memoryStore,
  parseRecord,
  seededRandom,
} from "@converge/core";
import { sampleLogRecords } from "@converge/test-kit";
import { describe, expect, it } from "vitest";
import { analyzeTrajectory, defaultAnalyzers } from "./analyze-trajectory.js";

// The sample log of @converge/test-kit: three records in the original Python logger's format.
const seed = sampleLogRecords();

const rec = (
  iteration: number,
  metrics: Record<string, number>,
  parameters: Record<string, number | string> = {},
  extra = {},
) => parseRecord({ experiment_id: "t", iteration, metrics, parameters, ...extra });

const noNonFinite = (value: unknown) =>
  JSON.stringify(value, (_k, v) => {
    if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`non-finite ${v}`);
    return v;
  });

describe("analyzeTrajectory", () => {
  it("reads the sample log right: converging, ascending, passing, signed rates", () => {
    // The sample log's meta states the directions (the original logger's metric specs).
    const t = analyzeTrajectory(seed, {
      metrics: { sharpe_ratio: "maximize", max_drawdown: "minimize", win_rate: "maximize" },
    });
    expect(t.convergence_status).toBe("CONVERGING");
    expect(t.gradient_direction).toBe("ASCENDING");
    expect(t.distance_to_goal).toBe(0);
    expect(t.estimated_iterations_to_success).toBe(0);
    expect(t.improvement_rates.sharpe_ratio).toBeCloseTo(0.15, 10); // OLS, the original's number
    expect(t.metric_trends.max_drawdown).toMatchObject({ goal: "minimize", status: "CONVERGING" });
    expect(t.metric_trends.max_drawdown?.improvement_rate).toBeCloseTo(0.02, 10); // falling drawdown is better
    expect(t.metric_trends.max_drawdown?.theil_sen.slope).toBeCloseTo(-0.02, 10);
    expect(t.metric_history.win_rate).toEqual([0.48, 0.5, 0.52]);
    expect(t.efficiency.best_iteration).toBe(3);
    expect(t.overfitting?.metric).toBe("sharpe_ratio");
    expect(t.overfitting?.trials).toBe(3);
    expect(t.overfitting?.assumptions.length).toBeGreaterThan(0);
    expect(ExperimentTrajectorySchema.safeParse(t).success).toBe(true);
  });

  it("computes per-criterion distances from the gate and the ETA with its range", () => {
    const gate = {
      criteria: [
        { metric: "sharpe_ratio", op: ">=" as const, threshold: 1 },
        { metric: "max_drawdown", op: "<=" as const, threshold: 0.2 },
      ],
    };
    const records = [0.5, 0.6, 0.7, 0.8].map((s, i) =>
      rec(i + 1, { sharpe_ratio: s, max_drawdown: 0.19 }),
    );
    const t = analyzeTrajectory(records, { gate });
    expect(t.score_trend.source).toBe("gate_score");
    expect(t.distance_by_criterion).toEqual({
      sharpe_ratio: expect.closeTo(0.2, 10),
      max_drawdown: 0,
    });
    expect(t.distance_to_goal).toBeCloseTo(0.1, 10);
    expect(t.convergence_status).toBe("CONVERGING");
    // score = 1 - (1 - s)/2: 0.75, 0.8, 0.85, 0.9: 0.1 to go at 0.05 a step.
    // The straight line passes in 2; a levelling-off (not ruled out by 4 points) takes longer.
    expect(t.iterations_to_success).toMatchObject({ low: 2, level: 0.8, model: "predictive" });
    expect(t.iterations_to_success.estimate).toBeGreaterThanOrEqual(2);
    expect(t.iterations_to_success.estimate).toBeLessThanOrEqual(4);
  });

  it("uses a goal-signed objective when there is no gate", () => {
    const records = [0.3, 0.25, 0.2, 0.15, 0.1].map((loss, i) => rec(i + 1, { loss }));
    const t = analyzeTrajectory(records, {
      metrics: { loss: { goal: "minimize", threshold: 0.05 } },
    });
    expect(t.score_trend.source).toBe("objective:loss");
    expect(t.convergence_status).toBe("CONVERGING");
    expect(t.estimated_iterations_to_success).toBe(1);
    expect(t.distance_to_goal).toBeNull();
  });

  it("estimates parameter impact jointly, in both directions", () => {
    const rnd = seededRandom(9);
    const records: ExperimentRecord[] = [];
    let a = 1;
    let b = 1;
    for (let i = 1; i <= 20; i++) {
      a += rnd() - 0.4;
      b += rnd() - 0.6;
      records.push(
        rec(i, { score: 0.3 + 0.2 * a - 0.1 * b + 0.005 * (rnd() - 0.5) }, { a, b, c: i % 3 }),
      );
    }
    const t = analyzeTrajectory(records);
    expect(t.parameter_impact.a).toBeCloseTo(0.2, 1);
    expect(t.parameter_impact.b).toBeCloseTo(-0.1, 1);
    expect(t.parameter_effects.parameters.a?.direction).toBe("INCREASE");
    expect(t.parameter_effects.parameters.b?.direction).toBe("DECREASE");
  });

  it("marks the change point where a pivot changed the course", () => {
    const scores = [0.3, 0.31, 0.29, 0.3, 0.32, 0.3, 0.31, 0.6, 0.61, 0.59, 0.6, 0.62, 0.61, 0.6];
    const t = analyzeTrajectory(scores.map((s, i) => rec(i + 1, { m: s }, {}, { gate_score: s })));
    expect(t.efficiency.change_points).toHaveLength(1);
    expect(t.efficiency.change_points[0]).toMatchObject({ after_iteration: 7 });
    expect(t.efficiency.change_points[0]?.mean_after).toBeGreaterThan(0.59);
    expect(t.efficiency.iterations_since_best).toBe(2);
  });

  it("deflates the best Sharpe by the number of iterations tried", () => {
    const sharpes = [0.2, 1.5, -0.3, 0.4, 0.1, 0.8, 2.1, 0.0, 0.3, 0.5];
    const records = sharpes.map((s, i) =>
      rec(
        i + 1,
        {
          sharpe_ratio: s,
          num_observations: 500,
          periods_per_year: 252,
          returns_skew: -0.5,
          returns_kurtosis: 5,
        },
        {},
        { gate_score: Math.min(1, Math.max(0, s / 2)) },
      ),
    );
    const g = analyzeTrajectory(records).overfitting;
    expect(g).toMatchObject({
      metric: "sharpe_ratio",
      best_iteration: 7,
      trials: 10,
      observations: 500,
      assumptions: [],
    });
    expect(g?.sharpe_per_period).toBeCloseTo(2.1 / Math.sqrt(252), 12);
    expect(g?.psr as number).toBeGreaterThan(g?.dsr as number); // deflation lowers the confidence
    expect(g?.sr0 as number).toBeGreaterThan(0);
  });

  it("handles 0, 1, 2 records, constant series, NaN metrics and parameters that appear half-way", () => {
    for (const records of [[], [rec(1, { m: 1 })], [rec(1, { m: 1 }), rec(2, { m: 2 })]]) {
      const t = analyzeTrajectory(records, { experimentId: "empty" });
      expect(t.convergence_status).toBe("INSUFFICIENT_DATA");
      expect(t.estimated_iterations_to_success).toBeNull();
      expect(ExperimentTrajectorySchema.safeParse(t).success).toBe(true);
    }
    const constant = Array.from({ length: 6 }, (_, i) =>
      rec(i + 1, { m: 0.5, gone: Number.NaN }, { fixed: 1, late: i }, { gate_score: 0.5 }),
    );
    constant.forEach((r, i) => {
      if (i < 3) delete (r.parameters as Record<string, unknown>).late;
    });
    const t = analyzeTrajectory(constant);
    expect(t.convergence_status).toBe("STAGNANT");
    expect(t.gradient_direction).toBe("FLAT");
    // No goal stated: both metrics are informational (no direction, no verdict); m is constant.
    expect(t.metric_trends.gone).toMatchObject({
      role: "informational",
      goal: null,
      n: 0,
      status: null,
      ols_slope: null,
      constant: false,
    });
    expect(t.metric_trends.m).toMatchObject({ role: "informational", constant: true });
    const judged = analyzeTrajectory(constant, { metrics: { gone: "maximize" } });
    expect(judged.metric_trends.gone).toMatchObject({
      role: "objective",
      goal: "maximize",
      n: 0,
      status: "INSUFFICIENT_DATA",
    });
    expect(t.parameter_effects.skipped.fixed).toMatch(/never changed/);
    expect(t.overfitting).toBeNull();
    expect(() => analyzeTrajectory(constant, { metrics: { m: "up" as never } })).toThrow(
      /metrics\.m/,
    );
  });

  it("is JSON-safe apart from the histories, which keep NaN for missing values", () => {
    const t = analyzeTrajectory(seed);
    const { metric_history: _h, score_trend, efficiency, ...rest } = t;
    expect(() => noNonFinite(rest)).not.toThrow();
    expect(() => noNonFinite({ ...score_trend, history: [] })).not.toThrow();
    expect(() => noNonFinite({ ...efficiency, best_so_far: [] })).not.toThrow();
  });

  it("plugs into the tracker as the default analyzer", async () => {
    const tracker = createTracker({ store: memoryStore(), analyzers: defaultAnalyzers() });
    const run = await tracker.start({
      gate: { criteria: [{ metric: "s", op: ">=", threshold: 1 }] },
    });
    for (const s of [0.5, 0.6, 0.7, 0.8]) await run.log({ metrics: { s }, parameters: { p: s } });
    const t = await run.analyze();
    expect(t.convergence_status).toBe("CONVERGING");
    expect((t as unknown as { score_trend: { source: string } }).score_trend.source).toBe(
      "gate_score",
    );
  });
});
