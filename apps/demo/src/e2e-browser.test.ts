/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser: type them against the DOM.
/**
 * End to end in a real browser: the BUILT demo on a fresh temporary
 * directory writes its HTML report, which headless Chromium (Debian's
 * chromium driven by playwright-core, never a downloaded browser) opens from
 * its file:// URL: no console error, no network request, the experiment, its
 * status, the gate and the charts on screen, one table row per logged
 * iteration. The top of the report is also the screenshot the root README
 * shows (docs/report-tour.png): written when missing or with
 * CONVERGE_UPDATE_DOCS=1.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  launchBrowser,
  openReportFile,
} from "../../../packages/reporters/src/test-fixtures/browser.js";
import { DEFAULT_SEED } from "./demo.js";
import {
  ensureBuilt,
  experimentIdOf,
  ROOT,
  readJsonl,
  runDemoProcess,
  tempDirs,
} from "./test-fixtures/built-demo.js";

/** The screenshot the root README shows. */
const TOUR = join(ROOT, "docs/report-tour.png");
const VIEWPORT = { width: 1280, height: 900 };

const dirs = tempDirs("converge-demo-browser-");
let browser: Browser | undefined;

beforeAll(ensureBuilt, 180_000);

afterAll(async () => {
  await browser?.close();
  dirs.dispose();
});

/** The PNG's width and height from its IHDR chunk, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("the demo's report in headless Chromium", () => {
  it("opens offline with no error or request and shows the run the JSONL log holds", async () => {
    const cwd = dirs.make();
    const store = join(cwd, "runs");
    // Chromium starts while the demo runs.
    const [run, launched] = await Promise.all([
      runDemoProcess(["--seed", String(DEFAULT_SEED), "--store", `jsonl:${store}`], { cwd }),
      launchBrowser(), // Debian's chromium; says how to install it when missing
    ]);
    browser = launched;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const id = experimentIdOf(run);
    const records = readJsonl(join(store, `${id}.jsonl`));
    expect(records.length).toBeGreaterThan(1);
    const reportPath = join(store, `${id}.html`);
    expect(readdirSync(store).sort()).toEqual(
      [`${id}.html`, `${id}.jsonl`, `${id}.meta.json`].sort(),
    );

    const { page, errors, requests } = await openReportFile(launched, reportPath, {
      viewport: VIEWPORT,
      colorScheme: "light",
      reducedMotion: "reduce",
      deviceScaleFactor: 1,
    });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);

    // What the reader sees first: the experiment, its status, the gate.
    const header = page.locator("header.exp-head");
    expect(await header.isVisible()).toBe(true);
    const head = (await header.textContent()) ?? "";
    expect(head).toContain(id);
    expect(head).toContain("SUCCESS");
    expect(await page.locator("header.exp-head .badge.ok").first().isVisible()).toBe(true);
    expect(await page.title()).toContain("momentum strategy"); // the directive
    const criteria = await page.$$eval("table.criteria tbody tr", (rows) =>
      rows.map((row) => [...row.querySelectorAll("td")].slice(0, 2).map((td) => td.textContent)),
    );
    expect(criteria).toEqual([
      ["sharpe_ratio", "≥ 1"],
      ["max_drawdown", "≤ 0.2"],
      ["win_rate", "≥ 0.5"],
    ]);
    expect(await page.locator("table.criteria").isVisible()).toBe(true);

    // Every chart is drawn with a size.
    const charts = await page.$$eval("figure.chart", (figures) =>
      figures.map((f) => {
        const box = f.querySelector(".chart-body > svg")?.getBoundingClientRect();
        return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0 };
      }),
    );
    expect(charts.length).toBeGreaterThanOrEqual(3);
    for (const chart of charts) {
      expect(chart.width, chart.id).toBeGreaterThan(50);
      expect(chart.height, chart.id).toBeGreaterThan(50);
    }

    // One row per logged iteration, numbered as the log numbers them.
    const rows = await page.$$eval("table.iters tbody tr", (trs) =>
      trs.map((tr) => tr.querySelector("th")?.textContent?.replace(/\D/g, "") ?? ""),
    );
    expect(rows).toHaveLength(records.length);
    expect(rows).toEqual(records.map((r) => String(r.iteration)));

    // The page never scrolls sideways, and the static report runs no script.
    const overflow = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.innerWidth + 1);
    expect(await page.locator("script").count()).toBe(0);

    // The top of the report: the README's tour screenshot.
    const shot = join(cwd, "report-tour.png");
    await page.screenshot({
      path: shot,
      fullPage: true,
      clip: { x: 0, y: 0, ...VIEWPORT },
      animations: "disabled",
    });
    const png = readFileSync(shot);
    expect(pngSize(png)).toEqual(VIEWPORT);
    expect(png.length).toBeGreaterThan(30_000); // text and badges, not a blank page
    if (process.env.CONVERGE_UPDATE_DOCS === "1" || !existsSync(TOUR)) {
      await mkdir(join(ROOT, "docs"), { recursive: true });
      await copyFile(shot, TOUR);
    }
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
