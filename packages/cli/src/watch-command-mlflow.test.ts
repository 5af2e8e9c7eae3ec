/**
 * `converge watch` following a loop that logs to a real `mlflow server`: the
 * loop (another process) writes through the MLflow store, the watcher reads
 * the server, and headless Chromium sees the iterations arrive in place.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../../reporters/src/test-fixtures/browser.js";
import {
  type MlflowServer,
  startMlflowServer,
} from "../../storage-mlflow/src/test-fixtures/mlflow-server.js";
import { mlflowSuiteGate } from "../../storage-mlflow/src/test-fixtures/mlflow-venv.js";
import { removeTempDirs, tempDir } from "./test-fixtures/run-cli.js";
import {
  followPage,
  SLOW_LOOP_ITERATIONS as ITERATIONS,
  slowLoop,
  startCli,
  waitForOutput,
} from "./test-fixtures/watch.js";

const gate = await mlflowSuiteGate("converge watch on MLflow");

describe.skipIf(gate.skip)("converge watch on MLflow", () => {
  let server: MlflowServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startMlflowServer(), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([server?.stop(), browser?.close()]);
    removeTempDirs();
  });

  it("follows a loop logging to the server from another process", async () => {
    const dir = tempDir("converge-watch-mlflow-");
    const store = `mlflow+${server.url}`;
    const sentinel = "sk-watch-SENTINEL-4c1f";
    const env = {
      MLFLOW_EXPERIMENT_NAME: `watch-${Date.now().toString(36)}`,
      MLFLOW_TRACKING_TOKEN: sentinel,
    };
    const loopFile = slowLoop(dir, store);
    // Started first: the experiment does not exist on the server yet.
    const watch = startCli(
      ["watch", "watched_mlflow", "--store", store, "--port", "0", "--interval", "0.3"],
      dir,
      env,
    );
    let loop: ReturnType<typeof startCli> | undefined;
    try {
      const [, url] = await waitForOutput(watch, /Open (http:\/\/127\.0\.0\.1:\d+\/)/);
      await waitForOutput(watch, /waiting for watched_mlflow to appear/);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(url ?? "", { waitUntil: "load" });
      loop = startCli(["loop", loopFile, "--experiment-id", "watched_mlflow"], dir, env);
      const readings = await followPage(
        page,
        (r) => r.iterations === ITERATIONS && r.status === "SUCCESS",
      );
      expect((await loop.output.closed).code, loop.output.stderr).toBe(0);
      const counts = [...new Set(readings.map((r) => r.iterations))];
      expect(counts.length).toBeGreaterThanOrEqual(2);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(readings.every((r) => r.marker === 1)).toBe(true);
      expect(readings.at(-1)?.text).toMatch(
        new RegExp(
          `watched_mlflow · ${ITERATIONS} iterations · status SUCCESS · latest decision [A-Z]+ · success probability \\d+%`,
        ),
      );
      const rows = await page.evaluate(
        () => document.querySelectorAll("table.iters tbody tr").length,
      );
      expect(rows).toBe(ITERATIONS);
      // The token the store sends the server is nowhere the watcher shows things.
      const shown = [await page.content(), await (await fetch(`${url}state`)).text()];
      for (const text of shown) expect(text).not.toContain(sentinel);
      const origin = new URL(url ?? "").origin;
      expect(requests.filter((r) => !r.startsWith(`${origin}/`))).toEqual([]);
      await page.close();
    } finally {
      await loop?.stop();
      expect((await watch.stop()).code, watch.output.stderr).toBe(0);
    }
    expect(watch.output.stdout).toMatch(/4 iterations · SUCCESS · latest decision/);
    expect(watch.output.stdout + watch.output.stderr).not.toContain(sentinel);
  }, 180_000);
});
