import {
  ExperimentMetaSchema,
  type ExperimentRecord,
  parseRecord,
  type ReportExperiment,
} from "@converge/core";
import { describe, expect, it } from "vitest";
import { renderHtmlReport } from "../html/document.js";
import { renderMarkdownReport } from "../markdown/render.js";
import { chartsFor, comparisonCharts } from "./charts-for.js";
import { chartText } from "./labels.js";
import { renderSvg } from "./render-svg.js";
import { lineVertexCounts, markGroups, schemaErrors } from "./test-fixtures/kit.js";

/** Names that break an expression, a field path or a plain-object lookup. */
const NAMES = [
  'a"b',
  "a\\b",
  "a\nb",
  "a\u2028b",
  "a.b",
  "a[0]",
  "toString",
  "__proto__",
  "constructor",
  "hasOwnProperty",
  "trailing\\",
  "a\u202eb",
];

/**
 * An experiment whose metrics and parameters all carry the names above, with
 * a gate on every metric. The records are built with JSON.parse so that
 * `__proto__` is an own key, as it is in a parsed log line.
 */
function hostileNames(id: string): ReportExperiment {
  const meta = ExperimentMetaSchema.parse({
    experiment_id: id,
    gate: { criteria: NAMES.map((metric) => ({ metric, op: ">=", threshold: 1 })) },
  });
  const records: ExperimentRecord[] = [1, 2, 3].map((i) => {
    const record = parseRecord({
      experiment_id: id,
      iteration: i,
      gate_score: 0.2 * i,
      metrics: {},
      parameters: {},
    });
    const byName = (f: (k: number) => number) =>
      JSON.parse(JSON.stringify(Object.fromEntries(NAMES.map((n, k) => [n, f(k)])))) as Record<
        string,
        number
      >;
    return {
      ...record,
      metrics: byName((k) => 0.1 * i + k),
      parameters: byName((k) => i * (k + 1)),
    };
  });
  return { meta, records };
}

describe("chart specs with hostile metric and parameter names", () => {
  it("keeps __proto__ an own key of the fixture (so the test exercises it)", () => {
    const metrics = hostileNames("exp_a").records[0]?.metrics ?? {};
    expect(Object.keys(metrics)).toContain("__proto__");
    expect(Object.getPrototypeOf(metrics)).toBe(Object.prototype);
  });

  it("draws every chart: no name is spliced into a Vega expression or a field path", async () => {
    const a = hostileNames("exp_a");
    const charts = [
      ...chartsFor(a),
      ...comparisonCharts([a, hostileNames("exp_b")], { maxMetrics: 12 }),
    ];
    expect(charts.map((c) => c.id)).toEqual([
      "gate-score",
      "distance-to-goal",
      "metric-trajectories",
      "parameter-scatter",
      "comparison-gate-score",
      ...NAMES.map((_, i) => `comparison-metric-${i + 1}`),
    ]);
    const warnings: string[] = [];
    for (const chart of charts) {
      expect(schemaErrors(chart.spec)).toEqual([]);
      const svg = await renderSvg(chart.spec, { onWarning: (m) => warnings.push(m) });
      expect(svg).toMatch(/^<svg/);
      if (chart.id === "metric-trajectories") {
        for (let i = 0; i < NAMES.length; i++)
          expect(lineVertexCounts(markGroups(svg, `m${i}_value_marks`)[0] ?? "")).toEqual([3]);
      }
      if (chart.id === "parameter-scatter") {
        // Six panels (the default most), each with its three points.
        const panels = markGroups(svg, "parameter_\\d+_marks");
        expect(panels).toHaveLength(6);
        for (const p of panels) expect(p.split('aria-roledescription="point"').length - 1).toBe(3);
      }
      if (chart.id.startsWith("comparison-metric")) {
        expect(markGroups(svg, "series_marks")[0]).toContain("<path");
      }
    }
    expect(warnings).toEqual([]);
  });

  it("shows each name as text, with line breaks and bidi controls as visible marks", async () => {
    const spec = chartsFor(hostileNames("exp_a")).find((c) => c.id === "metric-trajectories");
    const svg = await renderSvg(spec?.spec as never);
    expect(svg).toContain(">a.b (higher is better)</text>");
    expect(svg).toContain(">a⟨U+000A⟩b (higher is better)</text>");
    expect(svg).toContain(">a⟨U+2028⟩b (higher is better)</text>");
    expect(svg).toContain(">a⟨U+202E⟩b (higher is better)</text>");
    expect(svg).toContain(">trailing\\ (higher is better)</text>");
    expect(svg).not.toMatch(/[\u2028\u202e]/);
    expect(chartText("toString")).toBe("“toString”");
    expect(chartText("x\ty")).toBe("x⟨U+0009⟩y");
  });
});

describe("reports with hostile metric and parameter names", () => {
  it("the HTML report draws every chart with the default engine", async () => {
    const warnings: string[] = [];
    const html = await renderHtmlReport([hostileNames("exp_a"), hostileNames("exp_b")], {
      onWarning: (m) => warnings.push(m),
    });
    expect(html).not.toContain('class="chart-error"');
    // 4 charts per experiment, the gate score and 6 shared metrics compared.
    expect(html.match(/<figure class="chart"[^>]*><div class="chart-body"><svg/g)).toHaveLength(15);
    expect(warnings).toEqual([]);
  });

  it("the Markdown report draws every chart with the default engine", async () => {
    const warnings: string[] = [];
    const { markdown, files } = await renderMarkdownReport(hostileNames("exp_a"), {
      onWarning: (m) => warnings.push(m),
    });
    expect(markdown).not.toContain("could not be drawn");
    expect(Object.keys(files)).toEqual([
      "charts/gate-score.svg",
      "charts/distance-to-goal.svg",
      "charts/metric-trajectories.svg",
      "charts/parameter-scatter.svg",
    ]);
    for (const svg of Object.values(files)) expect(svg).toMatch(/^<svg/);
    expect(warnings).toEqual([]);
  });

  it("a metric or parameter named like an Object.prototype member is a name like any other", async () => {
    const names = ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"];
    const e = hostileNames("exp_a");
    // The first iteration lacks them: its cells must read "missing", never a prototype's function.
    const lacking = (values: Record<string, unknown>) =>
      JSON.parse(
        JSON.stringify(
          Object.fromEntries(Object.entries(values).filter(([k]) => !names.includes(k))),
        ),
      ) as Record<string, number>;
    const first = e.records[0] as ExperimentRecord;
    const records = [
      { ...first, metrics: lacking(first.metrics), parameters: lacking(first.parameters) },
      ...e.records.slice(1),
    ];
    const trajectory = {
      metric_trends: JSON.parse('{"__proto__":{"goal":"minimize","status":"CONVERGING","n":3}}'),
    };
    const report = { ...e, records, trajectory: trajectory as never };
    const html = await renderHtmlReport(report);
    const { markdown } = await renderMarkdownReport(report, { charts: "omit" });
    for (const text of [html, markdown]) {
      expect(text).not.toMatch(/function|native code|\[object Object\]/);
    }
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"])
      expect(html).toContain(`<span class="name"><bdi>${name}</bdi></span>`);
    // The analysis' trend of "__proto__" is its own row, read as the metric's.
    expect(html).toMatch(/<tr><td class="t"><bdi>__proto__<\/bdi><\/td><td>lower is better<\/td>/);
    const firstRow = markdown.split("\n").find((l) => l.startsWith("| 1 |")) ?? "";
    expect(firstRow.split("—").length - 1).toBeGreaterThanOrEqual(4);
  });
});
