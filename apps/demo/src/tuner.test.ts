import {
  type Advice,
  type ExperimentRecord,
  evaluateGate,
  parseRecord,
  type RefineContext,
} from "@converge/core";
import { describe, expect, it } from "vitest";
import { DEMO_GATE } from "./demo.js";
import {
  INITIAL_PARAMETERS,
  type MomentumParameters,
  type MomentumStrategy,
  momentumStrategy,
} from "./strategy.js";
import { createTuner, recommendationsOf, type Tuner } from "./tuner.js";

type Metrics = { sharpe_ratio: number; max_drawdown: number; win_rate: number };

function record(
  iteration: number,
  parameters: MomentumParameters,
  metrics: Metrics,
): ExperimentRecord {
  const gate = evaluateGate(metrics, DEMO_GATE);
  return parseRecord({
    experiment_id: "tuner_test",
    iteration,
    parameters,
    metrics,
    gate_score: gate.score,
    gate_passed: gate.passed,
  });
}

function context(
  records: ExperimentRecord[],
  advice: Advice | null = null,
): RefineContext<MomentumStrategy> {
  const last = records.at(-1) as ExperimentRecord;
  return {
    strategy: momentumStrategy(last.parameters as MomentumParameters),
    metrics: last.metrics,
    gate: evaluateGate(last.metrics, DEMO_GATE),
    analysis: null,
    advice,
    records,
    iteration: last.iteration,
  };
}

function advice(parameter_recommendations: Record<string, string>): Advice {
  return {
    source: "test",
    assessment: {
      convergence_assessment: "CONVERGING",
      gradient_effectiveness: "EFFECTIVE",
      likelihood_of_success: "MEDIUM",
      estimated_iterations_needed: 3,
      key_findings: [],
      parameter_recommendations,
      next_action: "CONTINUE",
      specific_recommendations: [],
      confidence: 0.5,
      reasoning: "test",
    },
  };
}

const start = { ...INITIAL_PARAMETERS };
const tunerFor = (seed = 1): Tuner => createTuner({ seed, gate: DEMO_GATE });
const onlyMove = (tuner: Tuner) => {
  expect(tuner.last?.moves).toHaveLength(1);
  return tuner.last?.moves[0] as NonNullable<Tuner["last"]>["moves"][number];
};

describe("the tuner reacts to the failed criteria", () => {
  it("drawdown failing: smaller positions", () => {
    const tuner = tunerFor();
    const next = tuner.refine(
      context([record(1, start, { sharpe_ratio: 1.3, max_drawdown: 0.3, win_rate: 0.6 })]),
    );
    const move = onlyMove(tuner);
    expect(move.parameter).toBe("position_size");
    expect(move.because).toContain("max_drawdown fails");
    expect(next.parameters.position_size).toBeLessThan(start.position_size);
    expect({ ...next.parameters, position_size: 0 }).toEqual({ ...start, position_size: 0 });
    expect(next.code).toContain(`const POSITION_SIZE = ${next.parameters.position_size};`);
  });

  it("win rate failing: a stricter RSI filter", () => {
    const tuner = tunerFor();
    const next = tuner.refine(
      context([record(1, start, { sharpe_ratio: 1.3, max_drawdown: 0.1, win_rate: 0.4 })]),
    );
    expect(onlyMove(tuner).parameter).toBe("rsi_threshold");
    expect(next.parameters.rsi_threshold).toBeLessThan(start.rsi_threshold);
  });

  it("Sharpe failing: the window, explored with a seeded step (both ways across seeds)", () => {
    const failing = [record(1, start, { sharpe_ratio: 0.4, max_drawdown: 0.1, win_rate: 0.6 })];
    const directions = new Set<number>();
    for (let seed = 1; seed <= 12; seed++) {
      const a = tunerFor(seed);
      const b = tunerFor(seed);
      const next = a.refine(context(failing));
      expect(b.refine(context(failing)).parameters).toEqual(next.parameters); // deterministic
      const move = onlyMove(a);
      expect(move.parameter).toBe("lookback");
      expect(move.because).toContain("exploring");
      directions.add(Math.sign(next.parameters.lookback - start.lookback));
    }
    expect([...directions].sort()).toEqual([-1, 1]);
  });

  it("the worst failing criterion is served first", () => {
    const tuner = tunerFor();
    // Win rate 0.2 is 0.6 short on a scale of 0.5; drawdown 0.22 is 0.1 short.
    tuner.refine(
      context([record(1, start, { sharpe_ratio: 1.2, max_drawdown: 0.22, win_rate: 0.2 })]),
    );
    expect(onlyMove(tuner).parameter).toBe("rsi_threshold");
  });
});

