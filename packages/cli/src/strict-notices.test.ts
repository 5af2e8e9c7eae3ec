import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StoreNotice } from "@converge/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "./context.js";
import { IntegrityProblemsError, noticeGate } from "./strict-notices.js";
import { captureIo, runMain } from "./test-fixtures/capture-io.js";
import { removeTempDirs, tempDir } from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

const duplicate: StoreNotice = {
  kind: "duplicate-iteration",
  experimentId: "exp_dup",
  file: "/data/exp_dup.jsonl",
  line: 3,
  message: "iteration 2 appears again; kept the first one (line 2)",
};
const skipped: StoreNotice = {
  kind: "skipped-line",
  experimentId: "exp_dup",
  file: "/data/exp_dup.jsonl",
  line: 5,
  message: "/data/exp_dup.jsonl:5: skipped a line that is not a record",
};

describe("noticeGate", () => {
  it("without --strict prints every notice as a warning and never fails", () => {
    const io = captureIo(tempDir());
    const gate = noticeGate(createContext(io), false);
    gate.onNotice(duplicate);
    gate.onNotice(skipped);
    expect(() => gate.check()).not.toThrow();
    expect(io.stderr.text()).toBe(`warning: ${duplicate.message}\nwarning: ${skipped.message}\n`);
  });

  it("with --strict holds integrity notices for check and still prints the others", () => {
    const io = captureIo(tempDir());
    const gate = noticeGate(createContext(io), true);
    gate.onNotice(duplicate);
    gate.onNotice(skipped);
    gate.onNotice({ ...duplicate, kind: "out-of-order", line: 7, message: "out of order" });
    expect(io.stderr.text()).toBe(`warning: ${skipped.message}\n`);
    expect(gate.held.map((n) => n.kind)).toEqual(["duplicate-iteration", "out-of-order"]);
    let thrown: unknown;
    try {
      gate.check();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IntegrityProblemsError);
    const message = (thrown as Error).message;
    expect(message.split("\n").slice(0, 3)).toEqual([
      "--strict: 2 integrity problems in the records:",
      "  /data/exp_dup.jsonl:3: iteration 2 appears again; kept the first one (line 2)",
      "  /data/exp_dup.jsonl:7: out of order",
    ]);
    expect(message).toContain("Fix: ");
    // Reported once: a second check has nothing left.
    expect(() => gate.check()).not.toThrow();
  });

  it("does not repeat a location the message already starts with, and escapes both", () => {
    const gate = noticeGate(createContext(captureIo(tempDir())), true);
    gate.onNotice({
      kind: "foreign-record",
      experimentId: "exp_x",
      file: "/d/exp\u001b]0;t\u0007.jsonl",
      line: 4,
      message: "/d/exp\u001b]0;t\u0007.jsonl:4: skipped a record of another experiment",
    });
    gate.onNotice({ kind: "missing-iteration", experimentId: "exp_x", message: "no iteration 3" });
    expect(() => gate.check()).toThrow(
      "\n  /d/exp\\x1b]0;t\\x07.jsonl:4: skipped a record of another experiment\n  exp_x: no iteration 3\n",
    );
  });
});

/** A record line of `id`. */
const line = (id: string, iteration: number, score: number) =>
  JSON.stringify({
    experiment_id: id,
    iteration,
    metrics: { sharpe_ratio: score },
    parameters: { k: iteration },
    gate_passed: false,
    gate_score: score,
  });

describe("--strict on the commands, with a log that repeats an iteration", () => {
  let dir: string;
  let store: string;
  let dup: string;
  let clean: string;
  beforeAll(() => {
    dir = tempDir();
    store = join(dir, "store");
    mkdirSync(store);
    dup = join(store, "exp_dup.jsonl");
    // Line 3 repeats iteration 2 (with a passing score that must not count).
    writeFileSync(
      dup,
      `${[line("exp_dup", 1, 0.4), line("exp_dup", 2, 0.5), line("exp_dup", 2, 0.99), line("exp_dup", 3, 0.6)].join("\n")}\n`,
    );
    clean = join(store, "exp_clean.jsonl");
    writeFileSync(
      clean,
      `${[1, 2, 3].map((i) => line("exp_clean", i, 0.3 + i / 10)).join("\n")}\n`,
    );
  });

  /** The line of the listing that names the duplicate. */
  const listed = (stderr: string) =>
    stderr.split("\n").filter((l) => l.startsWith(`  ${dup}:3: `) && l.includes("iteration 2"));

  it("show without --strict warns about the duplicate and shows the rest", async () => {
    const { code, stdout, stderr } = await runMain(["show", dup], dir);
    expect(code).toBe(0);
    expect(stderr).toMatch(
      new RegExp(`^warning: .*${dup.replace(/[.]/g, "\\.")}:3: .*iteration 2`),
    );
    expect(stdout).toMatch(/Iterations\s+3\n/);
  });

  it("show --strict exits 1, lists the problem with file:line and prints nothing else", async () => {
    const { code, stdout, stderr } = await runMain(["show", dup, "--strict"], dir);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("error: --strict: 1 integrity problem in the records:");
    expect(listed(stderr)).toHaveLength(1);
    expect(stderr).toContain("Fix: ");
    expect(stderr).not.toContain("warning:");
  });

  it("show --strict --json writes no JSON", async () => {
    const { code, stdout } = await runMain(["show", dup, "--strict", "--json"], dir);
    expect(code).toBe(1);
    expect(stdout).toBe("");
  });

  it("show --strict on a clean log succeeds", async () => {
    const { code, stderr } = await runMain(["show", clean, "--strict"], dir);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("list --strict lists the store, then exits 1 naming the problem", async () => {
    const { code, stdout, stderr } = await runMain(["list", "--store", store, "--strict"], dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^exp_dup\s/m);
    expect(stdout).toMatch(/^exp_clean\s/m);
    expect(listed(stderr)).toHaveLength(1);
  });

  it("analyze --strict fails the experiment with problems and analyses the others", async () => {
    const { code, stdout, stderr } = await runMain(["analyze", clean, dup, "--strict"], dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^Experiment\s+exp_clean$/m);
    expect(stdout).not.toMatch(/^Experiment\s+exp_dup$/m);
    expect(stderr).toContain("error: exp_dup: --strict: 1 integrity problem");
    expect(listed(stderr)).toHaveLength(1);
    expect(stderr).toContain("1 experiment(s) could not be read");
  });

  it("advise --strict exits 1 without asking the advisor", async () => {
    const { code, stdout, stderr } = await runMain(["advise", dup, "--strict"], dir);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(listed(stderr)).toHaveLength(1);
  });

  it("report --strict exits 1 and writes no report", async () => {
    const out = join(dir, "report.html");
    const { code, stderr } = await runMain(["report", dup, "--strict", "-o", out], dir);
    expect(code).toBe(1);
    expect(listed(stderr)).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it("each command's --help says what --strict does", async () => {
    for (const command of ["show", "list", "analyze", "advise", "report"]) {
      const { code, stdout } = await runMain([command, "--help"], dir);
      expect(code).toBe(0);
      expect(stdout.replace(/\s+/g, " ")).toContain(
        "--strict fail (exit 1) when the records have integrity problems (duplicate, out-of-order, foreign or missing iterations)",
      );
    }
  });
});
