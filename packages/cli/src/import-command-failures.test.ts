/**
 * `converge import` when records cannot all be written: the summary counts
 * what was written, names what failed and why, and the exit code is 1. The
 * write failures are real: a full file system (a 64 KB tmpfs mounted in the
 * test's own temp folder; we run as root) and a meta path that is a directory.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeTempDirs, runCli, SAMPLE_LOG, tempDir } from "./test-fixtures/run-cli.js";

const SAMPLE_LINES = readFileSync(SAMPLE_LOG, "utf8").trim().split("\n");

/** A JSONL log of `id`: the sample log's first record once per iteration, with `extra` fields. */
function logLines(id: string, iterations: readonly number[], extra: Record<string, unknown> = {}) {
  const base = JSON.parse(SAMPLE_LINES[0] as string) as Record<string, unknown>;
  return iterations.map((iteration) =>
    JSON.stringify({ ...base, ...extra, experiment_id: id, iteration }),
  );
}

function writeLog(dir: string, id: string, lines: readonly string[]): void {
  writeFileSync(join(dir, `${id}.jsonl`), `${lines.join("\n")}\n`);
}

/** The iterations a JSONL file holds, in file order. */
function iterationsIn(file: string): number[] {
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { iteration: number }).iteration);
}

afterAll(removeTempDirs);

describe("converge import: what was written, and what failed", () => {
  it("copies a record with a 200-level nested parameter and counts it", () => {
    const src = tempDir();
    const dest = tempDir();
    let deep: unknown = "bottom";
    for (let i = 0; i < 200; i++) deep = { level: deep };
    writeLog(src, "exp_deep", [
      ...logLines("exp_deep", [1]),
      ...logLines("exp_deep", [2], { parameters: { nested: deep } }),
      ...logLines("exp_deep", [3]),
    ]);
    const { code, stdout, stderr } = runCli(["import", src, dest, "-q"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("exp_deep: 3 records copied\n");
    expect(stdout).toContain(
      `Imported 1 experiment into jsonl:${dest}: 3 records copied, 0 already there.`,
    );
    const written = readFileSync(join(dest, "exp_deep.jsonl"), "utf8").trim().split("\n");
    expect(written).toHaveLength(3);
    expect(JSON.parse(written[1] as string).parameters.nested).toEqual(deep);
  });

  it("copies an out-of-order log in iteration order", () => {
    const src = tempDir();
    const dest = tempDir();
    writeLog(src, "exp_shuffled", logLines("exp_shuffled", [1, 3, 2]));
    const { code, stdout } = runCli(["import", src, dest, "-q"]);
    expect(code).toBe(0);
    expect(stdout).toContain("exp_shuffled: 3 records copied\n");
    expect(iterationsIn(join(dest, "exp_shuffled.jsonl"))).toEqual([1, 2, 3]);
  });

  it("names an experiment whose destination meta cannot be read, copies the others, exits 1", () => {
    const src = tempDir();
    const dest = tempDir();
    writeLog(src, "exp_a", logLines("exp_a", [1, 2]));
    writeLog(src, "exp_b", logLines("exp_b", [1]));
    writeFileSync(join(src, "exp_b.meta.json"), metaOf("exp_b"));
    // A directory where the meta file goes: reading it fails for real (EISDIR).
    mkdirSync(join(dest, "exp_b.meta.json"));
    const { code, stdout, stderr } = runCli(["import", src, dest, "-q"]);
    expect(code).toBe(1);
    expect(stdout).toContain("exp_a: 2 records copied\n");
    expect(stdout).toContain(
      "exp_b: 0 records copied, then stopped: reading the destination failed\n",
    );
    expect(stdout).toContain(
      `Imported 1 of 2 experiments into jsonl:${dest}: 2 records copied, 0 already there.`,
    );
    expect(stderr).toContain("error: exp_b: reading the destination failed:");
    expect(stderr).toMatch(
      /1 experiment\(s\) could not be copied completely: exp_b \(reading the destination: .*exp_b\.meta\.json/,
    );
    expect(stderr).toContain("The others were copied.");
    expect(iterationsIn(join(dest, "exp_a.jsonl"))).toEqual([1, 2]);
  });

  it("lists at most ten failed experiments by name", () => {
    const src = tempDir();
    writeLog(src, "exp_there", logLines("exp_there", [1]));
    const missing = Array.from({ length: 12 }, (_, i) => `exp_missing_${i + 1}`);
    const { code, stdout, stderr } = runCli([
      "import",
      src,
      tempDir(),
      ...missing,
      "exp_there",
      "-q",
    ]);
    expect(code).toBe(1);
    expect(stdout).toContain("Imported 1 of 13 experiments into");
    expect(stdout).toContain("1 record copied, 0 already there.");
    const last = stderr.trim().split("\n").at(-1) ?? "";
    expect(last).toContain(
      "12 experiment(s) could not be copied completely: exp_missing_1 (reading the source:",
    );
    expect(last).toContain("exp_missing_10 (reading the source:");
    expect(last).not.toContain("exp_missing_11 (");
    expect(last).toContain("and 2 more (see the messages above)");
  });
});

/** A valid meta file's text for `id`. */
function metaOf(id: string): string {
  return JSON.stringify({
    experiment_id: id,
    directive: "meta test",
    gate: { criteria: [{ metric: "sharpe_ratio", op: ">=", threshold: 1 }] },
    created_at: "2026-02-01T10:00:00.000Z",
  });
}

describe("converge import onto a full file system", () => {
  let full: string;
  beforeAll(() => {
    full = tempDir("converge-import-full-");
    // 64 KB: the meta and small records fit, a 100 KB record does not.
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", full]);
  });
  afterAll(() => {
    execFileSync("umount", [full]);
  });

  it("counts the records written before the failure, names the iteration and exits 1", () => {
    const src = tempDir();
    writeLog(src, "exp_a", logLines("exp_a", [1, 2, 3]));
    writeLog(src, "exp_b", [
      ...logLines("exp_b", [1]),
      ...logLines("exp_b", [2], { strategy_code: "x".repeat(100_000) }),
      ...logLines("exp_b", [3]),
    ]);
    const { code, stdout, stderr } = runCli(["import", src, full, "-q"]);
    expect(code).toBe(1);
    expect(stdout).toContain("exp_a: 3 records copied\n");
    expect(stdout).toContain("exp_b: 1 record copied, then stopped: writing iteration 2 failed\n");
    expect(stdout).toContain(
      `Imported 1 of 2 experiments into jsonl:${full}: 4 records copied (1 of them into experiment(s) that then failed), 0 already there.`,
    );
    expect(stderr).toMatch(/error: exp_b: writing iteration 2 failed: .*ENOSPC/);
    expect(stderr).toMatch(/could not be copied completely: exp_b \(writing iteration 2: .*ENOSPC/);
    // What the summary says is what the destination holds.
    expect(iterationsIn(join(full, "exp_a.jsonl"))).toEqual([1, 2, 3]);
    expect(iterationsIn(join(full, "exp_b.jsonl"))).toEqual([1]);
  });
});
