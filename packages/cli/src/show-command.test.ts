import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  removeTempDirs,
  runCli,
  SAMPLE_LOG,
  tempDir,
  writeExperiment,
} from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

/** The table row of an iteration: the line whose first cell is that number. */
function row(stdout: string, iteration: number): string[] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((l) => l.trim() === "Iterations");
  const line = lines.slice(start).find((l) => l.trim().split(/\s{2,}/)[0] === String(iteration));
  if (line === undefined) throw new Error(`no row for iteration ${iteration} in:\n${stdout}`);
  return line.trim().split(/\s{2,}/);
}

/** A row of the Parameters table. */
function paramRow(stdout: string, iteration: number): string[] {
  const lines = stdout.split("\n");
  const start = lines.findIndex((l) => l.trim() === "Parameters");
  expect(start).toBeGreaterThan(0);
  const line = lines.slice(start).find((l) => l.trim().split(/\s+/)[0] === String(iteration));
  if (line === undefined) throw new Error(`no parameter row ${iteration} in:\n${stdout}`);
  return line.trim().split(/\s+/);
}

describe("converge show <file> on the Python logger's sample log", () => {
  it("prints the header and all three iterations with parameters and metrics", () => {
    const { code, stdout, stderr } = runCli(["show", SAMPLE_LOG]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/Experiment\s+exp_20260118_143022/);
    // No meta file: the status comes from the gate results (iteration 3 passed).
    expect(stdout).toMatch(/Status\s+SUCCESS\s+\(no meta file/);
    expect(stdout).toMatch(/Iterations\s+3\n/);
    expect(stdout).toMatch(/Compute time\s+2 min 13\.1 s/); // 45.2 + 43.8 + 44.1
    expect(stdout).toMatch(/Best\s+iteration 3, gate score 0\.920/);
    expect(stdout).toMatch(
      /ITER\s+GATE\s+PASSED\s+ACTION\s+sharpe_ratio\s+max_drawdown\s+win_rate\s+CHANGES/,
    );
    expect(row(stdout, 1)).toEqual([
      "1",
      "0.650",
      "no",
      "TUNE_PARAMETERS",
      "0.75",
      "0.22",
      "0.48",
      "-",
    ]);
    expect(row(stdout, 2)).toEqual([
      "2",
      "0.750",
      "no",
      "TUNE_PARAMETERS",
      "0.85",
      "0.2",
      "0.5",
      "position_size→0.15",
    ]);
    expect(row(stdout, 3)).toEqual([
      "3",
      "0.920",
      "yes",
      "SUCCESS",
      "1.05",
      "0.18",
      "0.52",
      "position_size→0.2, rsi_threshold→75, stop_loss→0.12",
    ]);
    expect(stdout).toMatch(/ITER\s+position_size\s+rsi_threshold\s+stop_loss/);
    expect(paramRow(stdout, 1)).toEqual(["1", "0.1", "70", "0.15"]);
    expect(paramRow(stdout, 2)).toEqual(["2", "0.15", "70", "0.15"]);
    expect(paramRow(stdout, 3)).toEqual(["3", "0.2", "75", "0.12"]);
  });

  it("--json gives meta, records and summary", () => {
    const { code, stdout } = runCli(["show", SAMPLE_LOG, "--json"]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual(["meta", "records", "summary"]);
    expect(out.meta).toBeNull();
    expect(out.records).toHaveLength(3);
    expect(out.records.map((r: { iteration: number }) => r.iteration)).toEqual([1, 2, 3]);
    expect(out.records[0].parameters).toEqual({
      position_size: 0.1,
      rsi_threshold: 70,
      stop_loss: 0.15,
    });
    expect(out.records[2].metrics).toEqual({
      sharpe_ratio: 1.05,
      max_drawdown: 0.18,
      win_rate: 0.52,
    });
    expect(out.records[1].parameter_changes).toEqual({ position_size: 0.15 });
    expect(out.records[0].schema_version).toBe(1);
    expect(out.summary).toMatchObject({
      experiment_id: "exp_20260118_143022",
      status: "SUCCESS",
      total_iterations: 3,
      best_iteration: 3,
      best_gate_score: 0.92,
      final_recommendation: "SUCCESS",
    });
    expect(out.summary.total_compute_time).toBeCloseTo(133.1, 9);
  });

  it("finds the file relative to the working directory", () => {
    const dir = tempDir();
    copyFileSync(SAMPLE_LOG, join(dir, "exp_20260118_143022.jsonl"));
    const { code, stdout } = runCli(["show", "exp_20260118_143022.jsonl"], { cwd: dir });
    expect(code).toBe(0);
    expect(row(stdout, 3)[2]).toBe("yes");
  });
});

describe("converge show <id> on a store written by the tracker", () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    await writeExperiment(
      dir,
      {
        experimentId: "exp_nan",
        directive: "Find a Sharpe above 1",
        gate: { criteria: [{ metric: "sharpe_ratio", op: ">=", threshold: 1 }] },
      },
      [
        { parameters: { position_size: 0.1 }, metrics: { sharpe_ratio: Number.NaN, trades: 0 } },
        { parameters: { position_size: 0.2 }, metrics: { sharpe_ratio: 1.2, trades: 14 } },
      ],
    );
    await writeExperiment(dir, { experimentId: "exp_constant" }, [
      { metrics: { loss: 0.5, periods_per_year: 252, rows: 10 } },
      { metrics: { loss: 0.4, periods_per_year: 252, rows: 10 } },
      { metrics: { loss: 0.3, periods_per_year: 252 } },
    ]);
  });

  it("shows a metric with the same value in every iteration as one line, not a column", () => {
    const { code, stdout, stderr } = runCli(["show", "exp_constant", "--store", `jsonl:${dir}`]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const header = stdout.split("\n").find((l) => l.trim().startsWith("ITER")) ?? "";
    expect(header).toMatch(/\bloss\b/);
    expect(header).not.toContain("periods_per_year");
    // rows is missing in iteration 3: not constant in every iteration, so it stays a column.
    expect(header).toContain("rows");
    expect(stdout).toContain("\n  constant in every iteration: periods_per_year 252\n");
    expect(stdout.match(/periods_per_year/g)).toHaveLength(1);
  });

  it("renders non-finite metrics as NaN, the gate and from→to changes", () => {
    const { code, stdout } = runCli(["show", "exp_nan", "--store", `jsonl:${dir}`]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Directive\s+Find a Sharpe above 1/);
    expect(stdout).toMatch(/Gate\s+sharpe_ratio >= 1\n/);
    expect(stdout).toMatch(/Status\s+SUCCESS\n/);
    expect(row(stdout, 1)).toEqual(["1", "0.000", "no", "-", "NaN", "0", "sharpe_ratio", "-"]);
    expect(row(stdout, 2)).toEqual([
      "2",
      "1.000",
      "yes",
      "-",
      "1.2",
      "14",
      "-",
      "position_size 0.1→0.2",
    ]);
  });

  it('--json writes NaN as the string "NaN"', () => {
    const { code, stdout } = runCli(["show", "exp_nan", "--store", dir, "--json"]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.records[0].metrics.sharpe_ratio).toBe("NaN");
    expect(out.records[1].parameter_changes).toEqual({ position_size: { from: 0.1, to: 0.2 } });
    expect(out.meta.experiment_id).toBe("exp_nan");
    expect(out.meta.gate.criteria[0]).toMatchObject({ metric: "sharpe_ratio", threshold: 1 });
    expect(out.summary.best_iteration).toBe(2);
  });

  it("reads the store named by CONVERGE_STORE", () => {
    const { code, stdout } = runCli(["show", "exp_nan"], { env: { CONVERGE_STORE: dir } });
    expect(code).toBe(0);
    expect(stdout).toMatch(/Experiment\s+exp_nan/);
  });

  it("exits 1 with a helpful message for an unknown experiment, without a stack trace", () => {
    const { code, stdout, stderr } = runCli(["show", "exp_missing", "--store", dir]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain('No experiment "exp_missing"');
    expect(stderr).toContain("converge list");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("prints the stack trace with CONVERGE_DEBUG=1", () => {
    const { code, stderr } = runCli(["show", "exp_missing", "--store", dir], {
      env: { CONVERGE_DEBUG: "1" },
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/\n\s+at /);
  });
});

describe("converge show on damaged input", () => {
  function corruptCopy(): string {
    const dir = tempDir();
    const lines = readFileSync(SAMPLE_LOG, "utf8").trimEnd().split("\n");
    // A bad line in the middle: not a torn tail, so the store must not repair it silently.
    const file = join(dir, "exp_20260118_143022.jsonl");
    writeFileSync(file, `${lines[0]}\n{"experiment_id":"exp_20260118_143022","iteration":"two"}\n`);
    appendFileSync(file, `${lines[1]}\n${lines[2]}\n`);
    return file;
  }

  it("exits 1 on a corrupt line and says how to go on", () => {
    const { code, stderr } = runCli(["show", corruptCopy()]);
    expect(code).toBe(1);
    expect(stderr).toContain(":2:");
    expect(stderr).toContain("--lenient");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("--lenient skips the bad line, reports it on stderr and shows the rest", () => {
    const { code, stdout, stderr } = runCli(["show", corruptCopy(), "--lenient"]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning:.*2/);
    expect(row(stdout, 1)[1]).toBe("0.650");
    expect(row(stdout, 3)[1]).toBe("0.920");
    expect(stdout).toMatch(/Iterations\s+3\n/);
  });

  it("exits 1 for a file that does not exist", () => {
    const { code, stderr } = runCli(["show", "./nowhere/exp_1.jsonl"]);
    expect(code).toBe(1);
    expect(stderr).toContain("No such file");
  });

  it("exits 2 for a store scheme this version does not have", () => {
    const { code, stderr } = runCli(["show", "exp_1", "--store", "s3://bucket/experiments"]);
    expect(code).toBe(2);
    expect(stderr).toContain("not available in this version");
    expect(stderr).toContain("jsonl:DIR");
  });
});
