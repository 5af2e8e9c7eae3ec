/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser: type them against the DOM.
/**
 * Measurements of a report laid out in Chromium, for the layout and
 * accessibility tests: how wide each table is against its scroll box and
 * every scrolling ancestor, whether the page scrolls sideways, how wide each
 * chart is drawn against the room it has, which boxes scroll and whether a
 * keyboard reaches them, the heading levels and landmarks, and axe-core's
 * findings (injected by the test through the DevTools protocol, which the
 * report's Content-Security-Policy does not govern).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const require = createRequire(import.meta.url);

/** One table against its own box and each ancestor that clips or scrolls sideways. */
export interface TableFit {
  /** The box's accessible name (aria-label). */
  label: string;
  /** `fit` (text table) or `wide` (the per-iteration data table). */
  kind: string;
  tableWidth: number;
  /** The box and every clipping/scrolling ancestor, innermost first. */
  boxes: { element: string; scrollWidth: number; clientWidth: number }[];
}

/** Every table's fit (after opening every `<details>`, so folded text counts too). */
export function tableFits(page: Page): Promise<TableFit[]> {
  return page.evaluate(() => {
    for (const d of document.querySelectorAll("details")) d.open = true;
    return [...document.querySelectorAll(".table-wrap")].map((wrap) => {
      const boxes: { element: string; scrollWidth: number; clientWidth: number }[] = [];
      for (let el: Element | null = wrap; el && el !== document.documentElement; ) {
        const overflow = getComputedStyle(el).overflowX;
        if (el === wrap || overflow !== "visible") {
          const name = `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(" ").join(".")}` : ""}`;
          boxes.push({ element: name, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth });
        }
        el = el.parentElement;
      }
      const root = document.scrollingElement as Element;
      boxes.push({ element: "page", scrollWidth: root.scrollWidth, clientWidth: root.clientWidth });
      return {
        label: wrap.getAttribute("aria-label") ?? "",
        kind: wrap.classList.contains("fit") ? "fit" : "wide",
        tableWidth: Math.round(wrap.querySelector("table")?.getBoundingClientRect().width ?? 0),
        boxes,
      };
    });
  });
}

/** The page's own sideways scroll: scrollWidth against clientWidth of the scrolling element. */
export function pageScroll(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => {
    const root = document.scrollingElement as Element;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
}

/** One chart: the width it is drawn at against the content width of its box. */
export interface ChartFit {
  id: string;
  /** The chart body's content width (the room the chart is given). */
  room: number;
  /** The static SVG's drawn width (0 when hidden by a live chart). */
  svg: number;
  /** The live (vega-embed) chart's drawn width; 0 in the static build. */
  live: number;
  /** The width vega laid the live chart out at, before any CSS scaling (canvas pixels / devicePixelRatio). */
  liveLayout: number;
}

/** Every chart's drawn width against its room. */
export function chartFits(page: Page): Promise<ChartFit[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("figure.chart")].map((figure) => {
      const body = figure.querySelector(".chart-body") as HTMLElement;
      const style = getComputedStyle(body);
      const room =
        body.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const width = (el: Element | null) => (el ? el.getBoundingClientRect().width : 0);
      return {
        id: figure.id,
        room,
        svg: width(body.querySelector(":scope > svg")),
        live: width(body.querySelector(".chart-live canvas, .chart-live svg")),
        liveLayout:
          ((body.querySelector(".chart-live canvas") as HTMLCanvasElement | null)?.width ?? 0) /
          devicePixelRatio,
      };
    }),
  );
}

/** A box the reader can scroll, and whether the keyboard reaches it and it has a name. */
export interface ScrollBox {
  element: string;
  tabIndex: number;
  role: string | null;
  name: string | null;
}

/** Every element that scrolls (content larger than its box, overflow auto/scroll). */
export function scrollBoxes(page: Page): Promise<ScrollBox[]> {
  return page.evaluate(() => {
    const found: ScrollBox[] = [];
    for (const el of document.querySelectorAll("body *")) {
      const style = getComputedStyle(el);
      const scrolls = (overflow: string) => overflow === "auto" || overflow === "scroll";
      const sideways = scrolls(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
      const down = scrolls(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
      if (!sideways && !down) continue;
      const labelledBy = el.getAttribute("aria-labelledby");
      const name =
        el.getAttribute("aria-label") ??
        (labelledBy ? (document.getElementById(labelledBy)?.textContent ?? null) : null);
      found.push({
        element: `${el.tagName.toLowerCase()}.${String(el.className)}`,
        tabIndex: (el as HTMLElement).tabIndex,
        role: el.getAttribute("role"),
        name,
      });
    }
    return found;
  });
}

/** The heading levels in document order, and the landmarks' element names. */
export function outline(page: Page): Promise<{ headings: number[]; landmarks: string[] }> {
  return page.evaluate(() => ({
    headings: [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) =>
      Number(h.tagName.slice(1)),
    ),
    landmarks: [...document.querySelectorAll("body > .page > header, main, nav, .page > footer")]
      .map((el) => el.tagName.toLowerCase())
      .filter((v, i, all) => all.indexOf(v) === i),
  }));
}

/** One axe-core violation, reduced to what a failure message needs. */
export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core (the npm package's own build) in the page. The source is
 * evaluated through the DevTools protocol, so the report's CSP, which allows
 * no script of the test's, does not block it.
 */
export async function runAxe(page: Page): Promise<AxeFinding[]> {
  axeSource ??= readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe;
    interface AxeResults {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: unknown[] }[];
      }[];
    }
    const results = await axe.run();
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(" ")),
    }));
  });
}

/** Findings as lines for a failure message: "id (impact): help — target, target". */
export function describeFindings(findings: readonly AxeFinding[]): string {
  return findings
    .map((f) => `${f.id} (${f.impact}): ${f.help} — ${f.targets.slice(0, 5).join(", ")}`)
    .join("\n");
}
