/**
 * `converge watch` in a real browser while a real loop appends: the built CLI
 * watches a JSONL directory, `converge loop` (another process) runs the
 * Python example there, and headless Chromium keeps the page open throughout.
 */
import { readFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import type { Browser, ConsoleMessage, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../../reporters/src/test-fixtures/browser.js";
import { runAxe } from "../../reporters/src/test-fixtures/layout-probe.js";
import { removeTempDirs, runCli, tempDir } from "./test-fixtures/run-cli.js";
import {
  followPage,
  SLOW_LOOP_ITERATIONS as ITERATIONS,
  readLive,
  slowLoop,
  startCli,
  waitForOutput,
} from "./test-fixtures/watch.js";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  removeTempDirs();
});

describe("converge watch on the JSONL store", () => {
  it("follows a loop running in another process, updating the open page in place", async () => {
    const dir = tempDir("converge-watch-");
    const loopFile = slowLoop(dir, "jsonl:./experiments");
    // The directory does not exist yet: the watcher waits for the loop to create it.
    const watch = startCli(["watch", "./experiments", "--port", "0", "--interval", "0.2"], dir);
    let loop: ReturnType<typeof startCli> | undefined;
    try {
      const [, url] = await waitForOutput(watch, /Open (http:\/\/127\.0\.0\.1:\d+\/)/);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on("request", (r: Request) => requests.push(r.url()));
      page.on("console", (m: ConsoleMessage) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e: Error) => errors.push(e.message));
      await page.goto(url ?? "", { waitUntil: "load" });
      expect(await page.textContent("main")).toContain("waiting for an experiment to appear");

      loop = startCli(["loop", loopFile, "--experiment-id", "watched_loop"], dir);
      const readings = await followPage(
        page,
        (r) => r.iterations === ITERATIONS && r.status === "SUCCESS",
        { scrollTo: 700 },
      );
      const ended = await loop.output.closed;
      expect(ended.code, loop.output.stderr).toBe(0);

      // Iterations arrived one after another on a page that was never reloaded.
      const counts = [...new Set(readings.map((r) => r.iterations))];
      expect(counts.length).toBeGreaterThanOrEqual(3);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(readings.every((r) => r.marker === 1)).toBe(true);
      // The reader's place on the page was kept through every swap.
      expect(readings.every((r) => Math.abs(r.scrollY - 700) < 2)).toBe(true);
      const versions = [...new Set(readings.map((r) => r.version))];
      expect(versions.length).toBeGreaterThanOrEqual(3);

      // The status line shows the latest decision and the success probability as they change.
      const last = readings.at(-1);
      expect(last?.decision).toMatch(/^(CONTINUE|PIVOT|ABANDON)$/);
      expect(last?.text).toContain(`watched_loop · ${ITERATIONS} iterations · status SUCCESS`);
      expect(last?.text).toMatch(/latest decision [A-Z_]+ · success probability \d+%/);
      const probabilities = readings.map((r) => r.probability).filter((p) => p !== "");
      expect(probabilities.length).toBeGreaterThan(0);
      for (const p of probabilities) expect(Number(p)).toBeGreaterThanOrEqual(0);

      // The swapped-in report is the whole, current one: every iteration in its table.
      const html = await page.content();
      const log = readFileSync(join(dir, "experiments/watched_loop.jsonl"), "utf8")
        .trim()
        .split("\n");
      expect(log).toHaveLength(ITERATIONS);
      const rows = await page.evaluate(
        () => document.querySelectorAll("table.iters tbody tr").length,
      );
      expect(rows).toBe(ITERATIONS);
      expect(html).toContain("watched_loop");
      const state = await (await fetch(`${url}state`)).json();
      expect(state).toMatchObject({ experiment_id: "watched_loop", iterations: ITERATIONS });

      // Nothing but the watch server was asked for anything; no script error.
      const origin = new URL(url ?? "").origin;
      expect(requests.filter((r) => !r.startsWith(`${origin}/`))).toEqual([]);
      expect(errors).toEqual([]);
      const reading = await readLive(page);
      expect(reading?.marker).toBe(1);
      // The live page, status line included, is as accessible as the file build.
      const serious = (await runAxe(page)).filter(
        (v) => v.impact === "serious" || v.impact === "critical",
      );
      expect(serious).toEqual([]);
      await page.close();
    } finally {
      await loop?.stop();
      const ended = await watch.stop();
      expect(ended.code, watch.output.stderr).toBe(0);
    }
    expect(watch.output.stdout).toContain("waiting for an experiment to appear");
    expect(watch.output.stdout).toMatch(
      new RegExp(`${ITERATIONS} iterations · SUCCESS · latest decision`),
    );
    expect(watch.output.stderr).toBe("Stopped watching.\n");
  }, 120_000);

  it("refuses a bad port and a non-loopback Host, and says how to fix a taken port", async () => {
    const dir = tempDir("converge-watch-");
    const bad = runCli(["watch", "exp_1", "--port", "99999", "--store", dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected a port number from 0 to 65535");
    const first = startCli(["watch", "exp_1", "--port", "0", "--store", dir], dir);
    try {
      const [, url, port] = await waitForOutput(first, /Open (http:\/\/127\.0\.0\.1:(\d+)\/)/);
      const taken = runCli(["watch", "exp_1", "--port", port ?? "", "--store", dir]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`port ${port} is already in use on 127.0.0.1`);
      expect(taken.stderr).toContain("--port 0");
      // fetch() may not set Host; node:http may, as a DNS-rebinding page's request would carry it.
      const rebound = await new Promise<number | undefined>((resolve, reject) => {
        get(url ?? "", { headers: { host: "attacker.example" } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).on("error", reject);
      });
      expect(rebound).toBe(421);
      const waiting = await (await fetch(`${url}state`)).json();
      expect(waiting.message).toBe(`waiting for exp_1 to appear in jsonl:${dir}`);
    } finally {
      expect((await first.stop()).code).toBe(0);
    }
  }, 60_000);
});
