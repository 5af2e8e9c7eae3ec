import { type ExperimentRecord, parseRecord, seededRandom } from "@converge/core";
import { describe, expect, it } from "vitest";
import { analyzeTrajectory } from "./analyze-trajectory.js";
import { carry, DEFAULT_DAMPED_TREND_PRIOR, gaussian } from "./predictive-model.js";
import { DEFAULT_HORIZON, ETA_LEVEL, forecastGate } from "./success-probability.js";

const GATE = {
  criteria: [
    { metric: "sharpe_ratio", op: ">=" as const, threshold: 1 },
    { metric: "max_drawdown", op: "<=" as const, threshold: 0.2 },
  ],
};

function records(sharpes: readonly number[], drawdowns?: readonly number[]): ExperimentRecord[] {
  return sharpes.map((sharpe, i) =>
    parseRecord({
      experiment_id: "p",
      iteration: i + 1,
      parameters: { lookback: 20 + i },
      metrics: { sharpe_ratio: sharpe, max_drawdown: drawdowns?.[i] ?? 0.15 },
    }),
  );
}

const chance = (sharpes: readonly number[], maxIterations?: number | null, drawdowns?: number[]) =>
  analyzeTrajectory(records(sharpes, drawdowns), {
    gate: GATE,
    maxIterations: maxIterations ?? null,
  }).success_probability;

