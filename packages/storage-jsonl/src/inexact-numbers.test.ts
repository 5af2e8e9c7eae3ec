/**
 * Number literals JavaScript cannot hold as written, in real record files:
 * integers beyond 2^53 (a Python seed), -0 and literals that underflow to 0.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseRecord, type StoreNotice, serializeRecord } from "@converge/core";
import { describe, expect, it } from "vitest";
import { jsonlStore } from "./index.js";
import { changeOf, inexactNumbers, numberLiterals } from "./inexact-numbers.js";
import { record, tempDir } from "./test-fixtures/helpers.js";

const TINY_ZEROS = `0.${"0".repeat(330)}1`;

function storeWithLines(lines: string[]) {
  const dir = tempDir();
  const file = join(dir, "exp.jsonl");
  writeFileSync(file, lines.map((l) => `${l}\n`).join(""));
  const seen: StoreNotice[] = [];
  return { store: jsonlStore({ dir, onNotice: (n) => seen.push(n) }), file, seen };
}

describe("reading records with inexact numbers", () => {
  it("reports each one with file:line, the field path, the literal and the value held", async () => {
    const { store, file, seen } = storeWithLines([
      '{"experiment_id":"exp","iteration":1,"metrics":{"sharpe_ratio":0.5},"parameters":{"seed":12345678901234567890,"ok":1}}',
      `{"experiment_id":"exp","iteration":2,"parameters":{"grid":[1,-0,3],"nested":{"tiny":1e-400}},"metrics":{"loss":-0.0,"gain":${TINY_ZEROS}}}`,
      '{"experiment_id":"exp","iteration":3,"parameters":{"limit":-9007199254740993},"metrics":{"m":-1e-400}}',
    ]);
    const records = await store.read("exp");
    expect(records[0]?.parameters.seed).toBe(12345678901234567000);
    expect(Object.is(records[1]?.metrics.loss, -0)).toBe(true);

    expect(seen.map((n) => [n.kind, n.line])).toEqual([
      ["inexact-number", 1],
      ["inexact-number", 2],
      ["inexact-number", 2],
      ["inexact-number", 2],
      ["inexact-number", 2],
      ["inexact-number", 3],
      ["inexact-number", 3],
    ]);
    expect(seen.every((n) => n.file === file && n.experimentId === "exp")).toBe(true);
    const messages = seen.map((n) => n.message);
    expect(messages[0]).toBe(
      `${file}:1: parameters.seed is written 12345678901234567890 but JavaScript holds 12345678901234567000 (an integer beyond 2^53 loses precision); store it as a string to keep it exact`,
    );
    expect(messages[1]).toContain(
      `${file}:2: parameters.grid[1] is written -0 but JavaScript holds -0 (JSON writes -0 back as 0`,
    );
    expect(messages[2]).toContain(
      "parameters.nested.tiny is written 1e-400 but JavaScript holds 0 (a non-zero number too small for a double underflows to 0)",
    );
    expect(messages[3]).toContain("metrics.loss is written -0.0 but JavaScript holds -0");
    expect(messages[4]).toContain(
      `metrics.gain is written ${TINY_ZEROS.slice(0, 40)}… (${TINY_ZEROS.length} characters) but JavaScript holds 0`,
    );
    expect(messages[5]).toContain(
      "parameters.limit is written -9007199254740993 but JavaScript holds -9007199254740992",
    );
    expect(messages[6]).toContain(
      "metrics.m is written -1e-400 but JavaScript holds -0 (a non-zero",
    );
  });

  it("says nothing about numbers held exactly, or about suspicious text inside strings", async () => {
    const { store, seen } = storeWithLines([
      // 2^53, a large float, a tiny but representable number, zeros, long fractions.
      '{"experiment_id":"exp","iteration":1,"parameters":{"a":9007199254740992,"b":1e300,"c":5e-324,"d":0,"e":0.0,"f":0e-400,"g":0.30000000000000004,"h":-0.5},"metrics":{"m":0}}',
      // A zero beside strings that look like inexact literals.
      '{"experiment_id":"exp","iteration":2,"strategy_code":"x = 12345678901234567890 * 1e-400 - -0","parameters":{"note":"-0 1e-999","n":0},"metrics":{"m":0}}',
      // Outside parameters and metrics: not this check's business.
      '{"experiment_id":"exp","iteration":3,"extra":{"big":12345678901234567890},"metrics":{"m":1}}',
    ]);
    expect((await store.read("exp")).length).toBe(3);
    expect(seen).toEqual([]);
  });

  it("says nothing about large integral doubles JavaScript itself wrote (they read back the same)", async () => {
    const dir = tempDir();
    const store = jsonlStore({ dir });
    const values = [123456789012345680000, 2 ** 60, -(2 ** 70), 1e21, Number.MAX_VALUE];
    await store.append(
      record("exp", 1, { parameters: { values }, metrics: { big: 2 ** 64, zero: 0 } }),
    );
    await store.close();
    const [read] = await store.read("exp");
    expect(read?.parameters.values).toEqual(values);
    expect(store.notices).toEqual([]);
  });

  it("shows a hostile parameter name safely in the notice", async () => {
    const { store, seen } = storeWithLines([
      '{"experiment_id":"exp","iteration":1,"parameters":{"a\\u001b[2Jb":-0},"metrics":{"m":1}}',
    ]);
    await store.read("exp");
    expect(seen[0]?.message).toContain('parameters["a\\u001b[2Jb"] is written -0');
    expect(seen[0]?.message).not.toContain("\u001b");
  });
});

describe("changeOf", () => {
  it("tells which literals JavaScript holds differently", () => {
    expect(changeOf("12345678901234567890")?.held).toBe("12345678901234567000");
    expect(changeOf("9007199254740993")?.held).toBe("9007199254740992");
    expect(changeOf("-9007199254740993")?.held).toBe("-9007199254740992");
    expect(changeOf("1000000000000000000001")?.held).toBe("1e+21");
    expect(changeOf("-0")?.held).toBe("-0");
    expect(changeOf("-0e5")?.held).toBe("-0");
    expect(changeOf("1e-400")?.reason).toContain("underflows");
    expect(changeOf("-2.5E-999")?.held).toBe("-0");
    for (const exact of [
      "9007199254740992",
      "9007199254740991",
      "123456789012345680000",
      "1000000000000000000000",
      "0",
      "0.0",
      "0e-400",
      "5e-324",
      "1e300",
      "0.1",
      "-0.5",
      "12345678901234567890.5",
    ]) {
      expect(changeOf(exact), exact).toBeUndefined();
    }
  });
});

describe("numberLiterals", () => {
  it("finds every number with its path, skipping numbers inside strings and escaped quotes", () => {
    const text =
      '{"a":1,"s":"x\\"1\\\\","b":[2,{"c\\"d":-3.5e+2},[],[4,5]],"e":{"f":true,"g":null,"h":6E1}}';
    expect(JSON.parse(text)).toBeTruthy();
    expect(numberLiterals(text)).toEqual([
      { path: ["a"], literal: "1" },
      { path: ["b", 0], literal: "2" },
      { path: ["b", 1, 'c"d'], literal: "-3.5e+2" },
      { path: ["b", 3, 0], literal: "4" },
      { path: ["b", 3, 1], literal: "5" },
      { path: ["e", "h"], literal: "6E1" },
    ]);
  });

  it("inexactNumbers looks no deeper than the parsed values for an ordinary record", () => {
    const ordinary = record("exp", 1);
    const line = serializeRecord(ordinary);
    expect(inexactNumbers(line, ordinary)).toEqual([]);
    // A line whose parsed values are ordinary is never scanned, whatever its text holds.
    const lying = parseRecord({ experiment_id: "exp", iteration: 1, metrics: { m: 1 } });
    expect(inexactNumbers('{"parameters":{"x":-0}}', lying)).toEqual([]);
  });
});