describe("the tuner uses what the loop learned", () => {
  it("follows the advice's parameter_recommendations over its usual remedy", () => {
    const tuner = tunerFor();
    const records = [record(1, start, { sharpe_ratio: 1.3, max_drawdown: 0.1, win_rate: 0.4 })];
    const next = tuner.refine(
      context(records, advice({ rsi_threshold: "INCREASE - raising it helped (+0.01 per unit)" })),
    );
    expect(onlyMove(tuner).because).toContain("the evidence says INCREASE");
    expect(next.parameters.rsi_threshold).toBeGreaterThan(start.rsi_threshold);
  });

  it("without advice, reads the trajectory's parameter effects", () => {
    // The score rises with the window (uneven steps, so its effect is separable from drift).
    const windows = [10, 14, 20, 23, 30];
    const records = windows.map((lookback, i) =>
      record(
        i + 1,
        { ...start, lookback },
        {
          sharpe_ratio: 0.5 + 0.01 * (lookback - 10),
          max_drawdown: 0.1,
          win_rate: 0.6,
        },
      ),
    );
    const tuner = tunerFor(3);
    const next = tuner.refine(context(records));
    const move = onlyMove(tuner);
    expect(move.parameter).toBe("lookback");
    expect(move.because).toContain("the evidence says INCREASE");
    expect(next.parameters.lookback).toBeGreaterThan(30);
  });

  it("undoes a move that hurt: the next proposal starts from the best iteration", () => {
    const tuner = tunerFor(2);
    const first = record(1, start, { sharpe_ratio: 0.8, max_drawdown: 0.1, win_rate: 0.6 });
    const proposal = tuner.refine(context([first])).parameters;
    expect(proposal.lookback).not.toBe(start.lookback);
    const worse = record(2, proposal, { sharpe_ratio: 0.3, max_drawdown: 0.15, win_rate: 0.55 });
    const next = tuner.refine(context([first, worse])).parameters;
    expect(tuner.last?.base).toBe(1);
    expect(next.lookback).not.toBe(proposal.lookback);
    // Only one parameter moves away from the best iteration's values.
    const changed = Object.keys(start).filter(
      (k) => next[k as keyof MomentumParameters] !== start[k as keyof MomentumParameters],
    );
    expect(changed).toHaveLength(1);
  });

  it("never proposes parameters it has already evaluated, even on a flat landscape", () => {
    const tuner = tunerFor(9);
    const flat = { sharpe_ratio: 0.5, max_drawdown: 0.25, win_rate: 0.45 };
    const records = [record(1, start, flat)];
    for (let i = 2; i <= 14; i++) {
      const next = tuner.refine(context(records)).parameters;
      expect(records.some((r) => JSON.stringify(r.parameters) === JSON.stringify(next))).toBe(
        false,
      );
      records.push(record(i, next, flat));
    }
  });
});

describe("recommendationsOf", () => {
  it("reads the first word of each recommendation", () => {
    expect(
      recommendationsOf(
        advice({
          lookback: "INCREASE - +0.01 gate score per unit",
          stop_loss: "keep: no clear effect",
          position_size: "DECREASE",
          rsi_threshold: "lower it a little",
        }),
      ),
    ).toEqual({ lookback: "INCREASE", stop_loss: "KEEP", position_size: "DECREASE" });
    expect(recommendationsOf(null)).toEqual({});
  });
});
