import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ConfigurationError,
  CorruptRecordError,
  ExperimentMetaSchema,
  ExperimentNotFoundError,
  StoreError,
  type StoreNotice,
  serializeRecord,
  ValidationError,
} from "@converge/core";
import { SAMPLE_LOG_PATH } from "@converge/test-kit";
import { describe, expect, it } from "vitest";
import { jsonlStore } from "./index.js";
import { record, rejection, tempDir } from "./test-fixtures/helpers.js";

describe("reading logs written by the Python logger", () => {
  it("loads the Python logger's three-line sample with every iteration, parameter and metric", async () => {
    const dir = tempDir();
    copyFileSync(SAMPLE_LOG_PATH, join(dir, "exp_20260118_143022.jsonl"));
    const store = jsonlStore({ dir });
    const records = await store.read("exp_20260118_143022");

    expect(records.map((r) => r.iteration)).toEqual([1, 2, 3]);
    expect(records.map((r) => r.strategy_name)).toEqual([
      "AAPL_Momentum_v1",
      "AAPL_Momentum_v2",
      "AAPL_Momentum_v3",
    ]);
    expect(records.map((r) => r.parameters)).toEqual([
      { position_size: 0.1, rsi_threshold: 70, stop_loss: 0.15 },
      { position_size: 0.15, rsi_threshold: 70, stop_loss: 0.15 },
      { position_size: 0.2, rsi_threshold: 75, stop_loss: 0.12 },
    ]);
    expect(records.map((r) => r.metrics)).toEqual([
      { sharpe_ratio: 0.75, max_drawdown: 0.22, win_rate: 0.48 },
      { sharpe_ratio: 0.85, max_drawdown: 0.2, win_rate: 0.5 },
      { sharpe_ratio: 1.05, max_drawdown: 0.18, win_rate: 0.52 },
    ]);
    expect(records.map((r) => [r.gate_passed, r.gate_score, r.action_taken])).toEqual([
      [false, 0.65, "TUNE_PARAMETERS"],
      [false, 0.75, "TUNE_PARAMETERS"],
      [true, 0.92, "SUCCESS"],
    ]);
    expect(records[2]?.parameter_changes).toEqual({
      position_size: 0.2,
      rsi_threshold: 75,
      stop_loss: 0.12,
    });
    expect(records[1]?.timestamp).toBe("2026-01-18T14:35:10Z");
    expect(records[0]?.compute_time).toBe(45.2);
    // Fields the Python logger did not write take their defaults.
    expect(records[0]).toMatchObject({
      schema_version: 1,
      strategy_code: "",
      cost: 0,
      llm_usage: [],
    });

    expect(await store.list()).toEqual([{ experiment_id: "exp_20260118_143022", meta: null }]);
    expect(await store.readMeta("exp_20260118_143022")).toBeNull();
    expect(store.notices).toEqual([]);
  });

  it("reads a Python logger's file (no Z, fields missing, NaN as null) and appends after it", async () => {
    const dir = tempDir();
    const lines = [
      '{"experiment_id":"py","iteration":1,"timestamp":"2026-01-18T14:30:22.123456","metrics":{"sharpe_ratio":null}}',
      '{"experiment_id":"py","iteration":2,"timestamp":"2026-01-18T14:35:10","metrics":{"sharpe_ratio":0.9},"strategy_code":"def f(): pass"}',
    ];
    writeFileSync(join(dir, "py.jsonl"), `${lines.join("\n")}\n`);
    const store = jsonlStore({ dir });
    const [first, second] = await store.read("py");
    expect(first?.timestamp).toBe("2026-01-18T14:30:22.123456Z");
    expect(Number.isNaN(first?.metrics.sharpe_ratio)).toBe(true);
    expect(second).toMatchObject({
      timestamp: "2026-01-18T14:35:10Z",
      strategy_code: "def f(): pass",
    });

    await store.append(record("py", 3));
    await store.close();
    expect((await store.read("py")).map((r) => r.iteration)).toEqual([1, 2, 3]);
    // The Python logger's lines are left exactly as they were.
    expect(readFileSync(join(dir, "py.jsonl"), "utf8").startsWith(`${lines.join("\n")}\n`)).toBe(
      true,
    );
  });
});

