import { describe, expect, it } from "vitest";
import { CostlyFailureError } from "./errors.js";
import { evaluateGate } from "./gate.js";
import type { RefineContext } from "./gate-loop.js";
import { runGateLoop } from "./gate-loop.js";
import { memoryStore } from "./memory-store.js";
import { parseRecord } from "./record.js";
import { refineWithin } from "./refine-within.js";
import { refinementOf } from "./refinement.js";
import { ParameterSpaceSchema, type Refiner, type RefinerProposal } from "./refiner.js";
import { ruleRefiner } from "./rule-refiner.js";
import { createTracker } from "./tracker.js";

const space = ParameterSpaceSchema.parse({
  size: { type: "int", min: 1, max: 6 },
  mode: { type: "choice", values: ["a", "b"] },
});
const strategy: {
  name: string;
  code: string;
  description?: string;
  parameters: Record<string, unknown>;
} = {
  name: "toy",
  code: "v1",
  parameters: { size: 2, mode: "a" },
};
const gate = { criteria: [{ metric: "score", op: ">=" as const, threshold: 1 }] };

function context(
  tried: Record<string, unknown>[] = [strategy.parameters],
): RefineContext<typeof strategy> {
  const records = tried.map((parameters, i) =>
    parseRecord({ experiment_id: "w", iteration: i + 1, parameters, metrics: { score: 0.2 } }),
  );
  return {
    strategy,
    metrics: { score: 0.2 },
    gate: evaluateGate({ score: 0.2 }, gate),
    analysis: null,
    advice: null,
    records,
    iteration: records.length,
  };
}

/** A refiner that answers each call with the next of `answers` (a function throws). */
function scripted(name: string, answers: (Partial<RefinerProposal> | (() => never))[]): Refiner {
  let i = 0;
  return {
    specificationVersion: "v1",
    name,
    async refine() {
      const next = answers[Math.min(i++, answers.length - 1)];
      if (typeof next === "function") return next();
      return { parameters: {}, source: name, ...next };
    },
  };
}

const usage = (costUsd: number) => [
  { provider: "p", model: "m", inputTokens: 5, outputTokens: 1, costUsd },
];

describe("refineWithin", () => {
  it("clamps a proposal into the space, warning what it clamped", async () => {
    const warnings: string[] = [];
    const refine = refineWithin<typeof strategy>(
      scripted("wild", [
        { parameters: { size: 40, mode: "z" }, code: "v2", description: "bolder" },
      ]),
      { space, onWarning: (m) => warnings.push(m) },
    );
    const next = await refine(context());
    expect(next.parameters).toEqual({ size: 6, mode: "a" });
    expect(next.code).toBe("v2");
    expect(next.description).toBe("bolder");
    expect(warnings[0]).toMatch(
      /"wild" proposed parameters outside the space, clamped: size = 40 is outside \[1, 6\]; mode = "z" is not one of/,
    );
    expect(refinementOf(next)).toEqual({ source: "wild", usage: [] });
  });

  it("refuses a repeat: asks the fallback, then perturbs", async () => {
    const warnings: string[] = [];
    const repeat = scripted("stuck", [{ parameters: { size: 2, mode: "a" } }]);
    const withFallback = refineWithin<typeof strategy>(repeat, {
      space,
      fallback: scripted("other", [{ parameters: { size: 3 } }]),
      onWarning: (m) => warnings.push(m),
    });
    const a = await withFallback(context());
    expect(a.parameters).toEqual({ size: 3, mode: "a" });
    expect(refinementOf(a)?.source).toBe("other");
    expect(refinementOf(a)?.fallback).toMatch(/"stuck" proposed a parameter set already evaluated/);

    const alone = refineWithin<typeof strategy>(repeat, { space, onWarning: () => {} });
    const b = await alone(context([strategy.parameters, { size: 3, mode: "a" }]));
    // size 3 was tried too: the next neighbour, one step down.
    expect(b.parameters).toEqual({ size: 1, mode: "a" });
    expect(refinementOf(b)?.source).toBe("rule (perturbed)");

    const allowed = refineWithin<typeof strategy>(repeat, { space, allowRepeats: true });
    expect((await allowed(context())).parameters).toEqual(strategy.parameters);
  });

  it("falls back when the refiner rejects, keeping what the failed call paid", async () => {
    const warnings: string[] = [];
    const failing = scripted("llm:p/m", [
      () => {
        throw new CostlyFailureError("garbage twice", { usage: usage(0.5) });
      },
    ]);
    const refine = refineWithin<typeof strategy>(failing, {
      space,
      fallback: ruleRefiner(),
      onWarning: (m) => warnings.push(m),
    });
    const next = await refine(context());
    expect(refinementOf(next)).toMatchObject({
      source: "rule",
      fallback: 'refiner "llm:p/m" failed: garbage twice',
      usage: usage(0.5),
    });
    expect(warnings[0]).toMatch(/garbage twice; asking "rule" instead/);
    // Without a fallback the rejection is the loop's to handle.
    await expect(refineWithin(failing, { space })(context())).rejects.toThrow("garbage twice");
  });

  it("records what failing refiners paid when the loop stops on them", async () => {
    const store = memoryStore();
    const costly = (name: string, cost: number) =>
      scripted(name, [
        () => {
          throw new CostlyFailureError(`${name} answered garbage`, { usage: usage(cost) });
        },
      ]);
    const error = await runGateLoop({
      tracker: createTracker({ store }),
      gate,
      strategy,
      backtest: () => ({ score: 0.1 }),
      refine: refineWithin(costly("llm:p/m", 0.5), {
        space,
        fallback: costly("llm:p/backup", 0.25),
        onWarning: () => {},
      }),
      maxIterations: 3,
      experimentId: "paid-refiners",
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("llm:p/backup answered garbage");
    const summary = (await store.readMeta("paid-refiners"))?.summary;
    expect(summary?.status).toBe("FAILED");
    expect(summary?.total_cost).toBeCloseTo(0.75, 12);
    expect(summary?.trailing_llm_usage?.map((u) => u.purpose)).toEqual(["refiner", "refiner"]);
  });

  it("carries the proposal's usage and source into the next record", async () => {
    const store = memoryStore();
    let calls = 0;
    const paid: Refiner = {
      specificationVersion: "v1",
      name: "llm:p/m",
      async refine(input) {
        calls++;
        return {
          parameters: {
            ...input.strategy.parameters,
            size: Number(input.strategy.parameters.size) + 1,
          },
          description: `step ${calls}`,
          usage: usage(0.25),
          source: "llm:p/m",
        };
      },
    };
    const result = await runGateLoop({
      tracker: createTracker({ store }),
      gate,
      strategy,
      backtest: (s) => ({ score: Number(s.parameters.size) / 4 }),
      refine: refineWithin(paid, { space }),
      maxIterations: 5,
      experimentId: "carried",
    });
    expect(result.passed).toBe(true);
    const records = await store.read("carried");
    expect(records.map((r) => r.parameters.size)).toEqual([2, 3, 4]);
    expect(records[0]?.refiner).toBeUndefined();
    expect(records[1]).toMatchObject({
      refiner: { source: "llm:p/m" },
      strategy_description: "step 1",
      cost: 0.25,
    });
    expect(records[1]?.llm_usage).toEqual([
      {
        provider: "p",
        model: "m",
        input_tokens: 5,
        output_tokens: 1,
        cost_usd: 0.25,
        purpose: "refiner",
      },
    ]);
    expect(result.summary.total_cost).toBeCloseTo(0.5, 12);
  });
});
