import { describe, expect, it } from "vitest";
import type { Store } from "./contracts.js";
import { inIterationOrder } from "./iteration-order.js";
import { memoryStore } from "./memory-store.js";
import { type ExperimentRecord, parseRecord } from "./record.js";
import { summarize } from "./summary.js";
import { createTracker } from "./tracker.js";

function record(iteration: number, fields: Record<string, unknown> = {}): ExperimentRecord {
  return parseRecord({
    experiment_id: "exp_order",
    iteration,
    metrics: { score: iteration / 10 },
    ...fields,
  });
}

/** A store that hands back what memoryStore holds, newest first, as a careless store might. */
function reversingStore(inner: Store): Store {
  return { ...inner, read: async (id, options) => (await inner.read(id, options)).reverse() };
}

describe("inIterationOrder", () => {
  it("sorts by iteration without touching the caller's array", () => {
    const given = [record(3), record(1), record(2)];
    const copy = [...given];
    const ordered = inIterationOrder(given);
    expect(ordered.map((r) => r.iteration)).toEqual([1, 2, 3]);
    expect(given).toEqual(copy);
  });

  it("returns an array already in order as it is", () => {
    const given = [record(1), record(2), record(5)];
    expect(inIterationOrder(given)).toBe(given);
  });

  it("keeps the first record given of a duplicated iteration", () => {
    const first = record(2, { action_taken: "first" });
    const second = record(2, { action_taken: "second" });
    const ordered = inIterationOrder([record(3), first, record(1), second]);
    expect(ordered.map((r) => r.iteration)).toEqual([1, 2, 3]);
    expect(ordered[1]).toBe(first);
  });
});

describe("summarize in iteration order", () => {
  const records = [
    record(1, { gate_score: 0.4, action_taken: "REFINE" }),
    record(2, { gate_score: 0.9, action_taken: "REFINE" }),
    record(3, { gate_score: 0.9, action_taken: "STOP" }),
  ];

  it("gives the same summary for records out of order", () => {
    const shuffled = [records[2], records[0], records[1]] as ExperimentRecord[];
    const summary = summarize(shuffled);
    expect(summary).toEqual(summarize(records));
    // The first of equal best scores and the last iteration's action, by iteration.
    expect(summary.best_iteration).toBe(2);
    expect(summary.final_recommendation).toBe("STOP");
  });

  it("does not let a duplicated iteration change the count or flip the status", () => {
    const duplicate = record(2, { gate_passed: true, gate_score: 1 });
    const summary = summarize([...records, duplicate]);
    expect(summary.total_iterations).toBe(3);
    expect(summary.status).toBe("IN_PROGRESS");
    expect(summary.best_gate_score).toBe(0.9);
  });
});

describe("a run over a store that returns records out of order", () => {
  it("numbers, analyses and summarises by iteration", async () => {
    const inner = memoryStore();
    for (const r of [record(1), record(2), record(3)]) await inner.append(r);
    const tracker = createTracker({ store: reversingStore(inner) });
    const run = await tracker.resume("exp_order");
    expect(run.records.map((r) => r.iteration)).toEqual([1, 2, 3]);
    const next = await run.log({ metrics: { score: 0.4 } });
    expect(next.iteration).toBe(4);
    const trajectory = await run.analyze();
    expect(trajectory.metric_history.score).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(run.summary().total_iterations).toBe(4);
  });

  it("memoryStore reads in iteration order", async () => {
    const store = memoryStore();
    for (const i of [1, 4, 9]) await store.append(record(i));
    expect((await store.read("exp_order")).map((r) => r.iteration)).toEqual([1, 4, 9]);
  });
});
