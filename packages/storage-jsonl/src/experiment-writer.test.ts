import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  CorruptRecordError,
  IterationConflictError,
  type StoreNotice,
  serializeRecord,
  ValidationError,
} from "@converge/core";
import { describe, expect, it } from "vitest";
import { jsonlStore } from "./index.js";
import { record, rejection, tempDir } from "./test-fixtures/helpers.js";

describe("append", () => {
  it("writes one line per record and continues the numbering after a reopen", async () => {
    const dir = tempDir();
    const store = jsonlStore({ dir: join(dir, "nested", "experiments") });
    for (let i = 1; i <= 3; i++) await store.append(record("exp", i));
    await store.close();

    const text = readFileSync(join(dir, "nested", "experiments", "exp.jsonl"), "utf8");
    expect(text.split("\n")).toHaveLength(4);
    expect(text.endsWith("\n")).toBe(true);
    expect(JSON.parse(text.split("\n")[1] as string)).toMatchObject({ iteration: 2 });

    const again = jsonlStore({ dir: join(dir, "nested", "experiments") });
    const conflict = await rejection(again.append(record("exp", 3)));
    expect(IterationConflictError.isInstance(conflict)).toBe(true);
    expect(conflict).toMatchObject({ experimentId: "exp", iteration: 3, lastIteration: 3 });
    await again.append(record("exp", 4));
    await again.close();
    expect((await again.read("exp")).map((r) => r.iteration)).toEqual([1, 2, 3, 4]);
  });

  it("rejects an iteration that is not after the last one, keeping the lock and the file", async () => {
    const dir = tempDir();
    const store = jsonlStore({ dir });
    await store.append(record("exp", 5));
    for (const iteration of [5, 4, 0]) {
      const error = await rejection(store.append(record("exp", iteration)));
      expect(IterationConflictError.isInstance(error)).toBe(true);
      expect((error as IterationConflictError).lastIteration).toBe(5);
      expect((error as Error).message).toContain(`cannot append iteration ${iteration}`);
    }
    await store.append(record("exp", 7));
    await store.close();
    expect((await store.read("exp")).map((r) => r.iteration)).toEqual([5, 7]);
  });

  it("names the bad field of invalid input and writes nothing", async () => {
    const dir = tempDir();
    const store = jsonlStore({ dir });
    const cases: [unknown, string][] = [
      [{ experiment_id: "bad", iteration: 1 }, "record.metrics"],
      [
        { experiment_id: "bad", iteration: 1, metrics: { sharpe_ratio: "high" } },
        "record.metrics.sharpe_ratio",
      ],
      [{ experiment_id: "bad", iteration: -1, metrics: {} }, "record.iteration"],
      [{ experiment_id: "../etc/passwd", iteration: 1, metrics: {} }, "record.experiment_id"],
    ];
    for (const [input, field] of cases) {
      const error = await rejection(store.append(input as never));
      expect(ValidationError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message).toContain(field);
    }
    expect(existsSync(join(dir, "bad.jsonl"))).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it("keeps unknown fields and writes non-finite metrics as text", async () => {
    const dir = tempDir();
    const store = jsonlStore({ dir });
    await store.append(
      record("exp", 1, {
        metrics: { sharpe_ratio: Number.NaN, pf: Number.NEGATIVE_INFINITY },
        team: "quant",
      }),
    );
    await store.close();
    const line = JSON.parse(readFileSync(join(dir, "exp.jsonl"), "utf8"));
    expect(line.metrics).toEqual({ sharpe_ratio: "NaN", pf: "-Infinity" });
    expect(line.team).toBe("quant");
    const [back] = await store.read("exp");
    expect(Number.isNaN(back?.metrics.sharpe_ratio)).toBe(true);
    expect(back?.metrics.pf).toBe(Number.NEGATIVE_INFINITY);
  });

  it("serialises concurrent appends of one process without sharing a number", async () => {
    const dir = tempDir();
    const store = jsonlStore({ dir });
    const results = await Promise.allSettled(
      [1, 2, 3, 2, 4].map((i) => store.append(record("exp", i))),
    );
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    await store.close();
    expect((await store.read("exp")).map((r) => r.iteration)).toEqual([1, 2, 3, 4]);
  });

  it("does not read the whole file to open it: a bad line in the middle does not block appends", async () => {
    const dir = tempDir();
    const good = (i: number) => serializeRecord(record("exp", i));
    writeFileSync(join(dir, "exp.jsonl"), `${good(1)}\n{"oops\n${good(2)}\n`);
    const store = jsonlStore({ dir });
    await store.append(record("exp", 3));
    await store.close();
    expect((await store.read("exp", { lenient: true })).map((r) => r.iteration)).toEqual([1, 2, 3]);
  });

  it("refuses to guess the next iteration when the last line is corrupt", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "exp.jsonl"),
      `${serializeRecord(record("exp", 1))}\n\n{"iteration": "two"}\n\n`,
    );
    const store = jsonlStore({ dir });
    const error = await rejection(store.append(record("exp", 2)));
    expect(CorruptRecordError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ line: 3, file: join(dir, "exp.jsonl") });
    expect((error as Error).message).toContain("next iteration number is unknown");
    // The failed open released its lock.
    expect(existsSync(join(dir, "exp.jsonl.lock"))).toBe(false);
  });
});

