import { copyFileSync, writeFileSync } from "node:fs";
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

describe("converge list", () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    // One experiment from the Python logger (no meta), one from the tracker.
    copyFileSync(SAMPLE_LOG, join(dir, "exp_20260118_143022.jsonl"));
    await writeExperiment(
      dir,
      {
        experimentId: "exp_tracker",
        directive: "Reach a Sharpe ratio of at least 1.0 without a drawdown above twenty percent",
        gate: { criteria: [{ metric: "sharpe_ratio", op: ">=", threshold: 1 }] },
      },
      [
        { parameters: { k: 1 }, metrics: { sharpe_ratio: 0.5 } },
        { parameters: { k: 2 }, metrics: { sharpe_ratio: 0.8 } },
      ],
      { at: "2026-02-01T10:00:00Z" },
    );
  });

  it("prints an aligned table, most recently updated first", () => {
    const { code, stdout, stderr } = runCli(["list", "--store", `jsonl:${dir}`]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(
      /^EXPERIMENT\s+STATUS\s+ITERS\s+BEST GATE\s+BEST ITER\s+UPDATED \(UTC\)\s+DIRECTIVE$/,
    );
    expect(lines[1]).toMatch(/^─+(\s+─+){6}$/);
    const cells = (line: string | undefined) => (line ?? "").split(/\s{2,}/);
    // Its last write (finish) is at 10:03 UTC on 2026-02-01; the sample log ends 2026-01-18.
    expect(cells(lines[2])).toEqual([
      "exp_tracker",
      "IN_PROGRESS",
      "2",
      "0.800",
      "2",
      "2026-02-01 10:03:00Z",
      "Reach a Sharpe ratio of at least 1.0 without a…",
    ]);
    expect(cells(lines[3])).toEqual([
      "exp_20260118_143022",
      "SUCCESS",
      "3",
      "0.920",
      "3",
      "2026-01-18 14:39:55Z",
      "-",
    ]);
    // Columns line up: every status starts at the same offset.
    expect(lines[2]?.indexOf("IN_PROGRESS")).toBe(lines[3]?.indexOf("SUCCESS"));
    expect(stdout).toContain(`2 experiments in jsonl:${dir}`);
  });

  it("--json prints an array with one entry per experiment", () => {
    const { code, stdout } = runCli(["list", "--store", dir, "--json"]);
    expect(code).toBe(0);
    const entries = JSON.parse(stdout);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toEqual({
      experiment_id: "exp_20260118_143022",
      status: "SUCCESS",
      iterations: 3,
      best_gate_score: 0.92,
      best_iteration: 3,
      updated_at: "2026-01-18T14:39:55Z",
      directive: "",
      has_meta: false,
    });
    expect(entries[0]).toMatchObject({
      experiment_id: "exp_tracker",
      iterations: 2,
      best_iteration: 2,
      has_meta: true,
      directive: "Reach a Sharpe ratio of at least 1.0 without a drawdown above twenty percent",
    });
  });

  it("defaults to ./experiments under the working directory", () => {
    const cwd = tempDir();
    const { code, stdout } = runCli(["list"], { cwd });
    expect(code).toBe(0);
    expect(stdout).toContain(`No experiments found in jsonl:${join(cwd, "experiments")}`);
    expect(stdout).toContain("does not exist");
  });

  it("says where it looked when the store is empty", () => {
    const empty = tempDir();
    const { code, stdout } = runCli(["list", "--store", `jsonl:${empty}`]);
    expect(code).toBe(0);
    expect(stdout).toContain(`No experiments found in jsonl:${empty}.`);
    expect(stdout).not.toContain("does not exist");
    const json = runCli(["list", "--store", empty, "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it("exits 1 naming the file when a meta file is not JSON", () => {
    const broken = tempDir();
    copyFileSync(SAMPLE_LOG, join(broken, "exp_20260118_143022.jsonl"));
    writeFileSync(join(broken, "exp_bad.meta.json"), "{bad");
    const { code, stderr } = runCli(["list", "--store", broken]);
    expect(code).toBe(1);
    expect(stderr).toContain(join(broken, "exp_bad.meta.json"));
    expect(stderr).toContain("Fix:");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 for a store scheme this version does not have", () => {
    const { code, stdout, stderr } = runCli(["list", "--store", "postgres://localhost:5432/db"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    // The message (store-uri.ts) names the store and a store that works.
    expect(stderr).toContain('"postgres://localhost:5432/db"');
    expect(stderr).toContain("--store jsonl:DIR");
  });
});