describe("success_probability", () => {
  it("five points climbing toward the gate are promising, never certain", () => {
    // The loop that a point extrapolation once sent PIVOT at iteration 5 (it passed at 9).
    const s = chance([0.18, 0.37, 0.52, 0.64, 0.75], 20);
    expect(s.horizon).toBe(15);
    expect(s.horizon_source).toBe("budget");
    expect(s.basis).toBe("criteria");
    expect(s.probability).toBeGreaterThan(0.8);
    expect(s.probability).toBeLessThan(0.999);
    expect(Object.keys(s.by_criterion)).toEqual(["sharpe_ratio", "max_drawdown"]);
    expect(s.reason).toMatch(/^P\(pass within the 15 iterations left\) 0\.\d+, from damped-trend/);
  });

  it("falls with less budget left and with a wider gap; a flat series far below is unlikely", () => {
    const climbing = [0.3, 0.38, 0.45, 0.5, 0.56];
    const p = (left: number) => chance(climbing, 5 + left).probability as number;
    expect(p(2)).toBeLessThan(p(6));
    expect(p(6)).toBeLessThan(p(20));
    const flatNear = chance([0.9, 0.92, 0.89, 0.91, 0.9], 20).probability as number;
    const flatFar = chance([0.3, 0.32, 0.29, 0.31, 0.3], 20).probability as number;
    expect(flatFar).toBeLessThan(flatNear);
    const falling = chance([0.8, 0.7, 0.65, 0.55, 0.5], 20).probability as number;
    expect(falling).toBeLessThan(flatFar);
    // Only a breakthrough could save them: without any in the model, neither can pass.
    const trendOnly = (sharpes: number[]) =>
      analyzeTrajectory(records(sharpes), {
        gate: GATE,
        maxIterations: 20,
        predictive: { breakthrough: { rate: 0, strength: 1, sizeSd: 0 } },
      }).success_probability.probability as number;
    expect(trendOnly([0.3, 0.32, 0.29, 0.31, 0.3])).toBeLessThan(0.01);
    expect(trendOnly([0.8, 0.7, 0.65, 0.55, 0.5])).toBeLessThan(0.01);
  });

  it("at the edges: no records, n = 1 and 2, constant, NaN, passing, no budget, budget spent", () => {
    expect(chance([], 10)).toMatchObject({ probability: null, horizon: 10 });
    for (const few of [[0.5], [0.5, 0.6]]) {
      const s = chance(few, 20);
      expect(s.probability).toBeGreaterThan(0.01);
      expect(s.probability).toBeLessThan(0.99);
    }
    // A constant series can only pass by a breakthrough; without them, it cannot.
    const constant = records([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const withJumps = analyzeTrajectory(constant, { gate: GATE, maxIterations: 20 });
    const noJumps = analyzeTrajectory(constant, {
      gate: GATE,
      maxIterations: 20,
      predictive: { breakthrough: { rate: 0, strength: 1, sizeSd: 0 } },
    });
    expect(withJumps.success_probability.probability).toBeGreaterThan(0);
    // Never exactly 0 or 1: 800 simulated futures cannot resolve beyond 1 in 1,000.
    expect(noJumps.success_probability.probability).toBe(0.001);
    // NaN values are skipped, not fatal.
    const gaps = chance([0.4, Number.NaN, 0.6, 0.7, Number.NaN, 0.85], 20);
    expect(gaps.probability).toBeGreaterThan(0.5);
    const passing = analyzeTrajectory(records([0.5, 0.8, 1.1]), { gate: GATE, maxIterations: 10 });
    expect(passing.success_probability).toMatchObject({ probability: 1, horizon: 7 });
    expect(passing.iterations_to_success).toMatchObject({ estimate: 0, low: 0, high: 0 });
    const open = chance([0.3, 0.4, 0.5]);
    expect(open).toMatchObject({ horizon: DEFAULT_HORIZON, horizon_source: "default" });
    expect(open.reason).toMatch(/within the next 20 iterations \(no budget known\)/);
    expect(chance([0.3, 0.4, 0.5], 3)).toMatchObject({ probability: 0, horizon: 0 });
  });

  it("needs every required criterion at once", () => {
    const one = chance([0.6, 0.7, 0.8, 0.9, 0.95], 12).probability as number;
    const both = chance([0.6, 0.7, 0.8, 0.9, 0.95], 12, [0.3, 0.3, 0.31, 0.3, 0.3]);
    expect(both.probability).toBeLessThan(one);
    expect(both.by_criterion.max_drawdown).toBeLessThan(both.by_criterion.sharpe_ratio as number);
    expect(both.probability).toBeLessThanOrEqual((both.by_criterion.max_drawdown as number) + 1e-9);
  });

  it("predicts the recorded gate score, or an objective with a threshold, without a gate spec", () => {
    const scored = [0.5, 0.6, 0.7, 0.78].map((gate_score, i) =>
      parseRecord({ experiment_id: "s", iteration: i + 1, metrics: { m: i }, gate_score }),
    );
    const s = analyzeTrajectory(scored, { maxIterations: 15 }).success_probability;
    expect(s.basis).toBe("gate_score");
    expect(s.probability).toBeGreaterThan(0.5);
    const objective = [0.5, 0.45, 0.4, 0.37].map((loss, i) =>
      parseRecord({ experiment_id: "o", iteration: i + 1, metrics: { loss } }),
    );
    const o = analyzeTrajectory(objective, {
      metrics: { loss: { goal: "minimize", threshold: 0.3 } },
      maxIterations: 20,
    }).success_probability;
    expect(o.basis).toBe("objective");
    expect(o.probability).toBeGreaterThan(0.5);
    const none = analyzeTrajectory(objective, { maxIterations: 20 }).success_probability;
    expect(none).toMatchObject({ basis: "none", probability: null });
  });

  it("is deterministic", () => {
    const a = analyzeTrajectory(records([0.3, 0.5, 0.45, 0.6, 0.7]), {
      gate: GATE,
      maxIterations: 9,
    });
    const b = analyzeTrajectory(records([0.3, 0.5, 0.45, 0.6, 0.7]), {
      gate: GATE,
      maxIterations: 9,
    });
    expect(a.success_probability).toEqual(b.success_probability);
    expect(a.iterations_to_success).toEqual(b.iterations_to_success);
  });

  it("rejects a bad budget or horizon naming the option", () => {
    expect(() => analyzeTrajectory(records([0.5]), { gate: GATE, maxIterations: 0 })).toThrow(
      /maxIterations/,
    );
    expect(() => analyzeTrajectory(records([0.5]), { gate: GATE, horizon: 2.5 })).toThrow(
      /horizon/,
    );
  });

  it("is calibrated on series drawn from its own prior (the arithmetic is right)", () => {
    // Simulation-based check: when the data come from the model's prior, the predicted
    // probabilities must match the outcomes. Breakthroughs are off to test the trend part.
    const rnd = seededRandom(99);
    const prior = DEFAULT_DAMPED_TREND_PRIOR;
    const bins = Array.from({ length: 5 }, () => ({ n: 0, predicted: 0, observed: 0 }));
    let brier = 0;
    let outcomes = 0;
    const count = 800;
    const predictions: number[] = [];
    for (let k = 0; k < count; k++) {
      const phi = (prior.phis[Math.floor(rnd() * prior.phis.length)] as { phi: number }).phi;
      let sigma = 0;
      do sigma = Math.exp(Math.log(prior.noiseMedian) + prior.noiseLogSd * gaussian(rnd));
      while (sigma < prior.noiseMin || sigma > prior.noiseMax);
      const step = prior.stepSd * gaussian(rnd);
      const level = gaussian(rnd);
      const n = 3 + Math.floor(rnd() * 10);
      const horizon = 5 + Math.floor(rnd() * 15);
      const offsets = Array.from({ length: n }, (_, i) => i - (n - 1));
      const values = offsets.map((s) => level + step * carry(phi, s) + sigma * gaussian(rnd));
      const bound = (values.at(-1) as number) + Math.abs(gaussian(rnd)) * 0.5;
      let passed = 0;
      for (let s = 1; s <= horizon; s++) {
        if (level + step * carry(phi, s) + sigma * gaussian(rnd) >= bound) passed = 1;
      }
      const p = forecastGate(
        [{ key: "x", offsets, values, observed: n, region: { kind: "above", bound } }],
        {
          basis: "objective",
          passing: false,
          remaining: horizon,
          improving: false,
          settings: { breakthrough: { rate: 0, strength: 1, sizeSd: 0 } },
        },
      ).success.probability as number;
      predictions.push(p);
      const bin = bins[Math.min(4, Math.floor(p * 5))] as (typeof bins)[number];
      bin.n++;
      bin.predicted += p;
      bin.observed += passed;
      brier += (p - passed) ** 2;
      outcomes += passed;
    }
    const rate = outcomes / count;
    const baseBrier = rate * (1 - rate);
    expect(brier / count).toBeLessThan(0.4 * baseBrier);
    for (const bin of bins) {
      if (bin.n < 60) continue;
      expect(Math.abs(bin.observed / bin.n - bin.predicted / bin.n)).toBeLessThan(0.08);
    }
    expect(new Set(predictions.map((p) => Math.min(4, Math.floor(p * 5)))).size).toBe(5);
  });
});

describe("iterations_to_success", () => {
  it("states its level and horizon, and brackets a climbing loop's crossing", () => {
    const a = analyzeTrajectory(records([0.5, 0.6, 0.7, 0.8, 0.9]), {
      gate: GATE,
      maxIterations: 30,
    });
    const eta = a.iterations_to_success;
    expect(eta.level).toBe(ETA_LEVEL);
    expect(eta.horizon).toBeGreaterThanOrEqual(25);
    expect(eta.model).toBe("predictive");
    expect(eta.low).toBeGreaterThanOrEqual(1);
    expect(eta.low).toBeLessThanOrEqual(eta.estimate as number);
    expect(eta.estimate).toBeLessThanOrEqual(eta.high as number);
    // The straight line reaches 1.0 in one more iteration; a levelling-off takes longer.
    expect(eta.low).toBe(1);
    expect(a.estimated_iterations_to_success).toBe(eta.estimate);
  });

  it("an improving loop always gets an estimate, however far the goal", () => {
    const slow = analyzeTrajectory(records([0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17]), {
      gate: GATE,
      maxIterations: 10,
    });
    expect(slow.convergence_status).toBe("CONVERGING");
    expect(slow.iterations_to_success.estimate).not.toBeNull();
    expect(slow.iterations_to_success.high).not.toBeNull();
    expect(slow.iterations_to_success.high).toBeGreaterThan(2);
  });

  it("is null with a reason when passing within its horizon is implausible", () => {
    const t = analyzeTrajectory(records([0.1, 0.1, 0.1, 0.1, 0.1, 0.1]), {
      gate: GATE,
      predictive: { breakthrough: { rate: 0, strength: 1, sizeSd: 0 } },
    });
    expect(t.iterations_to_success).toMatchObject({ estimate: null, low: null, high: null });
    expect(t.iterations_to_success.reason).toMatch(/unlikely/);
  });
});
