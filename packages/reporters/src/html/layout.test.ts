/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser: type them against the DOM.
/**
 * The report's layout and accessibility, measured in real Chromium (Debian's
 * chromium via playwright-core) on the static and the interactive build of the
 * demo's experiment, at a 1280-pixel desktop and a 390-pixel phone:
 * - at 1280 px every text table fits its box and every box around it; only the
 *   per-iteration table scrolls sideways, inside its own box;
 * - at 390 px the page itself never scrolls sideways;
 * - each chart is drawn at the width of its box;
 * - axe-core (npm, injected by the test) finds no serious or critical
 *   violation; every scroll box takes keyboard focus and has a name; headings
 *   do not skip a level; the page has header, nav, main and footer landmarks.
 * Screenshots go to packages/reporters/test-artifacts/.
 */
import type { ReportExperiment } from "@converge/core";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { advisedExperiment } from "../test-fixtures/advised.js";
import { launchBrowser, openReport, reportDir, saveScreenshot } from "../test-fixtures/browser.js";
import { demoExperiment } from "../test-fixtures/demo.js";
import {
  chartFits,
  describeFindings,
  outline,
  pageScroll,
  runAxe,
  scrollBoxes,
  tableFits,
} from "../test-fixtures/layout-probe.js";
import { renderHtmlReport } from "./document.js";

const WIDTHS = [1280, 390] as const;
const BUILDS = [
  { build: "static", interactive: false },
  { build: "interactive", interactive: true },
] as const;

let browser: Browser;
let dir: { dir: string; dispose(): Promise<void> };
const pages = new Map<string, Page>();
const at = new Date("2026-01-18T14:30:00Z");

/** The report of `experiments` in a page of the given width, opened once per key. */
async function opened(
  key: string,
  experiments: ReportExperiment | ReportExperiment[],
  interactive: boolean,
  width: number,
): Promise<Page> {
  const known = pages.get(key);
  if (known) return known;
  const html = await renderHtmlReport(experiments, { interactive, generatedAt: at });
  const { page, errors } = await openReport(browser, dir.dir, `${key}.html`, html, {
    width,
    height: 900,
  });
  expect(errors, key).toEqual([]);
  pages.set(key, page);
  return page;
}

beforeAll(async () => {
  browser = await launchBrowser();
  dir = await reportDir();
});

afterAll(async () => {
  await browser?.close();
  await dir?.dispose();
});

