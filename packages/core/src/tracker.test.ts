import { describe, expect, it } from "vitest";
import type { Advisor, Analyzer, Store } from "./contracts.js";
import {
  ConfigurationError,
  ExperimentNotFoundError,
  PluginError,
  ValidationError,
} from "./errors.js";
import { memoryStore } from "./memory-store.js";
import { parseRecord } from "./record.js";
import { deriveParameterChanges } from "./run.js";
import { createTracker } from "./tracker.js";

const gate = {
  criteria: [
    { metric: "sharpe_ratio", op: ">=" as const, threshold: 1.0 },
    { metric: "max_drawdown", op: "<=" as const, threshold: 0.2 },
  ],
};

function clock(start = Date.parse("2026-01-18T14:30:22Z")) {
  let t = start;
  return () => {
    t += 1000;
    return new Date(t);
  };
}

describe("createTracker", () => {
  it("numbers iterations, scores the gate and derives parameter changes into the stored record", async () => {
    const store = memoryStore();
    const tracker = createTracker({ store, now: clock() });
    const run = await tracker.start({ experimentId: "exp_a", directive: "AAPL momentum", gate });
    const first = await run.log({
      parameters: { position_size: 0.1, rsi_threshold: 70, stop_loss: 0.15 },
      metrics: { sharpe_ratio: 0.75, max_drawdown: 0.22 },
    });
    const second = await run.log({
      parameters: { position_size: 0.15, rsi_threshold: 70, filter: "ema" },
      metrics: { sharpe_ratio: 1.05, max_drawdown: 0.18 },
      parameter_changes: { note: "stated by the caller" },
    });
    expect(first).toMatchObject({
      iteration: 1,
      gate_passed: false,
      parameter_changes: {},
      research_directive: "AAPL momentum",
    });
    expect(first.gate_score).toBeCloseTo(1 - (0.25 + 0.1) / 2, 12);
    expect(first.failed_criteria.map((c) => c.metric)).toEqual(["sharpe_ratio", "max_drawdown"]);
    expect(second).toMatchObject({
      iteration: 2,
      gate_passed: true,
      gate_score: 1,
      failed_criteria: [],
    });
    const stored = await store.read("exp_a");
    expect(stored[1]?.parameter_changes).toEqual({
      position_size: { from: 0.1, to: 0.15 },
      stop_loss: { from: 0.15 },
      filter: { to: "ema" },
      note: "stated by the caller",
    });
    expect(stored[0]?.timestamp).toBe("2026-01-18T14:30:24.000Z");
    expect((await store.readMeta("exp_a"))?.gate?.criteria).toHaveLength(2);
  });

  it("resumes after the last stored iteration, also for a log without meta", async () => {
    const store = memoryStore();
    for (const iteration of [1, 2]) {
      await store.append(
        parseRecord({
          experiment_id: "seed_log",
          iteration,
          metrics: { s: iteration },
          parameters: { p: iteration },
          research_directive: "from python",
        }),
      );
    }
    const run = await createTracker({ store }).resume("seed_log");
    expect(run.meta.directive).toBe("from python");
    const next = await run.log({ metrics: { s: 3 }, parameters: { p: 3 } });
    expect(next.iteration).toBe(3);
    expect(next.parameter_changes).toEqual({ p: { from: 2, to: 3 } });
    await expect(createTracker({ store }).resume("nope")).rejects.toSatisfy(
      ExperimentNotFoundError.isInstance,
    );
  });

  it("refuses to start an experiment that exists, and says to resume it", async () => {
    const store = memoryStore();
    const tracker = createTracker({ store });
    await tracker.start({ experimentId: "dup" });
    await expect(tracker.start({ experimentId: "dup" })).rejects.toThrow(
      /tracker\.resume\("dup"\)/,
    );
  });

  it("renumbers after another writer appended (IterationConflictError)", async () => {
    const store = memoryStore();
    const a = await createTracker({ store }).start({ experimentId: "shared" });
    const b = await createTracker({ store }).resume("shared");
    await a.log({ metrics: { x: 1 } });
    await b.log({ metrics: { x: 2 } }); // b believed the next number was 1
    await a.log({ metrics: { x: 3 } });
    const its = (await store.read("shared")).map((r) => [r.iteration, r.metrics.x]);
    expect(its).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it("serialises concurrent log calls of one run", async () => {
    const store = memoryStore();
    const run = await createTracker({ store }).start({ experimentId: "conc" });
    const logged = await Promise.all(
      Array.from({ length: 20 }, (_, i) => run.log({ metrics: { i } })),
    );
    expect(logged.map((r) => r.iteration)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("times compute_time when asked and sums llm_usage into cost", async () => {
    const run = await createTracker({ store: memoryStore() }).start();
    expect(run.experimentId).toMatch(/^exp_\d{8}_\d{6}_[0-9a-f]{4}$/);
    await run.time(() => new Promise((resolve) => setTimeout(resolve, 30)));
    const r = await run.log({
      metrics: { s: 1 },
      llm_usage: [
        { provider: "openai", model: "m", input_tokens: 10, output_tokens: 5, cost_usd: 0.25 },
        { provider: "anthropic", model: "n", input_tokens: 1, output_tokens: 1, cost_usd: null },
      ],
    });
    expect(r.compute_time).toBeGreaterThanOrEqual(0.025);
    expect(r.compute_time).toBeLessThan(5);
    expect(r.cost).toBe(0.25);
    const next = await run.log({ metrics: { s: 2 }, compute_time: 7 });
    expect(next.compute_time).toBe(7);
  });

  it("rejects bad log input naming the field, and stores nothing", async () => {
    const store = memoryStore();
    const run = await createTracker({ store }).start({ experimentId: "bad" });
    await expect(
      run.log({ metrics: { sharpe_ratio: "high" as unknown as number } }),
    ).rejects.toThrow(/record\.metrics\.sharpe_ratio/);
    await expect(run.log({ metrics: {}, compute_time: -1 })).rejects.toSatisfy(
      ValidationError.isInstance,
    );
    expect(await store.read("bad")).toEqual([]);
    expect((await run.log({ metrics: { s: 1 } })).iteration).toBe(1);
  });

  it("keeps the iteration budget in the meta and rejects a bad one naming the field", async () => {
    const store = memoryStore();
    const tracker = createTracker({ store });
    const run = await tracker.start({ experimentId: "budget", maxIterations: 12 });
    expect(run.meta.max_iterations).toBe(12);
    expect((await store.readMeta("budget"))?.max_iterations).toBe(12);
    expect((await tracker.start({ experimentId: "none" })).meta.max_iterations).toBeNull();
    await expect(tracker.start({ experimentId: "bad", maxIterations: 0 })).rejects.toSatisfy(
      (e) => ValidationError.isInstance(e) && /maxIterations/.test((e as Error).message),
    );
    expect(await store.readMeta("bad")).toBeNull();
  });

  it("freezes its configuration and checks plugin specifications", async () => {
    const tracker = createTracker({ store: memoryStore() });
    expect(Object.isFrozen(tracker)).toBe(true);
    expect(Object.isFrozen(tracker.analyzers)).toBe(true);
    const run = await tracker.start({ gate });
    expect(Object.isFrozen(run.meta.gate?.criteria[0])).toBe(true);
    const v2 = { ...memoryStore(), specificationVersion: "v2" } as unknown as Store;
    expect(() => createTracker({ store: v2 })).toThrow(ConfigurationError);
    expect(() => createTracker({} as never)).toThrow(/needs a store/);
  });

  it("runs analyzers in order over a base trajectory and wraps their failures", async () => {
    const first: Analyzer = {
      specificationVersion: "v1",
      name: "first",
      analyze: ({ records }) => ({
        convergence_status: "CONVERGING",
        parameter_impact: { n: records.length },
      }),
    };
    const second: Analyzer = {
      specificationVersion: "v1",
      name: "second",
      analyze: async () => ({ gradient_direction: "ASCENDING" }),
    };
    const tracker = createTracker({ store: memoryStore(), analyzers: [first, second] });
    const run = await tracker.start({ gate });
    await run.log({ metrics: { sharpe_ratio: 0.5, max_drawdown: 0.1 } });
    await run.log({ metrics: { sharpe_ratio: Number.NaN, max_drawdown: 0.1, extra: 2 } });
    const t = await run.analyze();
    expect(t).toMatchObject({
      convergence_status: "CONVERGING",
      gradient_direction: "ASCENDING",
      parameter_impact: { n: 2 },
      total_iterations: 2,
    });
    expect(t.metric_history.extra).toEqual([Number.NaN, 2]);
    expect(t.distance_to_goal).toBeCloseTo(0.5, 12); // NaN sharpe: distance 1; drawdown passes: 0

    const broken: Analyzer = {
      specificationVersion: "v1",
      name: "broken",
      analyze: () => {
        throw new Error("boom");
      },
    };
    const run2 = await createTracker({ store: memoryStore(), analyzers: [broken] }).start();
    await expect(run2.analyze()).rejects.toSatisfy(
      (e) =>
        PluginError.isInstance(e) && /analyzer "broken" failed: boom/.test((e as Error).message),
    );
  });

  it("validates an advisor's assessment", async () => {
    const liar: Advisor = {
      specificationVersion: "v1",
      name: "liar",
      advise: async () => ({ source: "liar", assessment: { next_action: "MAYBE" } as never }),
    };
    const run = await createTracker({ store: memoryStore(), advisor: liar }).start();
    await expect(run.advise()).rejects.toThrow(/assessment\.next_action/);
    const noAdvisor = await createTracker({ store: memoryStore() }).start();
    await expect(noAdvisor.advise()).rejects.toThrow(/has no advisor/);
  });

  it("finish writes the summary and status into meta", async () => {
    const store = memoryStore();
    const run = await createTracker({ store }).start({ experimentId: "fin", gate });
    await run.log({
      metrics: { sharpe_ratio: 0.9, max_drawdown: 0.1 },
      failure_analysis: { root_cause: "too timid" },
      cost: 0.5,
    });
    await run.log({
      metrics: { sharpe_ratio: 1.1, max_drawdown: 0.1 },
      action_taken: "SUCCESS",
      cost: 0.25,
    });
    const summary = await run.finish();
    expect(summary).toMatchObject({
      status: "SUCCESS",
      best_iteration: 2,
      total_iterations: 2,
      total_cost: 0.75,
      lessons_learned: ["too timid"],
    });
    expect((await store.readMeta("fin"))?.summary?.best_iteration).toBe(2);
    expect((await store.readMeta("fin"))?.status).toBe("SUCCESS");
  });
});

describe("deriveParameterChanges", () => {
  it("compares values by their canonical JSON", () => {
    expect(
      deriveParameterChanges({ a: { x: 1, y: 2 }, b: [1, 2] }, { a: { y: 2, x: 1 }, b: [2, 1] }),
    ).toEqual({
      b: { from: [1, 2], to: [2, 1] },
    });
    expect(deriveParameterChanges(undefined, { a: 1 })).toEqual({});
  });
});
