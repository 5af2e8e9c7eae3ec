import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "./program.js";
import { runMain } from "./test-fixtures/capture-io.js";
import { removeTempDirs, tempDir } from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

/** Writes `<dir>/<id>.jsonl` with `n` records, lines written directly in batches. */
function writeLargeLog(dir: string, id: string, n: number): string {
  const file = join(dir, `${id}.jsonl`);
  const fd = openSync(file, "w");
  try {
    let batch: string[] = [];
    for (let i = 1; i <= n; i++) {
      batch.push(
        `{"experiment_id":"${id}","iteration":${i},"timestamp":"2026-02-01T10:00:00Z","parameters":{"k":${i % 7}},"metrics":{"sharpe_ratio":${(i % 100) / 100}},"gate_passed":false,"gate_score":${(i % 100) / 100},"action_taken":"TUNE"}`,
      );
      if (batch.length === 10_000) {
        writeSync(fd, `${batch.join("\n")}\n`);
        batch = [];
      }
    }
    if (batch.length > 0) writeSync(fd, `${batch.join("\n")}\n`);
  } finally {
    closeSync(fd);
  }
  return file;
}

/**
 * Reads pretty-printed `show --json` output as it is written, without keeping
 * it: checks the records' iterations come in order, keeps the start and the
 * end, and notes the largest write.
 */
class ShowJsonChecker {
  iterations = 0;
  outOfOrder = 0;
  largestWrite = 0;
  writes = 0;
  head = "";
  tail = "";
  private partial = "";

  write(chunk: string): boolean {
    this.writes++;
    this.largestWrite = Math.max(this.largestWrite, chunk.length);
    if (this.head.length < 4000) this.head = (this.head + chunk).slice(0, 4000);
    this.tail = (this.tail + chunk).slice(-4000);
    const text = this.partial + chunk;
    const cut = text.lastIndexOf("\n") + 1;
    this.partial = text.slice(cut);
    // A record's own "iteration" is indented by six spaces (the summary's fields by four).
    for (const m of text.slice(0, cut).matchAll(/^ {6}"iteration": (\d+),$/gm)) {
      this.iterations++;
      if (Number(m[1]) !== this.iterations) this.outOfOrder++;
    }
    return true;
  }

  /** The first record, parsed from the start of the output. */
  first(): unknown {
    const from = this.head.indexOf("\n    {\n");
    return JSON.parse(this.head.slice(from, this.head.indexOf("\n    }", from) + 6));
  }

  /** The last record, parsed from the end of the output. */
  last(): unknown {
    const to = this.tail.indexOf("\n  ],\n");
    return JSON.parse(this.tail.slice(this.tail.lastIndexOf("\n    {\n", to), to));
  }
}

describe("converge show on large experiments", () => {
  it("show --json streams 1,000,000 records in chunks: every one, in order, valid JSON", async () => {
    const dir = tempDir();
    const file = writeLargeLog(dir, "exp_million", 1_000_000);
    const checker = new ShowJsonChecker();
    const stderr: string[] = [];
    const code = await main(["show", file, "--json"], {
      stdout: { write: (t: string) => checker.write(t) },
      stderr: { write: (t: string) => stderr.push(t) },
      env: {},
      cwd: dir,
    });
    expect(stderr.join("")).toBe("");
    expect(code).toBe(0);
    expect(checker.iterations).toBe(1_000_000);
    expect(checker.outOfOrder).toBe(0);
    // No write holds the whole document (which would be ~690 MB).
    expect(checker.writes).toBeGreaterThan(100);
    expect(checker.largestWrite).toBeLessThan(16 * 1024 * 1024);
    expect(checker.head.startsWith('{\n  "meta": null,\n  "records": [\n    {\n')).toBe(true);
    expect(checker.tail.endsWith("\n  }\n}\n")).toBe(true);
    expect(checker.tail).toMatch(/\n {2}\],\n {2}"summary": \{\n/);
    expect(checker.tail).toContain('"total_iterations": 1000000,');
    expect(checker.first()).toMatchObject({ experiment_id: "exp_million", iteration: 1 });
    expect(checker.last()).toMatchObject({
      experiment_id: "exp_million",
      iteration: 1_000_000,
      metrics: { sharpe_ratio: 0 },
      parameters: { k: 1_000_000 % 7 },
    });
  }, 120_000);

  it("show prints a table of 200,000 iterations", async () => {
    const dir = tempDir();
    const file = writeLargeLog(dir, "exp_wide", 200_000);
    const { code, stdout, stderr } = await runMain(["show", file], dir);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/Iterations\s+200000\n/);
    const lines = stdout.split("\n");
    const rows = lines.filter((l) => /^\s+\d+\s+\d\.\d{3}\s+(yes|no)\s/.test(l));
    expect(rows).toHaveLength(200_000);
    // Right-aligned under a 6-digit ITER column: the first and last rows line up.
    expect(rows[0]).toMatch(/^ {7}1 {2}0\.010 {2}no {6}TUNE /);
    expect(rows.at(-1)).toMatch(/^ {2}200000 {2}0\.000 {2}no {6}TUNE /);
    // The parameter table follows with one row per iteration too.
    const params = lines.slice(lines.indexOf("Parameters"));
    expect(params.filter((l) => /^\s+\d+\s+\d+$/.test(l))).toHaveLength(200_000);
  }, 120_000);
});
