import { describe, expect, it } from "vitest";
import type { FailureAnalyzer } from "./contracts.js";
import { ConfigurationError, GateLoopError } from "./errors.js";
import { runGateLoop } from "./gate-loop.js";
import { memoryStore } from "./memory-store.js";
import { backtest, gate, refine, start } from "./test-fixtures/gate-loop.js";
import { createTracker } from "./tracker.js";

describe("runGateLoop", () => {
  it("refines until the gate passes and logs every iteration with its changes", async () => {
    const store = memoryStore();
    const seen: number[] = [];
    const result = await runGateLoop({
      tracker: createTracker({ store }),
      gate,
      strategy: start,
      backtest,
      refine,
      maxIterations: 8,
      experimentId: "loop",
      directive: "reach score 1",
      onIteration: (r) => {
        seen.push(r.iteration);
      },
    });
    expect(result.passed).toBe(true);
    expect(result.strategy.parameters.size).toBe(4);
    expect(result.summary).toMatchObject({
      status: "SUCCESS",
      total_iterations: 4,
      best_iteration: 4,
    });
    expect(seen).toEqual([1, 2, 3, 4]);
    const records = await store.read("loop");
    expect(records.map((r) => r.action_taken)).toEqual(["REFINE", "REFINE", "REFINE", "SUCCESS"]);
    expect(records[3]?.parameter_changes).toEqual({ size: { from: 3, to: 4 } });
    expect(records[0]?.strategy_code).toBe("buy()");
    expect((await store.readMeta("loop"))?.status).toBe("SUCCESS");
  });

  it("stops at maxIterations", async () => {
    const result = await runGateLoop({
      tracker: createTracker({ store: memoryStore() }),
      gate,
      strategy: start,
      backtest,
      refine,
      maxIterations: 2,
    });
    expect(result.passed).toBe(false);
    expect(result.summary.status).toBe("MAX_ITERATIONS");
    expect(result.summary.total_iterations).toBe(2);
  });

  it("records the failure analysis and stops FAILED when it recommends REFINE_RESEARCH", async () => {
    const store = memoryStore();
    let call = 0;
    const analyzer: FailureAnalyzer = {
      specificationVersion: "v1",
      name: "fa",
      async analyze() {
        call++;
        return call < 2
          ? {
              classification: "PARAMETER_ISSUE",
              recommendation: "TUNE_PARAMETERS",
              root_cause: "size too small",
            }
          : {
              classification: "DESIGN_FLAW",
              recommendation: "REFINE_RESEARCH",
              root_cause: "momentum is dead",
            };
      },
    };
    const result = await runGateLoop({
      tracker: createTracker({ store }),
      failureAnalyzer: analyzer,
      gate,
      strategy: start,
      backtest,
      refine,
      maxIterations: 8,
      experimentId: "fa",
    });
    expect(result.summary).toMatchObject({
      status: "FAILED",
      total_iterations: 2,
      lessons_learned: ["size too small", "momentum is dead"],
    });
    const records = await store.read("fa");
    expect(records.map((r) => [r.action_taken, r.failure_classification])).toEqual([
      ["TUNE_PARAMETERS", "PARAMETER_ISSUE"],
      ["REFINE_RESEARCH", "DESIGN_FLAW"],
    ]);
  });

  it("rejects a failure analyzer of another specification before starting anything", async () => {
    const store = memoryStore();
    const run = runGateLoop({
      tracker: createTracker({ store }),
      failureAnalyzer: {
        specificationVersion: "v2",
        name: "future",
        analyze: async () => ({}),
      } as never,
      gate,
      strategy: start,
      backtest,
      refine,
      maxIterations: 3,
    });
    await expect(run).rejects.toThrow(/failure analyzer "future" implements specification v2/);
    expect(await store.list()).toEqual([]);
  });

  it("rejects a bad maxIterations before starting anything", async () => {
    const store = memoryStore();
    await expect(
      runGateLoop({
        tracker: createTracker({ store }),
        gate,
        strategy: start,
        backtest,
        refine,
        maxIterations: 0,
      }),
    ).rejects.toThrow(/maxIterations must be a whole number >= 1/);
    expect(await store.list()).toEqual([]);
  });

  it("reports a bad maxIterations as a configuration error that says what to pass", async () => {
    for (const maxIterations of [0, -1, 2.5, Number.NaN]) {
      const error = await runGateLoop({
        tracker: createTracker({ store: memoryStore() }),
        gate,
        strategy: start,
        backtest,
        refine,
        maxIterations,
      }).catch((e: unknown) => e);
      expect(ConfigurationError.isInstance(error)).toBe(true);
      expect(GateLoopError.isInstance(error)).toBe(false);
      const { message, hint } = error as ConfigurationError;
      expect(message).toContain(`got ${maxIterations}`);
      expect(hint).toMatch(/maxIterations: 10/);
      expect(message).not.toMatch(/resume/);
    }
  });
});
