import { describe, expect, it } from "vitest";
import { ConfigurationError, CostlyFailureError, GateLoopError } from "./errors.js";
import { runGateLoop } from "./gate-loop.js";
import { memoryStore } from "./memory-store.js";
import { backtest, gate, refine, start } from "./test-fixtures/gate-loop.js";
import { createTracker } from "./tracker.js";

describe("runGateLoop when a step fails", () => {
  it("records the LLM usage that failing advisors and failure analyzers report on their errors", async () => {
    const store = memoryStore();
    const usage = [{ provider: "p", model: "m", inputTokens: 7, outputTokens: 3, costUsd: 0.25 }];
    const failing = (what: string) =>
      new CostlyFailureError(`${what}: bad answer twice`, { usage });
    const result = await runGateLoop({
      tracker: createTracker({ store }),
      advisor: {
        specificationVersion: "v1",
        name: "flaky",
        async advise() {
          throw failing("advisor");
        },
      },
      failureAnalyzer: {
        specificationVersion: "v1",
        name: "flaky",
        async analyze() {
          throw failing("analyzer");
        },
      },
      gate,
      strategy: { ...start, parameters: { size: -2 } },
      backtest,
      refine,
      maxIterations: 3,
      experimentId: "paid",
      onWarning: () => {},
    });
    const records = await store.read("paid");
    expect(records.map((r) => r.llm_usage.map((u) => u.purpose))).toEqual([
      ["failure_analysis"],
      ["failure_analysis"],
      ["advisor", "failure_analysis"],
    ]);
    expect(records.map((r) => r.cost)).toEqual([0.25, 0.25, 0.5]);
    // The advisor's failed call after the last iteration is still counted.
    expect(result.summary.total_cost).toBeCloseTo(1.25, 12);
  });

  it("stops FAILED when a plugin is misconfigured (it would fail every iteration), keeping what was logged", async () => {
    const store = memoryStore();
    const noKey = () =>
      Object.assign(new ConfigurationError("openai(): no API key: OPENAI_API_KEY is not set."), {
        usage: [],
      });
    const failing = runGateLoop({
      tracker: createTracker({ store }),
      failureAnalyzer: {
        specificationVersion: "v1",
        name: "llm",
        async analyze() {
          throw noKey();
        },
      },
      gate,
      strategy: start,
      backtest,
      refine,
      maxIterations: 5,
      experimentId: "no-key",
    });
    const error = await failing.catch((e: unknown) => e);
    expect(GateLoopError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("OPENAI_API_KEY is not set");
    expect(await store.read("no-key")).toHaveLength(1);
    expect((await store.readMeta("no-key"))?.status).toBe("FAILED");

    const advised = runGateLoop({
      tracker: createTracker({ store }),
      advisor: {
        specificationVersion: "v1",
        name: "llm",
        async advise() {
          throw noKey();
        },
      },
      gate,
      strategy: start,
      backtest,
      refine,
      maxIterations: 5,
      experimentId: "no-key-advice",
    });
    expect(GateLoopError.isInstance(await advised.catch((e: unknown) => e))).toBe(true);
    expect(await store.read("no-key-advice")).toHaveLength(2);
  });

  it("keeps every logged iteration when refine throws, and marks the experiment FAILED", async () => {
    const store = memoryStore();
    let refines = 0;
    const error = await runGateLoop({
      tracker: createTracker({ store }),
      gate,
      strategy: start,
      backtest,
      refine: (ctx) => {
        if (++refines === 2) throw new Error("LLM returned garbage");
        return refine(ctx);
      },
      maxIterations: 8,
      experimentId: "refine-fails",
    }).catch((e: unknown) => e);
    expect(GateLoopError.isInstance(error)).toBe(true);
    expect((error as GateLoopError).stage).toBe("refine");
    expect((error as Error).message).toMatch(/LLM returned garbage[\s\S]*resume/);
    expect((await store.read("refine-fails")).map((r) => r.iteration)).toEqual([1, 2]);
    expect((await store.readMeta("refine-fails"))?.status).toBe("FAILED");
  });

  it("logs an EVALUATION_FAILED iteration when the backtest throws, then stops (policy stop)", async () => {
    const store = memoryStore();
    const error = await runGateLoop({
      tracker: createTracker({ store }),
      gate,
      strategy: start,
      backtest: () => {
        throw new Error("no data for AAPL");
      },
      refine,
      maxIterations: 3,
      experimentId: "bt",
    }).catch((e: unknown) => e);
    expect((error as GateLoopError).stage).toBe("backtest");
    const [record] = await store.read("bt");
    expect(record).toMatchObject({
      action_taken: "EVALUATION_FAILED",
      failure_classification: "EVALUATION_ERROR",
      gate_passed: false,
      gate_score: null,
      metrics: {},
      evaluation_error: { message: "no data for AAPL", log_tail: "" },
    });
    expect((await store.readMeta("bt"))?.status).toBe("FAILED");
    expect(record?.failure_analysis?.error).toBe("no data for AAPL");
  });
});