describe.each(BUILDS)("the demo's report, $build build", ({ build, interactive }) => {
  const page = (width: number) =>
    opened(`demo-${build}-${width}`, demoExperiment(), interactive, width);

  it("at 1280 px every text table fits its box and every box around it; only the iteration table scrolls", async () => {
    const p = await page(1280);
    const fits = await tableFits(p);
    expect(fits.map((f) => f.label)).toEqual([
      "Parameter recommendations",
      "Advice history",
      "Gate criteria at the latest iteration",
      "Metric trends",
      "Parameter effects",
      "Iterations: 9 rows",
    ]);
    for (const fit of fits.filter((f) => f.kind === "fit")) {
      for (const box of fit.boxes) {
        expect(box.scrollWidth, `${fit.label} in ${box.element}`).toBeLessThanOrEqual(
          box.clientWidth,
        );
      }
    }
    // The iteration table is wider than the page here, and scrolls inside its own box only.
    const iterations = fits.find((f) => f.kind === "wide");
    const [own, ...outer] = iterations?.boxes ?? [];
    expect(own?.scrollWidth).toBeGreaterThan(own?.clientWidth ?? Infinity);
    for (const box of outer)
      expect(box.scrollWidth, box.element).toBeLessThanOrEqual(box.clientWidth);
    await saveScreenshot(p, `layout-${build}-1280`);
  });

  it("at 390 px the page never scrolls sideways", async () => {
    const p = await page(390);
    await tableFits(p); // opens every <details>: folded text must not widen the page either
    const scroll = await pageScroll(p);
    expect(scroll.scrollWidth).toBeLessThanOrEqual(scroll.clientWidth);
    expect(scroll.clientWidth).toBe(390);
    await saveScreenshot(p, `layout-${build}-390`);
  });

  it.each(WIDTHS)("at %i px each chart is drawn at the width of its box", async (width) => {
    const charts = await chartFits(await page(width));
    expect(charts.length).toBe(5);
    for (const chart of charts) {
      const drawn = interactive ? chart.live : chart.svg;
      expect(chart.room, chart.id).toBeGreaterThan(width === 1280 ? 1000 : 250);
      expect(
        Math.abs(drawn - chart.room),
        `${chart.id}: ${drawn} of ${chart.room}`,
      ).toBeLessThanOrEqual(1);
      if (interactive) expect(chart.svg, `${chart.id}: the static SVG hides`).toBe(0);
    }
    if (interactive) {
      // Vega lays each live chart out at about the box's width (a phone gets one column of
      // panels), so CSS hardly scales it. The parameter-impact chart writes its values past
      // the bars, which a phone's narrow plot cannot hold: it is laid out wider, and scaled.
      const [gate, distance, metrics, impact, parameters] = charts;
      for (const single of [gate, distance]) {
        expect(
          Math.abs((single?.liveLayout ?? 0) - (single?.room ?? 0)),
          single?.id,
        ).toBeLessThanOrEqual(1);
      }
      for (const panels of [metrics, parameters]) {
        expect(
          Math.abs((panels?.liveLayout ?? 0) - (panels?.room ?? 0)),
          panels?.id,
        ).toBeLessThanOrEqual(4);
      }
      expect(impact?.liveLayout ?? 0).toBeLessThanOrEqual((impact?.room ?? 0) * 1.5);
    }
  });

  it.each(WIDTHS)("at %i px axe-core finds no serious or critical violation", async (width) => {
    const p = await page(width);
    await tableFits(p); // every <details> open: their content is checked too
    const findings = await runAxe(p);
    const grave = findings.filter((f) => f.impact === "serious" || f.impact === "critical");
    expect(grave, describeFindings(grave)).toEqual([]);
    // Nor anything lesser: the report is kept clean, not merely passable.
    expect(findings, describeFindings(findings)).toEqual([]);
  });

  it.each(WIDTHS)(
    "at %i px every scroll box is reachable by keyboard and named; headings and landmarks in order",
    async (width) => {
      const p = await page(width);
      await tableFits(p);
      const boxes = await scrollBoxes(p);
      // At the least the iteration table scrolls (sideways at 1280, both ways at 390).
      expect(boxes.some((b) => b.element.includes("table-wrap wide"))).toBe(true);
      for (const box of boxes) {
        expect(box, box.element).toMatchObject({ tabIndex: 0, role: "region" });
        expect(box.name, box.element).toMatch(/\S/);
      }
      const { headings, landmarks } = await outline(p);
      expect(headings[0]).toBe(1);
      headings.forEach((level, i) => {
        if (i > 0)
          expect(level, `heading ${i + 1}`).toBeLessThanOrEqual((headings[i - 1] ?? 1) + 1);
      });
      expect([...landmarks].sort()).toEqual(["footer", "header", "main", "nav"]);
    },
  );
});

describe("chart axes", () => {
  it("no axis label of the static build has trailing zeros, and constant metrics are listed, not drawn", async () => {
    const p = await opened("demo-static-1280", demoExperiment(), false, 1280);
    const labels = await p.$$eval("figure.chart svg text", (texts) =>
      texts.map((t) => t.textContent ?? ""),
    );
    const numbers = labels.filter((l) => /^[−-]?[\d,]*\.?\d+(e[+−-]?\d+)?$/.test(l));
    expect(numbers.length).toBeGreaterThan(20);
    expect(numbers.filter((l) => /\.\d*0$/.test(l))).toEqual([]);
    // The demo's constant metrics are one line each, as plain as the axes: not drawn.
    const listed = (await p.textContent(".info-metrics")) ?? "";
    expect(listed).toContain("755 (constant)");
    expect(listed).toContain("252 (constant)");
    const titles = await p.$$eval("figure.chart svg text", (texts) =>
      texts.map((t) => t.textContent),
    );
    expect(titles.some((t) => t?.startsWith("periods_per_year"))).toBe(false);
  });
});

describe("a comparison and an LLM-advised experiment, static build", () => {
  it.each(WIDTHS)(
    "at %i px: tables fit (1280) or the page does not scroll (390), and axe is clean",
    async (width) => {
      const p = await opened(
        `comparison-${width}`,
        [demoExperiment(), advisedExperiment()],
        false,
        width,
      );
      const fits = await tableFits(p);
      // The advised experiment's history has every optional column: model, prompt, fallback.
      // Each experiment's boxes are named apart.
      expect(fits.filter((f) => f.label.startsWith("Advice history")).map((f) => f.label)).toEqual([
        "Advice history · experiment 1",
        "Advice history · experiment 2",
      ]);
      if (width === 1280) {
        for (const fit of fits.filter((f) => f.kind === "fit")) {
          for (const box of fit.boxes) {
            expect(box.scrollWidth, `${fit.label} in ${box.element}`).toBeLessThanOrEqual(
              box.clientWidth,
            );
          }
        }
      }
      const scroll = await pageScroll(p);
      expect(scroll.scrollWidth).toBeLessThanOrEqual(scroll.clientWidth);
      const findings = await runAxe(p);
      expect(findings, describeFindings(findings)).toEqual([]);
    },
  );
});
