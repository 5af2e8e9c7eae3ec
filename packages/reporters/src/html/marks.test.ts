/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser: type them against the DOM.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openReport, reportDir } from "../test-fixtures/browser.js";
import { fakeChartEngine } from "../test-fixtures/fake-charts.js";
import { TROJAN_CODE, trojanExperiment } from "../test-fixtures/trojan.js";
import { renderHtmlReport } from "./document.js";
import { hiddenWarningHtml, markHiddenHtml, nameHtml } from "./marks.js";
import { renderDiff } from "./section-code.js";

/** The hidden and control characters of the fixture still raw in `text` (none, once marked). */
const rawIn = (text: string) =>
  ["\u202e", "\u2066", "\u2069", "\u200b", "\u001b"].filter((c) => text.includes(c));

const WARNING =
  "This code contains bidirectional or invisible Unicode characters: U+202E, U+2066, U+2069, U+200B, U+001B";
const span = (label: string) => `<span class="hidden-char" title="${label}">⟨${label}⟩</span>`;

describe("hidden characters in HTML code, diffs and names", () => {
  it("marks each hidden and control character in a diff, with the warning above it", () => {
    const diff = renderDiff("x = 1\n", TROJAN_CODE);
    expect(
      diff.html.startsWith(
        `<p class="hidden-warning" role="note">⚠ ${WARNING}</p><pre class="diff" role="region" tabindex="0" aria-label="Code diff">`,
      ),
    ).toBe(true);
    expect(diff.html).toContain(
      `<span class="a">+    if access_level != &quot;user${span("U+202E")} ${span("U+2066")}# Check if admin${span("U+2069")} ${span("U+2066")}&quot;:</span>`,
    );
    expect(diff.html).toContain(`return False${span("U+200B")}  # ${span("U+001B")}[2J</span>`);
    expect(rawIn(diff.html)).toEqual([]);
  });

  it("leaves clean code without a warning, and keeps tabs, newlines and CRLF", () => {
    expect(hiddenWarningHtml("a\tb\r\nc\n")).toBe("");
    expect(markHiddenHtml("a\tb\r\nc\n")).toBe("a\tb\r\nc\n");
    expect(markHiddenHtml("a\rb")).toBe(`a${span("U+000D")}b`);
  });

  it("isolates a name in <bdi> and marks its hidden characters, line breaks included", () => {
    expect(nameHtml("a\u202e<b>\nc")).toBe(
      `<bdi>a${span("U+202E")}&lt;b&gt;${span("U+000A")}c</bdi>`,
    );
  });

  it("the report marks the code, the diff and the metric name, and holds no raw hidden character", async () => {
    const html = await renderHtmlReport(trojanExperiment(), { chartEngine: fakeChartEngine() });
    expect(html).toContain(
      `<p class="hidden-warning" role="note">⚠ ${WARNING}</p><pre class="diff" role="region" tabindex="0" aria-label="Code diff of iteration 2">`,
    );
    expect(html).toContain(`<span class="name"><bdi>profit${span("U+202E")}TIFORP</bdi></span>`);
    const body = html.slice(html.indexOf("<body>"));
    // The SVG charts come from the fake engine and carry the name as vega drew it; the rest is marked.
    const withoutCharts = body.replace(/<svg[\s\S]*?<\/svg>/g, "");
    expect(rawIn(withoutCharts)).toEqual([]);
  });
});

describe("hidden-character marks in a browser", () => {
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

  it("shows the marks as visible inline text and the warning above the diff", async () => {
    const html = await renderHtmlReport(trojanExperiment(), { chartEngine: fakeChartEngine() });
    const { page, errors } = await openReport(browser, dir.dir, "trojan.html", html);
    expect(errors).toEqual([]);
    const seen = await page.evaluate(() => {
      for (const d of document.querySelectorAll("details.code"))
        (d as HTMLDetailsElement).open = true;
      const diff = document.querySelector("pre.diff") as HTMLElement;
      const marks = [...diff.querySelectorAll(".hidden-char")].map((el) => {
        const box = el.getBoundingClientRect();
        return {
          text: el.textContent,
          display: getComputedStyle(el).display,
          visible: box.width > 0,
        };
      });
      const warning = diff.previousElementSibling as HTMLElement;
      const lines = [...diff.querySelectorAll(":scope > span")].map((l) => l.textContent ?? "");
      return {
        warning: warning.className === "hidden-warning" ? warning.textContent : null,
        line: lines.find((l) => l.startsWith("+    if")) ?? "",
        marks,
      };
    });
    expect(seen.warning).toBe(`⚠ ${WARNING}`);
    expect(seen.line).toBe(
      '+    if access_level != "user⟨U+202E⟩ ⟨U+2066⟩# Check if admin⟨U+2069⟩ ⟨U+2066⟩":',
    );
    expect(seen.marks).toHaveLength(6);
    for (const mark of seen.marks) expect(mark).toMatchObject({ display: "inline", visible: true });
  });
});
