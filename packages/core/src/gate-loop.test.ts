import { describe, expect, it } from "vitest";
import type { TrajectoryAssessment } from "./assessment.js";
import type { Advisor, FailureAnalyzer, StrategyLike } from "./contracts.js";
import { ConfigurationError, CostlyFailureError, GateLoopError } from "./errors.js";
import { runGateLoop } from "./gate-loop.js";
import { memoryStore } from "./memory-store.js";
import { createTracker } from "./tracker.js";

interface Toy extends StrategyLike {
  parameters: { size: number };
}

const gate = { criteria: [{ metric: "score", op: ">=" as const, threshold: 1 }] };
const start: Toy = { name: "toy", code: "buy()", parameters: { size: 1 } };
// score = size / 4: passes at size 4.
const backtest = (s: Toy) => ({ score: s.parameters.size / 4 });
const refine = ({ strategy }: { strategy: Toy }): Toy => ({
  ...strategy,
  parameters: { size: strategy.parameters.size + 1 },
});

function assessment(next_action: TrajectoryAssessment["next_action"]): TrajectoryAssessment {
  return {
    convergence_assessment: "STAGNANT",
    gradient_effectiveness: "INEFFECTIVE",
    likelihood_of_success: "LOW",
    estimated_iterations_needed: null,
    key_findings: [],
    parameter_recommendations: {},
    next_action,
    specific_recommendations: [],
    confidence: 0.5,
    reasoning: "test",
  };
}

function advisorSaying(
  next: TrajectoryAssessment["next_action"],
  costUsd = 0,
): Advisor & { calls: number } {
  const advisor = {
    specificationVersion: "v1" as const,
    name: `says-${next}`,
    calls: 0,
    async advise() {
      advisor.calls++;
      return {
        assessment: assessment(next),
        source: "test",
        usage: [{ provider: "p", model: "m", inputTokens: 10, outputTokens: 2, costUsd }],
        model: "p/m",
        promptVersion: "test-v1",
      };
    },
  };
  return advisor;
}

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

  it("logs an ERROR iteration when the backtest throws", async () => {
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
      action_taken: "ERROR",
      failure_classification: "EVALUATION_ERROR",
      gate_passed: false,
      gate_score: 0,
    });
    expect(record?.failure_analysis?.error).toBe("no data for AAPL");
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
});
