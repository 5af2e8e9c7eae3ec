/// <reference lib="dom" />
/**
 * For the tests of `converge watch`: the built CLI watching in a child
 * process, a real loop (`converge loop` around the Python example, slowed
 * down so its iterations can be watched arriving) in another, and what the
 * browser page showed while they ran.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CapturedOutput, captureOutput } from "@converge/test-kit";
import type { Page } from "playwright-core";
import { BIN } from "./run-cli.js";

const EXAMPLE = join(import.meta.dirname, "../../../../examples/python-backtest");

/** A CLI process that runs until stopped. */
export interface RunningCli {
  child: ChildProcess;
  output: CapturedOutput;
  /** Sends SIGINT and waits for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node dist/bin.js ...args` in `cwd` with only the given variables added. */
export function startCli(args: readonly string[], cwd: string, env: Record<string, string> = {}) {
  const base = { ...process.env };
  for (const name of ["CONVERGE_STORE", "MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME"]) {
    delete base[name];
  }
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...base, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = captureOutput(child);
  return {
    child,
    output,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      return output.closed;
    },
  } satisfies RunningCli;
}

/** Waits until the process printed a line matching `pattern` (or ended, or `ms` passed). */
export async function waitForOutput(cli: RunningCli, pattern: RegExp, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(cli.output.stdout);
    if (match) return match;
    if (cli.child.exitCode !== null || Date.now() > until) {
      throw new Error(
        `no ${pattern} in the output of converge ${cli.child.spawnargs.slice(2).join(" ")}:\n${cli.output.stdout}\n${cli.output.stderr}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Iterations the Python example's loop runs: its rule refiner passes the gate at the 4th. */
export const SLOW_LOOP_ITERATIONS = 4;

/**
 * Writes the Python example's loop file into `dir` with `store` and an
 * evaluator that sleeps `sleep` seconds before the backtest, so the watcher
 * sees the iterations arrive one by one.
 */
export function slowLoop(dir: string, store: string, sleep = 1.2): string {
  cpSync(join(EXAMPLE, "backtest.py"), join(dir, "backtest.py"));
  const loop = JSON.parse(readFileSync(join(EXAMPLE, "loop.json"), "utf8"));
  loop.store = store;
  loop.evaluator.command = ["sh", "-c", `sleep ${sleep}; exec python3 backtest.py`];
  writeFileSync(join(dir, "loop.json"), JSON.stringify(loop, null, 2));
  return "loop.json";
}

/** What the page's status line says now (its data attributes), and whether the page was reloaded. */
export interface LiveReading {
  iterations: number;
  status: string;
  decision: string;
  probability: string;
  text: string;
  /** The version the page shows (after its swap). */
  version: number;
  /** The latest version the server announced (before the swap). */
  latest: number;
  marker: unknown;
  scrollY: number;
}

/** Reads the live status line of the page (null while the waiting page shows). */
export function readLive(page: Page): Promise<LiveReading | null> {
  return page.evaluate(() => {
    const live = document.getElementById("live");
    if (live === null) return null;
    return {
      iterations: Number(live.getAttribute("data-iterations") ?? "0"),
      status: live.getAttribute("data-status") ?? "",
      decision: live.getAttribute("data-decision") ?? "",
      probability: live.getAttribute("data-probability") ?? "",
      text: document.getElementById("live-text")?.textContent ?? "",
      version: Number(live.getAttribute("data-version") ?? "0"),
      latest: Number(live.getAttribute("data-latest") ?? "0"),
      marker: (window as unknown as { watchMarker?: unknown }).watchMarker,
      scrollY: window.scrollY,
    };
  });
}

/**
 * Follows the page while the loop runs: every 100 ms its status line, until
 * `done` says the reading is the last one or `ms` pass. Before the first
 * reading with a report it sets a marker on `window` (gone if the page
 * reloads) and scrolls down `scrollTo` pixels.
 */
export async function followPage(
  page: Page,
  done: (r: LiveReading) => boolean,
  options: { ms?: number; scrollTo?: number } = {},
): Promise<LiveReading[]> {
  const readings: LiveReading[] = [];
  const until = Date.now() + (options.ms ?? 90_000);
  let marked = false;
  while (Date.now() < until) {
    const r = await readLive(page).catch(() => null); // null too while a navigation runs
    if (r !== null && r.version > 0) {
      if (!marked) {
        await page.evaluate((y: number) => {
          (window as unknown as { watchMarker: number }).watchMarker = 1;
          window.scrollTo(0, y);
        }, options.scrollTo ?? 0);
        marked = true;
      } else {
        readings.push(r);
        // Done once the status line says so and the page has swapped in that version.
        if (done(r) && r.version === r.latest) return readings;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the page never finished: last readings ${JSON.stringify(readings.slice(-3))}`);
}
