import * as vega from "vega";
import type { TopLevelSpec } from "vega-lite";
import { afterEach, describe, expect, it, vi } from "vitest";
import { compactSvg, renderSvg, stripExternalReferences } from "./render-svg.js";
import { count, schemaErrors } from "./test-fixtures/kit.js";
import { estimateTextWidth, vegaTextWidth } from "./text-width.js";
import { CHART_CONFIG, VEGA_LITE_SCHEMA } from "./theme.js";

const bars = (title: string): TopLevelSpec => ({
  $schema: VEGA_LITE_SCHEMA,
  config: CHART_CONFIG,
  title,
  data: {
    values: [
      { a: "x", b: 1 },
      { a: "y", b: 2 },
    ],
  },
  mark: "bar",
  encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } },
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("renderSvg", () => {
  it("renders a spec headlessly and finalizes the view", async () => {
    const finalize = vi.spyOn(vega.View.prototype, "finalize");
    const svg = await renderSvg(bars("Two bars"));
    expect(svg.startsWith("<svg")).toBe(true);
    expect(count(svg, 'aria-roledescription="bar"')).toBe(2);
    expect(finalize).toHaveBeenCalledTimes(1);
    // Transparent background: no white rectangle behind the chart.
    expect(svg).not.toContain('fill="white"');
  });

  it("refuses to load external data and reports it as a warning", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const warnings: string[] = [];
    const spec = { ...bars("remote"), data: { url: "https://example.com/data.json" } };
    const svg = await renderSvg(spec as TopLevelSpec, { onWarning: (m) => warnings.push(m) });
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(warnings.join(" ")).toContain("charts load no external data");
    expect(count(svg, 'aria-roledescription="bar"')).toBe(0);
  });

  it("measures text per character, so a long title is not cut short", async () => {
    const title = "Gate score of experiment exp_20260118_143022 over its 10,000 iterations";
    const svg = await renderSvg({ ...bars(title), width: 600 } as TopLevelSpec);
    expect(svg).toContain(`>${title}</text>`);
    // A title longer than its limit is still cut, with an ellipsis.
    const long = `${"very long title ".repeat(12)}end`;
    const cut = await renderSvg(bars(long));
    expect(cut).not.toContain("end</text>");
    expect(cut).toContain("…</text>");
  });
});

describe("text widths", () => {
  it("are close to Helvetica's and respect an item's limit", () => {
    // "iteration" in 11px Helvetica is about 41 px (with the 15% margin, 47).
    expect(estimateTextWidth("iteration", 11)).toBeGreaterThanOrEqual(41);
    expect(estimateTextWidth("iteration", 11)).toBeLessThanOrEqual(48);
    expect(estimateTextWidth("WWW", 10)).toBeGreaterThan(estimateTextWidth("iii", 10) * 3);
    expect(estimateTextWidth("ab", 12, true)).toBeGreaterThan(estimateTextWidth("ab", 12));
    expect(estimateTextWidth("漢字", 10)).toBe(23);
    expect(vegaTextWidth({ text: "a long label", fontSize: 11, limit: 20 })).toBe(20);
    expect(vegaTextWidth({ text: "", fontSize: 11 })).toBe(0);
    expect(vegaTextWidth({ text: ["two", "lines"] })).toBe(estimateTextWidth("two lines", 11));
  });
});

describe("stripExternalReferences", () => {
  it("drops links and external url() values from tags, not from text", () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">' +
      '<image xlink:href="https://example.com/a.png"/><a href="javascript:alert(1)">x</a>' +
      '<path fill="url(https://example.com/p.svg#g)" clip-path="url(#clip1)"/><use href="#clip1"/>' +
      '<text>see href="http://x" and url(http://y)</text></svg>';
    expect(stripExternalReferences(svg)).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg"><image/><a>x</a>' +
        '<path fill="none" clip-path="url(#clip1)"/><use href="#clip1"/>' +
        '<text>see href="http://x" and url(http://y)</text></svg>',
    );
  });
});

describe("compactSvg", () => {
  it("rounds transform coordinates and leaves everything else alone", () => {
    const svg =
      '<g transform="translate(30.00000000000003,15.123456)"><text transform="rotate(-90)">' +
      'transform="translate(1.23456,2)"</text></g>';
    expect(compactSvg(svg)).toBe(
      '<g transform="translate(30,15.12)"><text transform="rotate(-90)">' +
        'transform="translate(1.23456,2)"</text></g>',
    );
  });
});

describe("schema validation (test kit)", () => {
  it("rejects what Vega-Lite's schema rejects", () => {
    expect(schemaErrors(bars("ok"))).toEqual([]);
    const badMark = { ...bars("bad"), mark: "nonsense" };
    expect(schemaErrors(badMark as unknown as TopLevelSpec)).not.toEqual([]);
    const badColour = { ...bars("bad"), config: { background: 12 } };
    expect(schemaErrors(badColour as unknown as TopLevelSpec)).not.toEqual([]);
  });
});
