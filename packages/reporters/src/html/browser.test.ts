/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser: type them against the DOM.
/**
 * The reports in a real browser (Debian's chromium via playwright-core),
 * opened from file:// URLs: no console errors, no network request, every
 * chart drawn with a size, the interactive build live, large and awkward
 * reports without sideways page scrolling. Screenshots go to
 * packages/reporters/test-artifacts/.
 */
import { ExperimentMetaSchema, parseRecord, type ReportExperiment } from "@converge/core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateExperiment } from "../bench/generate.js";
import { advisedExperiment } from "../test-fixtures/advised.js";
import { launchBrowser, openReport, reportDir, saveScreenshot } from "../test-fixtures/browser.js";
import { sampleExperiment } from "../test-fixtures/sample.js";
import { renderHtmlReport } from "./document.js";

let browser: Browser;
let dir: { dir: string; dispose(): Promise<void> };

beforeAll(async () => {
  browser = await launchBrowser();
  dir = await reportDir();
});

afterAll(async () => {
  await browser?.close();
  await dir?.dispose();
});

/** Bounding boxes of every chart's static SVG. */
async function chartBoxes(page: Page) {
  return page.$$eval("figure.chart", (figures) =>
    figures.map((f) => {
      const svg = f.querySelector(".chart-body > svg");
      const box = svg?.getBoundingClientRect();
      return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0 };
    }),
  );
}

async function pageOverflow(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
}

describe("static report", () => {
  it("opens offline with no error or request, every chart drawn", async () => {
    const html = await renderHtmlReport([
      sampleExperiment(),
      generateExperiment({ iterations: 40 }),
      advisedExperiment(),
    ]);
    const { page, errors, requests } = await openReport(browser, dir.dir, "static.html", html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    // The advised experiment's advice history and per-iteration notes are laid out and visible.
    const advice = await page.evaluate(() => {
      const visible = (el: Element | null) => {
        const box = el?.getBoundingClientRect();
        return box !== undefined && box.width > 0 && box.height > 0;
      };
      const table = document.querySelector("#e3 table.advice-history");
      return {
        rows: table?.querySelectorAll("tbody tr").length ?? 0,
        table: visible(table),
        notes: [...document.querySelectorAll("#e3 ul.iter-notes")].filter(visible).length,
        fallback: visible(document.querySelector("#e3 ul.iter-notes li.fallback")),
      };
    });
    expect(advice).toEqual({ rows: 3, table: true, notes: 3, fallback: true });
    const overflow = await pageOverflow(page);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.innerWidth + 1);
    const boxes = await chartBoxes(page);
    expect(boxes.length).toBeGreaterThanOrEqual(3);
    for (const box of boxes) {
      expect(box.width, box.id).toBeGreaterThan(50);
      expect(box.height, box.id).toBeGreaterThan(50);
    }
    expect(await page.locator("script").count()).toBe(0);
    await saveScreenshot(page, "report-static");
    await page.close();
  });

  it("follows the reader's dark colour scheme", async () => {
    const html = await renderHtmlReport(sampleExperiment());
    const { page, errors } = await openReport(browser, dir.dir, "dark.html", html);
    await page.emulateMedia({ colorScheme: "dark" });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe("rgb(13, 17, 23)");
    expect(errors).toEqual([]);
    await saveScreenshot(page, "report-dark");
    await page.emulateMedia({ colorScheme: "light", media: "print" });
    const print = await page.evaluate(() => ({
      background: getComputedStyle(document.body).backgroundColor,
      wrap: getComputedStyle(document.querySelector(".table-wrap") as Element).overflowX,
      nav: getComputedStyle(document.querySelector("nav.toc") as Element).display,
    }));
    expect(print).toEqual({ background: "rgb(255, 255, 255)", wrap: "visible", nav: "none" });
    await page.close();
  });
});

