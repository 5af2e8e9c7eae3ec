import { describe, expect, it } from "vitest";
import type { Advisor } from "./contracts.js";
import { runGateLoop } from "./gate-loop.js";
import { memoryStore } from "./memory-store.js";
import {
  advisorSaying,
  assessment,
  backtest,
  gate,
  refine,
  start,
} from "./test-fixtures/gate-loop.js";
import { createTracker } from "./tracker.js";

describe("runGateLoop with an advisor", () => {
  it("stops on the advisor's ABANDON and PIVOT, asking from the second iteration on", async () => {
    const abandon = advisorSaying("ABANDON");
    const r1 = await runGateLoop({
      tracker: createTracker({ store: memoryStore() }),
      advisor: abandon,
      gate,
      strategy: start,
      backtest,
      refine,
      maxIterations: 8,
    });
    expect(r1.summary).toMatchObject({ status: "ABANDONED", total_iterations: 2 });
    expect(abandon.calls).toBe(1);
    expect(r1.advice?.assessment.next_action).toBe("ABANDON");
    const pivot = advisorSaying("PIVOT");
    const r2 = await runGateLoop({
      tracker: createTracker({ store: memoryStore(), advisor: pivot }),
      gate,
      strategy: start,
      backtest,
      refine,
      maxIterations: 8,
    });
    expect(r2.summary.status).toBe("PIVOT_TO_RESEARCH");
  });

  it("carries the advisor's LLM cost into the next record and stops on the cost budget", async () => {
    const store = memoryStore();
    const result = await runGateLoop({
      tracker: createTracker({ store }),
      advisor: advisorSaying("CONTINUE", 0.4),
      gate,
      strategy: { ...start, parameters: { size: -10 } },
      backtest,
      refine,
      maxIterations: 20,
      budget: { costUsd: 1 },
      experimentId: "budget",
    });
    expect(result.summary.status).toBe("BUDGET_EXHAUSTED");
    const records = await store.read("budget");
    // advice after it. 2 -> 0.4 pending, it. 3 carries 0.4 (+0.4 pending = 0.8), it. 4 carries 0.4 (+0.4 = 1.2 >= 1)
    expect(records.map((r) => r.cost)).toEqual([0, 0, 0.4, 0.4]);
    expect(records[2]?.llm_usage[0]).toMatchObject({ purpose: "advisor", input_tokens: 10 });
    expect(result.summary.total_cost).toBeCloseTo(1.2, 12);
  });

  it("tells the advisor where the loop stands against its budget", async () => {
    const seen: unknown[] = [];
    await runGateLoop({
      tracker: createTracker({ store: memoryStore() }),
      advisor: {
        specificationVersion: "v1",
        name: "watcher",
        async advise(input) {
          seen.push(input.loop);
          return { assessment: assessment("CONTINUE"), source: "watcher" };
        },
      },
      gate,
      strategy: { ...start, parameters: { size: -2 } },
      backtest,
      refine,
      maxIterations: 3,
      budget: { costUsd: 5 },
    });
    expect(seen).toEqual([
      expect.objectContaining({
        iteration: 2,
        maxIterations: 3,
        costSpentUsd: 0,
        costBudgetUsd: 5,
      }),
      expect.objectContaining({ iteration: 3, maxIterations: 3, wallTimeBudgetSeconds: null }),
    ]);
  });

  it("gives the analyzers the loop's budget and keeps it in the meta", async () => {
    const seen: unknown[] = [];
    const store = memoryStore();
    await runGateLoop({
      tracker: createTracker({
        store,
        analyzers: [
          {
            specificationVersion: "v1",
            name: "watcher",
            analyze: ({ loop }) => {
              seen.push(loop);
              return {};
            },
          },
        ],
      }),
      advisor: advisorSaying("CONTINUE"),
      gate,
      strategy: { ...start, parameters: { size: -2 } },
      backtest,
      refine,
      maxIterations: 3,
      experimentId: "budgeted",
    });
    expect(seen).toEqual([
      expect.objectContaining({ iteration: 2, maxIterations: 3 }),
      expect.objectContaining({ iteration: 3, maxIterations: 3 }),
    ]);
    expect((await store.readMeta("budgeted"))?.max_iterations).toBe(3);
  });

  it("stores each advice, naming its model and prompt version, with the record it produced", async () => {
    const store = memoryStore();
    const result = await runGateLoop({
      tracker: createTracker({ store }),
      advisor: advisorSaying("CONTINUE"),
      gate,
      strategy: { ...start, parameters: { size: -2 } },
      backtest,
      refine,
      maxIterations: 4,
      experimentId: "advised",
    });
    const records = await store.read("advised");
    expect(records.map((r) => r.advice?.after_iteration ?? null)).toEqual([null, null, 2, 3]);
    expect(records[2]?.advice).toMatchObject({
      source: "test",
      model: "p/m",
      prompt_version: "test-v1",
      fallback: null,
      assessment: { next_action: "CONTINUE" },
    });
    // The advice after the last iteration has no record to go with: the summary keeps it.
    expect(result.summary.status).toBe("MAX_ITERATIONS");
    expect(result.summary.advice).toMatchObject({ after_iteration: 4, model: "p/m" });
    expect((await store.readMeta("advised"))?.summary?.advice?.after_iteration).toBe(4);
  });

  it("goes on without advice when the advisor fails, and warns", async () => {
    const warnings: string[] = [];
    const broken: Advisor = {
      specificationVersion: "v1",
      name: "broken",
      advise: async () => {
        throw new Error("provider down");
      },
    };
    const result = await runGateLoop({
      tracker: createTracker({ store: memoryStore() }),
      advisor: broken,
      gate,
      strategy: start,
      backtest,
      refine,
      maxIterations: 8,
      onWarning: (m) => warnings.push(m),
    });
    expect(result.passed).toBe(true);
    expect(
      warnings.some((w) => w.includes('advisor "broken" failed') && w.includes("provider down")),
    ).toBe(true);
  });

  it("keeps the LLM usage paid after the last record in the summary", async () => {
    const store = memoryStore();
    const result = await runGateLoop({
      tracker: createTracker({ store }),
      advisor: advisorSaying("ABANDON", 0.3),
      gate,
      strategy: start,
      backtest,
      refine,
      maxIterations: 8,
      experimentId: "trailing",
    });
    const expected = [
      { provider: "p", model: "m", input_tokens: 10, output_tokens: 2, cost_usd: 0.3 },
    ].map((u) => ({ ...u, purpose: "advisor" }));
    expect(result.summary.trailing_llm_usage).toEqual(expected);
    expect(result.summary.total_cost).toBeCloseTo(0.3, 12);
    expect((await store.read("trailing")).map((r) => r.cost)).toEqual([0, 0]);
    expect((await store.readMeta("trailing"))?.summary?.trailing_llm_usage).toEqual(expected);
  });
});