describe("lock lifecycle", () => {
  it("holds the lock while appending, releases it when idle and on close; close is idempotent", async () => {
    const dir = tempDir();
    const lock = join(dir, "exp.jsonl.lock");
    const store = jsonlStore({ dir });
    await store.append(record("exp", 1));
    expect(JSON.parse(readFileSync(lock, "utf8"))).toMatchObject({ pid: process.pid });
    await sleep(450);
    expect(existsSync(lock)).toBe(false);

    await store.append(record("exp", 2));
    expect(existsSync(lock)).toBe(true);
    await store.close();
    expect(existsSync(lock)).toBe(false);
    await store.close();

    // After close the store reopens transparently.
    await store.append(record("exp", 3));
    await store.close();
    expect((await store.read("exp")).map((r) => r.iteration)).toEqual([1, 2, 3]);
  });

  it("hands the experiment between two stores, each learning what the other appended", async () => {
    const dir = tempDir();
    const a = jsonlStore({ dir });
    const b = jsonlStore({ dir });
    await a.append(record("exp", 1));
    const started = Date.now();
    await b.append(record("exp", 2)); // waits for a's idle release
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    const conflict = await rejection(a.append(record("exp", 2)));
    expect(conflict).toMatchObject({ lastIteration: 2 });
    await a.append(record("exp", 3));
    await Promise.all([a.close(), b.close()]);
    expect((await a.read("exp")).map((r) => r.iteration)).toEqual([1, 2, 3]);
  });
});

describe("tail handling on append", () => {
  it("completes a last line that is a whole record but lost its newline (hand edit)", async () => {
    const dir = tempDir();
    const file = join(dir, "exp.jsonl");
    writeFileSync(
      file,
      `${serializeRecord(record("exp", 1))}\n${serializeRecord(record("exp", 2))}`,
    );
    const store = jsonlStore({ dir });
    expect((await store.read("exp")).map((r) => r.iteration)).toEqual([1, 2]);
    await store.append(record("exp", 3));
    await store.close();
    expect((await store.read("exp")).map((r) => r.iteration)).toEqual([1, 2, 3]);
    expect(store.notices).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.includes("torn"))).toEqual([]);
  });

  it("cuts a torn tail, keeps its bytes beside the file and reports it", async () => {
    const dir = tempDir();
    const file = join(dir, "exp.jsonl");
    const writer = jsonlStore({ dir });
    for (let i = 1; i <= 3; i++) await writer.append(record("exp", i));
    await writer.close();
    const whole = readFileSync(file);
    // A record cut mid-line, mid-character: what a crash during write() leaves.
    const torn = Buffer.from(
      serializeRecord(record("exp", 4, { strategy_name: "ünïcödé" })),
    ).subarray(0, 150);
    appendFileSync(file, torn);

    const reader = jsonlStore({ dir });
    expect((await reader.read("exp")).map((r) => r.iteration)).toEqual([1, 2, 3]);
    expect(reader.notices).toMatchObject([
      { kind: "torn-tail", experimentId: "exp", file, line: 4 },
    ]);
    expect(readFileSync(file).length).toBe(whole.length + torn.length); // reading never modifies

    const seen: StoreNotice[] = [];
    const store = jsonlStore({ dir, onNotice: (n) => seen.push(n) });
    await store.append(record("exp", 4));
    await store.close();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: "torn-tail", file, line: 4 });
    const sidecars = readdirSync(dir).filter((f) => f.startsWith("exp.jsonl.torn-"));
    expect(sidecars).toHaveLength(1);
    expect(seen[0]?.message).toContain(`${torn.length} bytes`);
    expect(seen[0]?.message).toContain(sidecars[0]);
    expect(readFileSync(join(dir, sidecars[0] as string))).toEqual(torn);
    const text = readFileSync(file);
    expect(text.subarray(0, whole.length)).toEqual(whole);
    expect((await store.read("exp")).map((r) => r.iteration)).toEqual([1, 2, 3, 4]);
    expect(await store.list()).toEqual([{ experiment_id: "exp", meta: null }]);
  });
});