describe("interactive report", () => {
  it("draws every chart live with vega under the CSP, offline", async () => {
    const html = await renderHtmlReport(sampleExperiment(), { interactive: true });
    const { page, errors, requests } = await openReport(browser, dir.dir, "live.html", html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.getAttribute("html", "data-embed")).toBe("done");
    const figures = await page.$$eval("figure[data-spec]", (fs) =>
      fs.map((f) => {
        const drawn = f.querySelector(".chart-live canvas, .chart-live svg");
        const box = drawn?.getBoundingClientRect();
        return {
          id: f.id,
          state: f.getAttribute("data-embed"),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
        };
      }),
    );
    expect(figures.length).toBeGreaterThanOrEqual(2);
    for (const f of figures) {
      expect(f.state, f.id).toBe("live");
      expect(f.width, f.id).toBeGreaterThan(50);
      expect(f.height, f.id).toBeGreaterThan(50);
    }
    await saveScreenshot(page, "report-interactive");
    await page.close();
  });
});

function longNames(): ReportExperiment {
  const id = "exp_long_names";
  const long = (i: number) => `p${i}_${"very_long_parameter_name_".repeat(8)}`.slice(0, 200);
  return {
    meta: ExperimentMetaSchema.parse({ experiment_id: id, directive: "x".repeat(300) }),
    records: [1, 2, 3].map((iteration) =>
      parseRecord({
        experiment_id: id,
        iteration,
        strategy_name: "s".repeat(150),
        parameters: Object.fromEntries(
          [0, 1, 2, 3, 4, 5].map((i) => [long(i), i === 0 ? "v".repeat(200) : iteration * i]),
        ),
        metrics: { [`${"metric_".repeat(28)}m`]: iteration / 3 },
        action_taken: "A".repeat(200),
      }),
    ),
  };
}

describe("layout under load", () => {
  it("1,000 iterations: the table renders in its scroll container, the page never scrolls sideways", async () => {
    const html = await renderHtmlReport(generateExperiment({ iterations: 1000 }));
    const { page, errors, requests } = await openReport(browser, dir.dir, "large.html", html);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator("table.iters tbody tr").count()).toBe(1000);
    const overflow = await pageOverflow(page);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.innerWidth + 1);
    const wrap = await page.$eval("table.iters", (t) => {
      const box = t.parentElement as HTMLElement;
      return {
        scrollsDown: box.scrollHeight > box.clientHeight,
        sticky: getComputedStyle(t.querySelector("thead th") as Element).position,
      };
    });
    expect(wrap).toEqual({ scrollsDown: true, sticky: "sticky" });
    for (const box of await chartBoxes(page)) expect(box.width, box.id).toBeGreaterThan(50);
    await saveScreenshot(page, "report-1000-iterations");
    await page.close();
  });

  it.each([
    { width: 1280, height: 900 },
    { width: 390, height: 844 },
  ])("200-character names at $width px: no sideways page scroll", async (viewport) => {
    const html = await renderHtmlReport(longNames());
    const { page, errors } = await openReport(
      browser,
      dir.dir,
      `long-${viewport.width}.html`,
      html,
      viewport,
    );
    expect(errors).toEqual([]);
    const overflow = await pageOverflow(page);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.innerWidth + 1);
    const headers = await page.$$eval("table.iters thead th[title] .name", (els) =>
      els.map((el) => {
        const box = el.getBoundingClientRect();
        return { width: box.width, height: box.height };
      }),
    );
    expect(headers).toHaveLength(7); // six parameters and one metric, each 200 characters long
    for (const header of headers) {
      expect(header.width).toBeLessThanOrEqual(12 * 16 + 1); // clamped to 12rem
      expect(header.height).toBeLessThan(5 * 16); // at most three lines
      expect(header.height).toBeGreaterThan(2 * 16); // wrapped, not cut to one line
    }
    await saveScreenshot(page, `report-long-names-${viewport.width}`);
    await page.close();
  });
});
