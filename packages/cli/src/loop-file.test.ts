import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkLoopFile, LoopFileError, loadLoopFile } from "./loop-file.js";

const EXAMPLE = join(import.meta.dirname, "../../../examples/python-backtest");

const valid = () => ({
  gate: { criteria: [{ metric: "sharpe_ratio", op: ">=", threshold: 1 }] },
  strategy: { name: "momentum", parameters: { lookback: 20, mode: "fast" } },
  parameters: {
    lookback: { type: "int", min: 5, max: 60 },
    mode: { type: "choice", values: ["fast", "slow"] },
  },
  maxIterations: 5,
  evaluator: { command: ["python3", "backtest.py"] },
});

/** The problems of a file, or [] when it is valid. */
function problems(data: unknown): readonly string[] {
  try {
    checkLoopFile(data, "loop.json");
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(LoopFileError);
    return (error as LoopFileError).problems;
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the loop file", () => {
  it("refuses allowCode without a code file to change", () => {
    const refiner = { kind: "llm", provider: "openai", allowCode: true };
    expect(problems({ ...valid(), refiner })).toEqual([
      expect.stringMatching(
        /^refiner\.allowCode: true, but there is no code to change — a file holding/,
      ),
    ]);
    const withCode = { ...valid(), refiner, strategy: { ...valid().strategy, code_file: "s.py" } };
    expect(problems(withCode)).toEqual([]);
  });

  it("accepts a minimal file and fills the defaults", () => {
    const file = checkLoopFile(valid());
    expect(file.advisor).toEqual({ kind: "rule" });
    expect(file.refiner).toEqual({ kind: "rule" });
    expect(file.onEvaluationError).toBe("stop");
    expect(file.allowRepeats).toBe(false);
  });

  it("names a missing evaluator command with the fix", () => {
    const data = { ...valid(), evaluator: {} };
    expect(problems(data)).toEqual([
      'evaluator.command: required — the command that evaluates one strategy, e.g. ["python3", "backtest.py"]',
    ]);
  });

  it.each([
    ["gate", (d: Record<string, unknown>) => delete d.gate, /^gate: required — the quality gate/],
    ["strategy", (d: Record<string, unknown>) => delete d.strategy, /^strategy: required/],
    ["parameters", (d: Record<string, unknown>) => delete d.parameters, /^parameters: required/],
    [
      "maxIterations",
      (d: Record<string, unknown>) => {
        d.maxIterations = 0;
      },
      /^maxIterations: .*>=\s*1.* — the most iterations to run/,
    ],
    [
      "gate criterion op",
      (d: Record<string, unknown>) => {
        d.gate = { criteria: [{ metric: "x", op: "=>", threshold: 1 }] };
      },
      /^gate\.criteria\[0\]\.op: /,
    ],
    [
      "parameter bounds",
      (d: Record<string, unknown>) => {
        d.parameters = { lookback: { type: "int", min: 9, max: 5 } };
        d.strategy = { name: "m", parameters: { lookback: 7 } };
      },
      /^parameters\.lookback: min must be <= max/,
    ],
    [
      "starting parameters outside the space",
      (d: Record<string, unknown>) => {
        d.strategy = { name: "m", parameters: { lookback: 99, mode: "fast" } };
      },
      /^strategy\.parameters: lookback = 99 is outside \[5, 60\]/,
    ],
    [
      "advisor kind",
      (d: Record<string, unknown>) => {
        d.advisor = { kind: "gemini" };
      },
      /^advisor\.kind: .* — who reads the trajectory/,
    ],
    [
      "refiner kind",
      (d: Record<string, unknown>) => {
        d.refiner = { kind: "llm", provider: "mistral" };
      },
      /^refiner\.provider: /,
    ],
    [
      "refiner command",
      (d: Record<string, unknown>) => {
        d.refiner = { kind: "command", command: [] };
      },
      /^refiner\.command: name at least the program/,
    ],
    [
      "onEvaluationError",
      (d: Record<string, unknown>) => {
        d.onEvaluationError = "retry";
      },
      /^onEvaluationError: .* — what a failed evaluation does/,
    ],
    [
      "evaluator timeout",
      (d: Record<string, unknown>) => {
        d.evaluator = { command: ["x"], timeoutSeconds: -1 };
      },
      /^evaluator\.timeoutSeconds: .* — how long one evaluation may take/,
    ],
    [
      "an unknown field",
      (d: Record<string, unknown>) => {
        d.maxIteration = 3;
      },
      /^\(the file\): unknown field maxIteration — the fields are .*maxIterations/,
    ],
    [
      "experimentId",
      (d: Record<string, unknown>) => {
        d.experimentId = "a b/c";
      },
      /^experimentId: use letters, digits/,
    ],
  ])("names a bad %s", (_name, change, pattern) => {
    const data = valid() as Record<string, unknown>;
    change(data);
    const found = problems(data);
    expect(found.length).toBeGreaterThan(0);
    expect(
      found.some((p) => pattern.test(p)),
      found.join("\n"),
    ).toBe(true);
  });

  it("lists every problem at once", () => {
    expect(problems({})).toHaveLength(5);
  });

  it("reads the example's JSON and YAML files to the same loop", async () => {
    const json = await loadLoopFile(join(EXAMPLE, "loop.json"), "/");
    const yaml = await loadLoopFile(join(EXAMPLE, "loop.yaml"), "/");
    const strip = ({ path: _p, ...rest }: { path: string }) => rest;
    expect(strip(yaml)).toEqual(strip(json));
    expect(json.dir).toBe(EXAMPLE);
    expect(json.store).toBe("jsonl:./experiments");
  });

  it("reports bad syntax, a missing file and an unreadable code file as usage errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loop-file-"));
    dirs.push(dir);
    writeFileSync(join(dir, "bad.yaml"), "gate: [unclosed\n");
    await expect(loadLoopFile("bad.yaml", dir)).rejects.toThrow(/not valid YAML/);
    writeFileSync(join(dir, "bad.json"), "{ gate: 1 }");
    await expect(loadLoopFile("bad.json", dir)).rejects.toThrow(/not valid JSON/);
    await expect(loadLoopFile("missing.json", dir)).rejects.toThrow(/does not exist/);
    const data = valid() as Record<string, unknown>;
    data.strategy = { name: "m", parameters: { lookback: 7, mode: "fast" }, code_file: "s.py" };
    writeFileSync(join(dir, "code.json"), JSON.stringify(data));
    await expect(loadLoopFile("code.json", dir)).rejects.toThrow(/strategy\.code_file: .*s\.py/);
    writeFileSync(join(dir, "s.py"), "print(1)\n");
    const file = await loadLoopFile("code.json", dir);
    expect(file.code).toBe("print(1)\n");
    expect(file.codePath).toBe(join(dir, "s.py"));
  });
});
