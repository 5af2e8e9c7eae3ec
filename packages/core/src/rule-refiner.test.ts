import { describe, expect, it } from "vitest";
import { evaluateGate } from "./gate.js";
import { parseRecord } from "./record.js";
import { ParameterSpaceSchema, parameterKey, type RefinerInput } from "./refiner.js";
import { ruleRefiner } from "./rule-refiner.js";
import { assessment } from "./test-fixtures/gate-loop.js";

const gate = { criteria: [{ metric: "score", op: ">=" as const, threshold: 1 }] };
const space = ParameterSpaceSchema.parse({
  lookback: { type: "int", min: 5, max: 50, step: 5 },
  size: { type: "float", min: 0.1, max: 1 },
  mode: { type: "choice", values: ["fast", "slow", "adaptive"] },
});

/** A trajectory of (parameters, score) points, the last one current. */
function inputFor(
  points: { parameters: Record<string, unknown>; score: number }[],
  extra: Partial<RefinerInput> = {},
): RefinerInput {
  const records = points.map((p, i) =>
    parseRecord({
      experiment_id: "rule",
      iteration: i + 1,
      parameters: p.parameters,
      metrics: { score: p.score },
      gate_score: p.score,
    }),
  );
  const last = points.at(-1) as (typeof points)[number];
  return {
    strategy: { name: "s", parameters: last.parameters },
    space,
    iteration: points.length,
    records,
    metrics: { score: last.score },
    gate: evaluateGate({ score: last.score }, gate),
    advice: null,
    analysis: null,
    tried: new Set(records.map((r) => parameterKey(r.parameters))),
    ...extra,
  };
}

const advising = (recommendations: Record<string, string>) => ({
  assessment: { ...assessment("CONTINUE"), parameter_recommendations: recommendations },
  source: "test",
});

const effects = (parameters: Record<string, unknown>) =>
  ({
    experiment_id: "rule",
    parameter_effects: { parameters, method: "ols" },
  }) as unknown as RefinerInput["analysis"];

const start = { lookback: 20, size: 0.5, mode: "fast" };
const refiner = ruleRefiner();

describe("ruleRefiner", () => {
  it("follows the advice's INCREASE / DECREASE one step at a time, within the bounds", async () => {
    const up = await refiner.refine(
      inputFor([{ parameters: start, score: 0.4 }], {
        advice: advising({ lookback: "INCREASE: longer windows help" }),
      }),
    );
    expect(up.parameters).toEqual({ ...start, lookback: 25 });
    expect(up.source).toBe("rule");
    expect(up.description).toMatch(/lookback 20 → 25 \(the advice says INCREASE\)/);

    const down = await refiner.refine(
      inputFor([{ parameters: { ...start, size: 0.12 }, score: 0.4 }], {
        advice: advising({ size: "DECREASE the position size" }),
      }),
    );
    // One float step is (1 - 0.1) / 20 = 0.045; from 0.12 that is below the bound: clamped.
    expect(down.parameters.size).toBe(0.1);
  });

  it("counts a parameter effect only when its interval excludes 0", async () => {
    const sure = await refiner.refine(
      inputFor([{ parameters: start, score: 0.4 }], {
        analysis: effects({
          size: { kind: "numeric", impact: -0.8, stderr: 0.1 },
          lookback: { kind: "numeric", impact: 0.5, stderr: 0.4 },
        }),
      }),
    );
    expect(sure.parameters).toEqual({ ...start, size: 0.455 });
    expect(sure.description).toMatch(/the effects say DECREASE/);

    // Only an uncertain effect: nothing counts, so it explores (the first neighbour).
    const unsure = await refiner.refine(
      inputFor([{ parameters: start, score: 0.4 }], {
        analysis: effects({ lookback: { kind: "numeric", impact: -0.5, stderr: 0.4 } }),
      }),
    );
    expect(unsure.parameters).toEqual({ ...start, lookback: 25 });
    expect(unsure.description).toMatch(/exploring/);
  });

  it("moves a choice to the best level by the effects, else to its next untried level", async () => {
    const best = await refiner.refine(
      inputFor([{ parameters: start, score: 0.4 }], {
        analysis: effects({
          mode: {
            kind: "categorical",
            impact: 0.3,
            stderr: 0.05,
            current: "fast",
            best: "adaptive",
          },
        }),
      }),
    );
    expect(best.parameters.mode).toBe("adaptive");

    const tight = ParameterSpaceSchema.parse({ mode: space.mode });
    const next = await refiner.refine({
      ...inputFor([
        { parameters: { mode: "fast" }, score: 0.2 },
        { parameters: { mode: "slow" }, score: 0.1 },
      ]),
      space: tight,
    });
    // From the best (fast): slow was tried, so adaptive.
    expect(next.parameters).toEqual({ mode: "adaptive" });
    expect(next.description).toMatch(/from iteration 1 \(the best so far\)/);
  });

  it("never proposes a tried set while an untried neighbour exists", async () => {
    const advice = advising({ lookback: "INCREASE" });
    const points = [
      { parameters: start, score: 0.4 },
      { parameters: { ...start, lookback: 25 }, score: 0.4 },
    ];
    // The best is the latest of equals (lookback 25); 30 is the advice's next step.
    const a = await refiner.refine(inputFor(points, { advice }));
    expect(a.parameters.lookback).toBe(30);

    const crowded = [...points, { parameters: { ...start, lookback: 30 }, score: 0.4 }];
    const b = await refiner.refine(inputFor(crowded, { advice }));
    expect(b.parameters.lookback).toBe(35);

    // At the upper bound with the advice still saying INCREASE: a perturbation instead.
    const atMax = [{ parameters: { ...start, lookback: 50 }, score: 0.4 }];
    const c = await refiner.refine(inputFor(atMax, { advice }));
    expect(c.parameters).not.toEqual(atMax[0]?.parameters);
    expect(c.description).toMatch(/exploring/);

    // Every neighbour tried: a one-value space has none, so it says so.
    const single = ParameterSpaceSchema.parse({ mode: { type: "choice", values: ["only"] } });
    const d = await refiner.refine({
      ...inputFor([{ parameters: { mode: "only" }, score: 0.1 }]),
      space: single,
    });
    expect(d.description).toMatch(/no untried neighbour left/);
  });

  it("without other evidence, repeats the latest single move that raised the score", async () => {
    const proposal = await refiner.refine(
      inputFor([
        { parameters: start, score: 0.3 },
        { parameters: { ...start, lookback: 15 }, score: 0.5 },
        { parameters: { ...start, lookback: 15, mode: "slow" }, score: 0.5 },
      ]),
    );
    expect(proposal.parameters).toEqual({ ...start, lookback: 10, mode: "slow" });
    expect(proposal.description).toMatch(/its last move \(iteration 2\) raised the score/);
  });

  it("starts from the best iteration when the last move hurt", async () => {
    const proposal = await refiner.refine(
      inputFor(
        [
          { parameters: start, score: 0.6 },
          { parameters: { ...start, lookback: 25 }, score: 0.3 },
        ],
        { advice: advising({ size: "INCREASE" }) },
      ),
    );
    expect(proposal.parameters).toEqual({ ...start, size: 0.545 });
  });
});
