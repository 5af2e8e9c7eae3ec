import { ExperimentMetaSchema, parseRecord, type ReportExperiment } from "@converge/core";
import { describe, expect, it } from "vitest";
import { syntheticExperiment } from "../bench/synthetic.js";
import { chartsFor, comparisonCharts, renderCharts } from "./charts-for.js";
import { parameterScatterSpec } from "./parameter-charts.js";
import { count, sampleExperiment, schemaErrors } from "./test-fixtures/kit.js";

const HOSTILE_METRIC = "<script>alert(1)</script>";
const HOSTILE_PARAM = '"><img src=x onerror=alert(1)>';
const HOSTILE_LEVEL = "</text><script>window.__pwned=1</script>";

/** Something that would load or run if the SVG were put into a page. */
function activeContent(svg: string): string[] {
  const found: string[] = [];
  for (const bad of ["<script", "<img", "<image", "<foreignObject", "<iframe", "@import", "href="])
    if (svg.includes(bad)) found.push(bad);
  if (/\son[a-z]+="/.test(svg)) found.push("event handler attribute");
  if (/url\((?!#)/.test(svg)) found.push("external url()");
  // The only URLs are the SVG namespace.
  if (svg.replaceAll('xmlns="http://www.w3.org/2000/svg"', "").includes("http")) found.push("http");
  return found;
}

function hostileExperiment(): ReportExperiment {
  const meta = ExperimentMetaSchema.parse({
    experiment_id: "hostile",
    gate: { criteria: [{ metric: HOSTILE_METRIC, op: ">=", threshold: 1 }] },
    metrics: { "P&L": { goal: "maximize", unit: "<b>usd</b>" } },
  });
  const records = [1, 2, 3, 4].map((i) =>
    parseRecord({
      experiment_id: "hostile",
      iteration: i,
      parameters: { [HOSTILE_PARAM]: i / 10, style: i % 2 ? HOSTILE_LEVEL : "plain" },
      metrics: { [HOSTILE_METRIC]: i / 4, "P&L": i * 10 },
      gate_score: i / 4,
    }),
  );
  const trajectory = {
    parameter_effects: {
      method: "ols",
      skipped: {},
      parameters: {
        [HOSTILE_PARAM]: {
          kind: "numeric",
          impact: 0.5,
          stderr: 0.1,
          importance: 0.5,
          changes: 3,
          direction: "INCREASE",
        },
      },
    },
  };
  return { meta, records, trajectory: trajectory as never };
}

describe("chartsFor", () => {
  it("gives the sample log's plain records every chart that needs no analysis, all valid and rendered", async () => {
    const charts = chartsFor(sampleExperiment());
    expect(charts.map((c) => c.id)).toEqual([
      "gate-score",
      "distance-to-goal",
      "metric-trajectories",
      "parameter-scatter",
    ]);
    for (const c of charts) {
      expect(schemaErrors(c.spec)).toEqual([]);
      expect(c.description.length).toBeGreaterThan(20);
    }
    for (const c of await renderCharts(charts)) {
      expect(c.svg.startsWith("<svg")).toBe(true);
      expect(count(c.svg, 'class="mark-')).toBeGreaterThan(5);
      expect(activeContent(c.svg)).toEqual([]);
    }
  });

  it("adds the parameter impact when the analysis is there", async () => {
    const charts = chartsFor(syntheticExperiment(60));
    expect(charts.map((c) => c.id)).toEqual([
      "gate-score",
      "distance-to-goal",
      "metric-trajectories",
      "parameter-impact",
      "parameter-scatter",
    ]);
    for (const c of charts) expect(schemaErrors(c.spec)).toEqual([]);
    const warnings: string[] = [];
    await renderCharts(charts, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
  });

  it("keeps to the metric trajectories without a gate or score, and to nothing without records", () => {
    const meta = ExperimentMetaSchema.parse({ experiment_id: "bare" });
    const records = [1, 2].map((i) =>
      parseRecord({ experiment_id: "bare", iteration: i, metrics: { loss: 1 / i } }),
    );
    expect(chartsFor({ meta, records }).map((c) => c.id)).toEqual(["metric-trajectories"]);
    expect(chartsFor({ meta, records: [] })).toEqual([]);
  });

  it("escapes hostile names in every chart's SVG", async () => {
    const e = hostileExperiment();
    const charts = [
      ...chartsFor(e),
      ...comparisonCharts([e, e]),
      { id: "style", title: "", description: "", spec: parameterScatterSpec(e, "style") },
      { id: "param", title: "", description: "", spec: parameterScatterSpec(e, HOSTILE_PARAM) },
    ];
    expect(charts.map((c) => c.id)).toContain("parameter-impact");
    const svgs = (await renderCharts(charts)).map((c) => c.svg);
    const all = svgs.join("\n");
    for (const svg of svgs) {
      expect(activeContent(svg)).toEqual([]);
      expect(count(svg, /<text[\s>]/)).toBe(count(svg, "</text>"));
    }
    expect(all).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(all).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(all).toContain("P&amp;L (&lt;b&gt;usd&lt;/b&gt;, higher is better)");
    expect(all).toContain("&lt;/text&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;");
  });
});

describe("comparisonCharts", () => {
  it("compares the gate score and each shared metric of two or more experiments", () => {
    const a = syntheticExperiment(20, { experimentId: "a" });
    const b = sampleExperiment();
    expect(comparisonCharts([a])).toEqual([]);
    const charts = comparisonCharts([a, b]);
    expect(charts.map((c) => [c.id, c.title])).toEqual([
      ["comparison-gate-score", "Gate score by experiment"],
      ["comparison-metric-1", "sharpe_ratio by experiment"],
      ["comparison-metric-2", "max_drawdown by experiment"],
      ["comparison-metric-3", "win_rate by experiment"],
    ]);
    for (const c of charts) expect(schemaErrors(c.spec)).toEqual([]);
    expect(comparisonCharts([a, b], { maxMetrics: 1 })).toHaveLength(2);
  });
});