describe("durability modes", () => {
  for (const durability of ["none", "batch", "every"] as const) {
    it(`"${durability}" appends, closes and reads back`, async () => {
      const dir = tempDir();
      const store = jsonlStore({ dir, durability, batchSize: 7 });
      expect(store.durability).toBe(durability);
      for (let i = 1; i <= 30; i++) await store.append(record("exp", i));
      await store.close();
      const records = await store.read("exp");
      expect(records.map((r) => r.iteration)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });
  }
});

describe("options", () => {
  it("rejects bad options with a ConfigurationError naming the option", () => {
    const bad: [unknown, string][] = [
      [{ dir: "x", durability: "always" }, "durability"],
      [{ dir: "" }, "dir"],
      [{}, "dir"],
      [{ dir: "x", lockTimeoutMs: -1 }, "lockTimeoutMs"],
      [{ dir: "x", batchSize: 0 }, "batchSize"],
      [{ dir: "x", onNotice: "log" }, "onNotice"],
      [{ dir: "x", durabilty: "none" }, "durabilty"],
    ];
    for (const [options, name] of bad) {
      let error: unknown;
      try {
        jsonlStore(options as never);
      } catch (e) {
        error = e;
      }
      expect(ConfigurationError.isInstance(error), JSON.stringify(options)).toBe(true);
      expect((error as Error).message).toContain(name);
    }
  });

  it("is a v1 store named after its directory", () => {
    const store = jsonlStore({ dir: "some/where" });
    expect(store).toMatchObject({
      specificationVersion: "v1",
      name: "jsonl:some/where",
      dir: "some/where",
    });
    expect(store.durability).toBe("batch");
  });
});

describe("read", () => {
  it("says which file and line is corrupt, and skips and reports it when lenient", async () => {
    const dir = tempDir();
    const file = join(dir, "exp.jsonl");
    const bad = '{"experiment_id":"exp","iteration":2,"metrics":{"sharpe_ratio":"high"}}';
    writeFileSync(
      file,
      [
        serializeRecord(record("exp", 1)),
        "not json",
        bad,
        "",
        "   ",
        serializeRecord(record("exp", 4)),
      ]
        .map((l) => `${l}\n`)
        .join(""),
    );
    const seen: StoreNotice[] = [];
    const store = jsonlStore({ dir, onNotice: (n) => seen.push(n) });

    const error = await rejection(store.read("exp"));
    expect(CorruptRecordError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ file, line: 2 });
    expect((error as Error).message).toContain(`${file}:2`);
    expect((error as Error).message).toContain("lenient");

    const records = await store.read("exp", { lenient: true });
    expect(records.map((r) => r.iteration)).toEqual([1, 4]);
    expect(seen.map((n) => [n.kind, n.line])).toEqual([
      ["skipped-line", 2],
      ["skipped-line", 3],
    ]);
    expect(seen[1]?.message).toContain("metrics.sharpe_ratio");
    expect(store.notices).toEqual(seen);
  });

  it("throws ExperimentNotFoundError for an unknown experiment, [] for one with meta only", async () => {
    const dir = tempDir();
    const store = jsonlStore({ dir });
    const error = await rejection(store.read("nothing"));
    expect(ExperimentNotFoundError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(dir);
    await store.writeMeta(ExperimentMetaSchema.parse({ experiment_id: "planned" }));
    expect(await store.read("planned")).toEqual([]);
    const iterated: unknown[] = [];
    for await (const r of store.iterate("planned")) iterated.push(r);
    expect(iterated).toEqual([]);
    expect(ValidationError.isInstance(await rejection(store.read("../x")))).toBe(true);
  });

  it("turns a records file that cannot be read or opened into a StoreError naming it", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "odd.jsonl")); // a directory where the file should be
    const store = jsonlStore({ dir, lockTimeoutMs: 100 });
    const readError = await rejection(store.read("odd"));
    expect(StoreError.isInstance(readError)).toBe(true);
    expect(readError).toMatchObject({ code: "EISDIR" });
    expect((readError as Error).message).toContain(`Could not read ${join(dir, "odd.jsonl")}`);
    const appendError = await rejection(store.append(record("odd", 1)));
    expect(StoreError.isInstance(appendError)).toBe(true);
    expect((appendError as Error).message).toContain(
      `Could not open ${join(dir, "odd.jsonl")} for append`,
    );
    expect(existsSync(join(dir, "odd.jsonl.lock"))).toBe(false);
  });

  it("streams records in file order with iterate, across chunk boundaries and multi-byte text", async () => {
    const dir = tempDir();
    const store = jsonlStore({ dir, durability: "none" });
    // A line far larger than one read chunk, and text whose UTF-8 bytes straddle chunk edges.
    const huge = "αβγ😀".repeat(300_000);
    for (let i = 1; i <= 40; i++) {
      await store.append(
        record("exp", i, { strategy_code: i % 10 === 0 ? huge : `ü${"ß".repeat(i * 999)}` }),
      );
    }
    await store.close();
    let expected = 1;
    for await (const r of store.iterate("exp")) {
      expect(r.iteration).toBe(expected);
      expect(r.strategy_code).toBe(expected % 10 === 0 ? huge : `ü${"ß".repeat(expected * 999)}`);
      expected++;
    }
    expect(expected).toBe(41);
    const missing = store.iterate("missing")[Symbol.asyncIterator]().next();
    expect(ExperimentNotFoundError.isInstance(await rejection(missing))).toBe(true);
  });
});
