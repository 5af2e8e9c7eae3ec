/**
 * The end-to-end tests' helpers: bring the built demo up to date once (test
 * files run in parallel, so the build is serialised by a lock), run it and
 * the `converge` CLI as real processes without blocking the event loop (some
 * tests serve HTTP from the test process), in fresh temporary directories.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { deserializeRecord, type ExperimentRecord } from "@converge/core";
import { captureOutput } from "@converge/test-kit";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
/** The built demo and CLI the tests spawn. */
export const DEMO = join(ROOT, "apps/demo/dist/bin.js");
export const CONVERGE = join(ROOT, "packages/cli/dist/bin.js");

/**
 * `tsc -b apps/demo` (a no-op when dist is current), one test file at a time:
 * a build another file started must not be rewriting dist while a demo runs.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(tmpdir(), `converge-demo-build-${Buffer.from(ROOT).toString("hex")}.lock`);
  const deadline = Date.now() + 170_000;
  for (;;) {
    try {
      await mkdir(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch {
      if (!ownerAlive(lock)) {
        await rm(lock, { recursive: true, force: true }); // its owner died holding it
        continue;
      }
      if (Date.now() > deadline) throw new Error(`the build lock ${lock} is held: remove it`);
      await sleep(100);
    }
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
      execFile(
        process.execPath,
        [tsc, "-b", join(ROOT, "apps/demo")],
        { cwd: ROOT },
        (error, out) =>
          error
            ? reject(new Error(`tsc -b apps/demo failed:\n${out}\n${error.message}`))
            : resolve(),
      );
    });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Whether the process that holds `lock` still runs (true while it is still writing its pid). */
function ownerAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, "pid"), "utf8"));
  } catch {
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** What a process gave. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Only what a newcomer without an account has: no keys, no MLflow variables,
 * no colour; `extra` adds what a test sets.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NO_COLOR: "1",
    // Where the built CLI keeps its code cache under test (vitest.config.ts): a temporary directory.
    ...(process.env.CONVERGE_CODE_CACHE && {
      CONVERGE_CODE_CACHE: process.env.CONVERGE_CODE_CACHE,
    }),
    ...extra,
  };
}

/** Spawns `node <args>` asynchronously and waits for it (killed after `timeout` ms). */
export function runNode(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<RunResult> {
  const child = spawn(process.execPath, [...args], {
    cwd: options.cwd,
    env: options.env ?? cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    timeout: options.timeout ?? 60_000,
  });
  const out = captureOutput(child);
  return out.closed.then(({ code }) => ({ code, stdout: out.stdout, stderr: out.stderr }));
}

/** Runs the built demo. */
export function runDemoProcess(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<RunResult> {
  return runNode([DEMO, ...args], options);
}

/** Runs the built `converge` CLI. */
export function runConverge(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<RunResult> {
  return runNode([CONVERGE, ...args], options);
}

/** Fresh temporary directories, removed by `dispose`. */
export function tempDirs(prefix: string): { make(): string; dispose(): void } {
  const dirs: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    dispose() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The experiment id the demo's summary names (throws with the demo's output when none). */
export function experimentIdOf(run: RunResult): string {
  const id = /^ {2}experiment {6}(\S+)$/m.exec(run.stdout)?.[1];
  if (id === undefined) {
    throw new Error(
      `the demo named no experiment (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`,
    );
  }
  return id;
}

/** The records of a JSONL log. */
export function readJsonl(file: string): ExperimentRecord[] {
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => deserializeRecord(line));
}

/** What a record says apart from where and when it ran: equal across stores and runs of a seed. */
export function essence(record: ExperimentRecord): Record<string, unknown> {
  const { experiment_id: _id, timestamp: _timestamp, compute_time: _computeTime, ...rest } = record;
  return rest;
}

/** Every file under `dir`, recursively, with its text. */
export function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path, text: readFileSync(path, "latin1") };
    });
}
