import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readGateOption } from "./gate-option.js";

const dir = mkdtempSync(join(tmpdir(), "converge-gate-option-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const criterion = (metric: string, op: string, threshold: number) => ({
  metric,
  op,
  threshold,
  weight: 1,
  required: true,
});

describe("--gate: a file, JSON, or inline criteria", () => {
  it("reads criteria written inline, several separated by commas", () => {
    expect(readGateOption("val_acc>=0.9", dir).criteria).toEqual([criterion("val_acc", ">=", 0.9)]);
    expect(readGateOption(" val acc > 0.5 , loss<1e-3,  dd<=-2", dir).criteria).toEqual([
      criterion("val acc", ">", 0.5),
      criterion("loss", "<", 0.001),
      criterion("dd", "<=", -2),
    ]);
  });

  it("reads JSON written on the command line: a gate, or its criteria array", () => {
    const json = '{"criteria": [{"metric": "f1", "op": "between", "threshold": [0.2, 0.4]}]}';
    expect(readGateOption(json, dir).criteria[0]).toMatchObject({
      metric: "f1",
      op: "between",
      threshold: [0.2, 0.4],
    });
    expect(readGateOption('[{"metric": "f1", "op": ">=", "threshold": 1}]', dir).criteria).toEqual([
      criterion("f1", ">=", 1),
    ]);
  });

  it("a file that exists is read as a file, whatever its name looks like", () => {
    writeFileSync(
      join(dir, "acc>=1"),
      '{"criteria": [{"metric": "x", "op": "<", "threshold": 3}]}',
    );
    expect(readGateOption("acc>=1", dir).criteria).toEqual([criterion("x", "<", 3)]);
    writeFileSync(
      join(dir, "gate.json"),
      '{"gate": {"criteria": [{"metric": "y", "op": ">", "threshold": 0}]}}',
    );
    expect(readGateOption("gate.json", dir).criteria).toEqual([criterion("y", ">", 0)]);
  });

  it("says what is wrong with a bad criterion, bad JSON or a missing file, and how to write it", () => {
    expect(() => readGateOption("val_acc=>0.9", dir)).toThrow(
      /--gate "val_acc=>0\.9": "val_acc=>0\.9" is not a criterion like val_acc>=0\.9\.\nFix: write criteria as NAME>=X/,
    );
    expect(() => readGateOption("a>=1,b>=x", dir)).toThrow(/"b>=x" is not a criterion/);
    expect(() => readGateOption('{"criteria": [', dir)).toThrow(/--gate is not valid JSON/);
    expect(() => readGateOption('{"criteria": []}', dir)).toThrow(
      /--gate: .*a gate needs at least one criterion/s,
    );
    expect(() => readGateOption("nowhere.json", dir)).toThrow(
      /Cannot read the gate file .*nowhere\.json.*\nFix: .*--gate "sharpe_ratio>=1"/s,
    );
  });
});
