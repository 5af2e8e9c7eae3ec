/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser: type them against the DOM.
/**
 * The XSS suite: hostile strings in every user field (directive, strategy
 * name, code and description, parameter names and values, metric names,
 * action, failure classification and analysis, advice texts and source, gate
 * metric names, analysis reasons (the success probability's and the ETA's,
 * the ETA's model name); each record's advice, LLM usage and failure
 * analysis, and the summary's final advice). In a real browser no payload runs
 * (`window.__pwned` stays unset) in the static or the interactive build, and
 * the text shows literally.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openReport, reportDir, saveScreenshot } from "../test-fixtures/browser.js";
import {
  HOSTILE_CODE,
  hostileAdvisedExperiment,
  hostileExperiment,
  PAYLOADS as P,
} from "../test-fixtures/hostile.js";
import {
  attributesOf,
  jsonBlocksOf,
  scriptsOf,
  tagNamesOf,
} from "../test-fixtures/html-inspect.js";
import { markHidden } from "../text-marks.js";
import { renderHtmlReport } from "./document.js";

const experiment = hostileExperiment();
const record = experiment.records[0];
if (!record) throw new Error("the hostile fixture has records");
const paramNames = Object.keys(record.parameters);
const metricNames = Object.keys(record.metrics);

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

describe("hostile strings in the HTML text", () => {
  it.each([false, true])(
    "interactive=%s: no element, attribute or script comes from user data",
    async (interactive) => {
      const html = await renderHtmlReport(experiment, { interactive });
      const tags = new Set(tagNamesOf(html));
      for (const tag of ["img", "iframe", "object", "embed", "foreignobject", "image", "use"]) {
        expect(tags.has(tag), tag).toBe(false);
      }
      expect(attributesOf(html).filter((a) => a.name.startsWith("on"))).toEqual([]);
      // The only links are the report's own in-page anchors.
      for (const m of html.matchAll(/\shref="([^"]*)"/g)) expect(m[1]).toMatch(/^#[\w-]+$/);
      expect(scriptsOf(html)).toHaveLength(interactive ? 4 : 0);
      for (const block of jsonBlocksOf(html)) expect(block).not.toMatch(/[<>&\u2028\u2029]/);
    },
  );
});

async function texts(page: Page) {
  return page.evaluate(() => {
    const text = (sel: string) => document.querySelector(sel)?.textContent ?? null;
    const all = (sel: string) => [...document.querySelectorAll(sel)].map((e) => e.textContent);
    return {
      title: document.title,
      heading: text(".directive-title"),
      reasoning: text("p.reasoning"),
      findings: all(".callout h3 + ul li").slice(0, 4),
      source: text(".callout .facts dd"),
      code: text("details.code pre.code-text code"),
      description: text("details.code p.meta"),
      headerTitles: [...document.querySelectorAll("table.iters thead th[title]")].map((e) =>
        e.getAttribute("title"),
      ),
      headerNames: all("table.iters thead th[title] .name"),
      firstRow: all("table.iters tbody tr:first-child td"),
      criteria: all("table.criteria tbody td:first-child"),
      statusReason: text("#e1-trajectory + dl.facts dd"),
      chance: text("#e1-trajectory + dl.facts dd.outlook"),
      eta: [...document.querySelectorAll("#e1-trajectory + dl.facts dt")].find(
        (dt) => dt.textContent === "Iterations to success",
      )?.nextElementSibling?.textContent,
      outlookFact: text(".callout .facts dd.outlook"),
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      handlers: [...document.querySelectorAll("*")].filter((el) =>
        [...el.attributes].some((a) => a.name.toLowerCase().startsWith("on")),
      ).length,
    };
  });
}

describe.each([
  ["static", false],
  ["interactive", true],
])("in the browser, %s build", (name, interactive) => {
  it("runs no payload and shows every hostile string literally", async () => {
    const html = await renderHtmlReport(experiment, { interactive });
    const { page, errors, requests } = await openReport(browser, dir.dir, `xss-${name}.html`, html);
    // Open every collapsed section and hover over every cell: nothing may fire.
    await page.$$eval("details", (ds) => {
      for (const d of ds) (d as HTMLDetailsElement).open = true;
    });
    await page.hover("table.iters tbody tr:first-child td:nth-child(3)");
    await page.waitForTimeout(200);
    const t = await texts(page);
    expect(t.pwned).toBeUndefined();
    expect(t.handlers).toBe(0);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);

    // document.title collapses ASCII whitespace only (U+2028 stays).
    expect(t.title).toBe(experiment.meta.directive.replace(/[\t\n\f\r ]+/g, " ").trim());
    expect(t.heading).toBe(experiment.meta.directive);
    expect(t.reasoning).toBe(experiment.advice?.assessment.reasoning);
    expect(t.findings).toEqual(expect.arrayContaining([P.img, P.script]));
    expect(t.source).toContain(`llm:${P.img}`);
    // The code's U+2028 and U+2029 show as marks (see text-marks.ts); the rest is literal.
    expect(t.code).toBe(markHidden(HOSTILE_CODE));
    expect(t.code).toContain("line⟨U+2028⟩sep⟨U+2029⟩end");
    expect(t.description).toBe(record.strategy_description);
    expect(t.headerTitles).toEqual(expect.arrayContaining([...paramNames, ...metricNames]));
    expect(t.headerNames).toEqual(expect.arrayContaining([P.script, "plain", P.attr]));
    expect(t.firstRow).toEqual(
      expect.arrayContaining([
        record.strategy_name,
        P.url,
        P.separator,
        record.action_taken,
        P.svg,
        `${P.img} ${P.separator}`,
      ]),
    );
    expect(t.criteria).toEqual(experiment.meta.gate?.criteria.map((c) => c.metric));
    expect(t.statusReason).toContain(P.script);
    // The analysis' outlook: its reasons and model name are data too.
    expect(t.chance).toBe(`P(pass within the 6 iterations left) 0.37${P.script} ${P.separator}`);
    expect(t.eta).toBe(
      `median 3 iterations · 80% range 2–5, over the predicted futures that pass within 50 iterations; ${P.svg} model${P.img}`,
    );
    expect(t.outlookFact).toBe(
      "P(pass within the 6 iterations left) 0.37 · 80% range 2–5 iterations (median 3) (trajectory analysis)",
    );
    if (interactive) expect(await page.getAttribute("html", "data-embed")).not.toBeNull();
    await saveScreenshot(page, `xss-${name}`);
    await page.close();
  });
});

describe("hostile advice, LLM usage and failure analysis", () => {
  const advised = hostileAdvisedExperiment();
  const advice = advised.records[1]?.advice;
  if (!advice?.fallback) throw new Error("the hostile advised fixture has a fallback advice");
  const source = advice.source;
  const reason = advice.fallback.reason;

  it.each([false, true])(
    "interactive=%s: no element, attribute or script comes from them",
    async (interactive) => {
      const html = await renderHtmlReport(advised, { interactive });
      expect(html).toContain('<table class="advice-history">');
      const tags = new Set(tagNamesOf(html));
      for (const tag of ["img", "iframe", "object", "embed", "foreignobject", "image", "use"]) {
        expect(tags.has(tag), tag).toBe(false);
      }
      expect(attributesOf(html).filter((a) => a.name.startsWith("on"))).toEqual([]);
      expect(scriptsOf(html)).toHaveLength(interactive ? 4 : 0);
      for (const block of jsonBlocksOf(html)) expect(block).not.toMatch(/[<>&\u2028\u2029]/);
    },
  );

  it.each([
    ["static", false],
    ["interactive", true],
  ])(
    "in the browser, %s build: runs no payload and shows the advice literally",
    async (name, interactive) => {
      const html = await renderHtmlReport(advised, { interactive });
      const { page, errors, requests } = await openReport(
        browser,
        dir.dir,
        `xss-advice-${name}.html`,
        html,
      );
      await page.$$eval("details", (ds) => {
        for (const d of ds) (d as HTMLDetailsElement).open = true;
      });
      await page.hover("table.advice-history tbody tr:first-child td:nth-child(10)");
      await page.waitForTimeout(200);
      const t = await page.evaluate(() => {
        const text = (sel: string) => document.querySelector(sel)?.textContent ?? null;
        const all = (sel: string) => [...document.querySelectorAll(sel)].map((e) => e.textContent);
        return {
          adviceLines: all("ul.iter-notes li.advice-line"),
          fallbacks: all("ul.iter-notes li.fallback"),
          costs: all("ul.iter-notes li.llm-cost"),
          causes: all("ul.iter-notes li.failure"),
          actions: all("ul.iter-notes ul.actions li"),
          history: [...document.querySelectorAll("table.advice-history tbody tr")].map((tr) =>
            [...tr.querySelectorAll("td")].map((td) => td.textContent),
          ),
          // The reasoning cell: the whole text, its tail folded in a <details> when long.
          reasonings: [...document.querySelectorAll("table.advice-history td:last-child")].map(
            (td) => td.textContent,
          ),
          finalAdvice: text(".final-advice"),
          saidBy: text(".callout .facts dd"),
          fallbackFact: text(".callout .facts dd.fb"),
          reasoning: text("p.reasoning"),
          pwned: (window as unknown as { __pwned?: unknown }).__pwned,
          handlers: [...document.querySelectorAll("*")].filter((el) =>
            [...el.attributes].some((a) => a.name.toLowerCase().startsWith("on")),
          ).length,
        };
      });
      expect(t.pwned).toBeUndefined();
      expect(t.handlers).toBe(0);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);

      const line = `advice after iteration 1: CONTINUE (confidence 0.4) by ${source}, model ${P.attr}, prompt ${P.script}v1`;
      expect(t.adviceLines).toEqual([line]);
      const fallback = `LLM advisor llm:${P.svg} failed (${reason}); ${source} advisor answered`;
      expect(t.fallbacks).toEqual([`⚠ ${fallback}`]);
      expect(t.fallbackFact).toBe(`⚠ ${fallback}`);
      expect(t.costs).toHaveLength(2);
      for (const cost of t.costs)
        expect(cost).toMatch(/^LLM cost unknown \(1 of 1 call without a price\)/);
      expect(t.causes[0]).toContain(`: ${P.img} root`);
      expect(t.actions).toEqual([P.script, P.comment, P.script, P.comment]);
      // One row for the advice record 2 acted on, one for the summary's final advice.
      expect(t.history).toHaveLength(2);
      expect(t.history[0]).toEqual([
        "1",
        "2",
        "CONTINUE",
        "OSCILLATING",
        "0.4",
        source,
        P.attr,
        `${P.script}v1`,
        `llm:${P.svg} failed: ${reason}`,
        advice.assessment.reasoning,
      ]);
      expect(t.history[1]?.slice(0, 2)).toEqual(["2", "final"]);
      expect(t.reasonings).toContain(advice.assessment.reasoning);
      expect(t.finalAdvice).toContain(`by ${source}`);
      expect(t.saidBy).toContain(source);
      expect(t.reasoning).toBe(advised.meta.summary?.advice?.assessment.reasoning);
      await saveScreenshot(page, `xss-advice-${name}`);
      await page.close();
    },
  );
});
