/** Test helpers: run the built `converge` binary as a user would, and build small stores. */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTracker, type LogInput, type StartOptions } from "@converge/core";
import { jsonlStore } from "@converge/storage-jsonl";
import { captureOutput, SAMPLE_LOG_PATH } from "@converge/test-kit";

/** The built binary the tests spawn (build first: `pnpm -s build`). */
export const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

/** The Python logger's three-line sample log. */
export const SAMPLE_LOG = SAMPLE_LOG_PATH;

/** What a run of the binary gave. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Variables that change the CLI's behaviour are cleared so each test states its own.
const CLEARED = [
  "NO_COLOR",
  "FORCE_COLOR",
  "CLICOLOR_FORCE",
  "CONVERGE_STORE",
  "CONVERGE_DEBUG",
  "MLFLOW_TRACKING_URI",
  "MLFLOW_EXPERIMENT_NAME",
  "MLFLOW_TRACKING_TOKEN",
  "MLFLOW_TRACKING_USERNAME",
  "MLFLOW_TRACKING_PASSWORD",
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_BASE_URL",
  "ANTHROPIC_AUTH_TOKEN",
];

function cliEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLEARED) delete env[name];
  return { ...env, ...extra };
}

/** Spawns `node [nodeArgs] dist/bin.js ...args` and waits for it. */
export function runCli(
  args: readonly string[],
  options: {
    env?: Record<string, string>;
    cwd?: string;
    timeout?: number;
    /** Node's own options, before the binary (e.g. `--import` of a loader hook). */
    nodeArgs?: readonly string[];
  } = {},
): CliResult {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`pnpm -s build\` first`);
  const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
    cwd: options.cwd ?? tmpdir(),
    env: cliEnv(options.env),
    encoding: "utf8",
    timeout: options.timeout ?? 30_000,
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Like `runCli`, without blocking the event loop: for tests whose CLI talks
 * to a server running in the test process (a fake LLM provider).
 */
export function runCliAsync(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; timeout?: number } = {},
): Promise<CliResult> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`pnpm -s build\` first`);
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? tmpdir(),
    env: cliEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
    timeout: options.timeout ?? 30_000,
  });
  const out = captureOutput(child);
  return out.closed.then(({ code }) => ({ code, stdout: out.stdout, stderr: out.stderr }));
}

const created: string[] = [];

/** A fresh empty temp directory, removed by `removeTempDirs`. */
export function tempDir(prefix = "converge-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory `tempDir` made (call it in `afterAll`). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Writes one experiment into a JSONL store through the real tracker, with a
 * fixed clock so times are predictable.
 */
export async function writeExperiment(
  dir: string,
  start: StartOptions & { experimentId: string },
  iterations: LogInput[],
  options: { at?: string; finish?: boolean } = {},
): Promise<void> {
  const clock = new Date(options.at ?? "2026-02-01T10:00:00Z").getTime();
  let tick = 0;
  const store = jsonlStore({ dir });
  try {
    // Each call of the clock is one minute later.
    const tracker = createTracker({ store, now: () => new Date(clock + 60_000 * tick++) });
    const run = await tracker.start(start);
    for (const input of iterations) await run.log(input);
    if (options.finish !== false) await run.finish();
  } finally {
    await store.close();
  }
}
