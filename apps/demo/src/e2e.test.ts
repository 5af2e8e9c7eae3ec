/**
 * End to end: the BUILT demo (`node apps/demo/dist/bin.js`) in a fresh
 * temporary directory, then the `converge` CLI on what it wrote. The build
 * is brought up to date first (tsc -b is a no-op when dist is current).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SEED } from "./demo.js";
import {
  CONVERGE as converge,
  DEMO as demo,
  ensureBuilt,
  ROOT as root,
} from "./test-fixtures/built-demo.js";

const dirs: string[] = [];

// The same build lock as the other end-to-end files: no rebuild under a running demo.
beforeAll(ensureBuilt, 180_000);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** No keys, no MLflow, no colour: the demo as a newcomer without an account runs it. */
const env = {
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  NO_COLOR: "1",
  // The built CLI's code cache goes to the temporary directory vitest.config.ts names.
  ...(process.env.CONVERGE_CODE_CACHE && { CONVERGE_CODE_CACHE: process.env.CONVERGE_CODE_CACHE }),
};

function node(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: unknown }).code as number) : 0;
      resolve({ code: typeof code === "number" ? code : -1, stdout, stderr });
    });
  });
}

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "converge-demo-e2e-"));
  dirs.push(dir);
  return dir;
}

describe("the built demo", () => {
  it("runs to SUCCESS on a fresh directory; converge analyze and report read its log", async () => {
    const cwd = freshDir();
    const store = join(cwd, "runs");
    const run = await node(
      [demo, "--seed", String(DEFAULT_SEED), "--store", `jsonl:${store}`],
      cwd,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("status          SUCCESS");

    const logs = readdirSync(store).filter((f) => f.endsWith(".jsonl"));
    expect(logs).toHaveLength(1);
    const id = (logs[0] as string).replace(/\.jsonl$/, "");
    expect(id).toMatch(new RegExp(`^demo_seed${DEFAULT_SEED}_\\d{8}_\\d{6}_\\d{3}$`));
    const meta = JSON.parse(readFileSync(join(store, `${id}.meta.json`), "utf8"));
    expect(meta.status).toBe("SUCCESS");
    const lines = readFileSync(join(store, `${id}.jsonl`), "utf8")
      .trim()
      .split("\n");
    expect(lines).toHaveLength(meta.summary.total_iterations);
    expect(lines.map((l) => JSON.parse(l).iteration)).toEqual(lines.map((_, i) => i + 1));
    expect(existsSync(join(store, `${id}.html`))).toBe(true);
    expect(readFileSync(join(store, `${id}.html`), "utf8")).toContain("Content-Security-Policy");
    expect(run.stdout).toContain(`report          ${join(store, `${id}.html`)}`);

    const analyze = await node([converge, "analyze", id, "--store", store], cwd);
    expect(analyze.code).toBe(0);
    expect(analyze.stdout).toContain(id);
    expect(analyze.stdout).toMatch(/Overfitting\s+risk/);
    const report = await node([converge, "report", id, "--store", store, "-o", "review.html"], cwd);
    expect(report.code).toBe(0);
    expect(existsSync(join(cwd, "review.html"))).toBe(true);
  });

  it("exits 1 when the advisor stops the loop, and writes to ./experiments by default", async () => {
    const cwd = freshDir();
    const run = await node([demo, "--seed", "79", "--quiet"], cwd);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("status          ABANDONED");
    expect(run.stdout).not.toContain("[ 1/15]"); // --quiet: no iteration lines
    const files = readdirSync(join(cwd, "experiments"));
    expect(files.filter((f) => f.endsWith(".html"))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith(".jsonl"))).toHaveLength(1);
  });

  it("--help shows the options and examples; a bad option exits 1", async () => {
    const [help, bad] = await Promise.all([
      node([demo, "--help"], root),
      node([demo, "--seed", "minus one"], root),
    ]);
    expect(help.code).toBe(0);
    for (const flag of [
      "--seed",
      "--store",
      "--max-iterations",
      "--advisor",
      "--model",
      "--report",
      "--quiet",
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain("Examples:");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--seed must be a whole number");
  });
});
