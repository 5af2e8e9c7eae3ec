/**
 * Records that contradict their file: a repeated iteration, iterations out of
 * order, a record of another experiment. Written by hand into real files, as
 * a merge, a copy or a second logger would leave them.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ExperimentRecord,
  isIntegrityNotice,
  type StoreNotice,
  serializeRecord,
} from "@converge/core";
import { describe, expect, it } from "vitest";
import { jsonlStore } from "./index.js";
import { record, tempDir } from "./test-fixtures/helpers.js";

type Fields = Record<string, unknown>;

/** A store whose `exp.jsonl` holds the given records, one a line, exactly in this order. */
function storeWith(records: ExperimentRecord[], tail = "") {
  const dir = tempDir();
  const file = join(dir, "exp.jsonl");
  writeFileSync(file, records.map((r) => `${serializeRecord(r)}\n`).join("") + tail);
  const seen: StoreNotice[] = [];
  const store = jsonlStore({ dir, onNotice: (n) => seen.push(n) });
  return { store, file, seen };
}

const rec = (iteration: number, fields: Fields = {}) => record("exp", iteration, fields);

async function streamed(store: ReturnType<typeof jsonlStore>): Promise<number[]> {
  const out: number[] = [];
  for await (const r of store.iterate("exp")) out.push(r.iteration);
  return out;
}

describe("duplicate iterations", () => {
  it("keep the first record: a later duplicate cannot flip the experiment to SUCCESS", async () => {
    const { store, file, seen } = storeWith([
      rec(1),
      rec(2, { gate_passed: false, action_taken: "TUNE_PARAMETERS" }),
      rec(2, { gate_passed: true, action_taken: "SUCCESS" }),
      rec(3, { gate_passed: false, action_taken: "TUNE_PARAMETERS" }),
    ]);
    const records = await store.read("exp");
    expect(records.map((r) => [r.iteration, r.gate_passed, r.action_taken])).toEqual([
      [1, false, ""],
      [2, false, "TUNE_PARAMETERS"],
      [3, false, "TUNE_PARAMETERS"],
    ]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      kind: "duplicate-iteration",
      experimentId: "exp",
      file,
      line: 3,
    });
    expect(seen[0]?.message).toBe(
      `${file}:3: iteration 2 appears again; kept the first one (line 2) and dropped line 3 (delete one of the two lines to silence this)`,
    );
    expect(isIntegrityNotice(seen[0] as StoreNotice)).toBe(true);
  });

  it("are found far from the first one, after records out of order too, and in a final line without newline", async () => {
    const inOrder = Array.from({ length: 1000 }, (_, i) => rec(i + 1));
    const { store, seen } = storeWith(
      inOrder.concat([rec(500), rec(1002), rec(1001), rec(1002), rec(700)]),
      serializeRecord(rec(1001)), // whole record, no final "\n"
    );
    const records = await store.read("exp");
    expect(records.map((r) => r.iteration)).toEqual(Array.from({ length: 1002 }, (_, i) => i + 1));
    expect(seen.map((n) => [n.kind, n.line])).toEqual([
      ["duplicate-iteration", 1001],
      ["out-of-order", 1003],
      ["duplicate-iteration", 1004],
      ["duplicate-iteration", 1005],
      ["duplicate-iteration", 1006],
    ]);
    expect(seen[0]?.message).toContain("kept the first one (line 500)");
    expect(seen[2]?.message).toContain("kept the first one (line 1002)");
    expect(seen[3]?.message).toContain(
      "iteration 700 appears again; kept the first one (line 700)",
    );
    expect(seen[4]?.message).toContain(
      "iteration 1001 appears again; kept the first one (line 1003)",
    );
  });
});

describe("iterations out of order", () => {
  it("read() returns them sorted (stable) and reports the first out-of-order record once", async () => {
    const { store, file, seen } = storeWith([rec(1), rec(4), rec(2), rec(3), rec(6), rec(5)]);
    const records = await store.read("exp");
    expect(records.map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: "out-of-order", file, line: 3 });
    expect(seen[0]?.message).toContain(
      `${file}:3: iteration 2 comes after iteration 4 (line 2); the records are not in iteration order, and read() returns them sorted`,
    );
    expect(isIntegrityNotice(seen[0] as StoreNotice)).toBe(true);
  });

  it("iterate() streams them in file order, with the same notice", async () => {
    const { store, seen } = storeWith([rec(1), rec(3), rec(2)]);
    expect(await streamed(store)).toEqual([1, 3, 2]);
    expect(seen.map((n) => [n.kind, n.line])).toEqual([["out-of-order", 3]]);
  });
});

describe("records of another experiment", () => {
  it("are skipped with a notice naming the line and both ids", async () => {
    const { store, file, seen } = storeWith([rec(1), record("other_exp", 2), rec(2)]);
    const records = await store.read("exp");
    expect(records.map((r) => [r.experiment_id, r.iteration])).toEqual([
      ["exp", 1],
      ["exp", 2],
    ]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: "foreign-record", experimentId: "exp", file, line: 2 });
    expect(seen[0]?.message).toBe(
      `${file}:2: skipped a record of experiment "other_exp" in the file of "exp" (move the line to other_exp.jsonl if it belongs there, or delete it)`,
    );
    expect(isIntegrityNotice(seen[0] as StoreNotice)).toBe(true);
  });

  it("do not count as the first of their iteration: the experiment's own record is kept", async () => {
    const { store, seen } = storeWith([record("other_exp", 1), rec(1, { strategy_name: "mine" })]);
    const records = await store.read("exp");
    expect(records.map((r) => r.strategy_name)).toEqual(["mine"]);
    expect(seen.map((n) => n.kind)).toEqual(["foreign-record"]);
  });
});

describe("a clean file", () => {
  it("reads with no notice at all", async () => {
    const { store, seen } = storeWith(Array.from({ length: 50 }, (_, i) => rec(i * 2)));
    expect((await store.read("exp")).length).toBe(50);
    expect(await streamed(store)).toHaveLength(50);
    expect(seen).toEqual([]);
  });
});
