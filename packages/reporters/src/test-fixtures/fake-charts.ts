/**
 * A small chart engine for tests: two Vega-Lite charts per experiment drawn
 * with vega in Node, and one that always fails to draw when asked.
 */
import type { ReportExperiment } from "@converge/core";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { ChartDescription, ChartEngine } from "../view-model/chart-engine.js";

function lineSpec(title: string, values: { iteration: number; value: number; series: string }[]) {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 420,
    height: 200,
    data: { values },
    mark: { type: "line", point: true, tooltip: true, clip: true },
    encoding: {
      x: { field: "iteration", type: "quantitative" },
      y: { field: "value", type: "quantitative" },
      color: { field: "series", type: "nominal" },
    },
  };
}

/** Renders a Vega-Lite spec to SVG the way the real engine does. */
export async function renderVegaLite(spec: unknown): Promise<string> {
  const runtime = vega.parse(compile(spec as TopLevelSpec).spec);
  const view = new vega.View(runtime, { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The fake engine; `failing: true` adds a chart whose spec is broken. */
export function fakeChartEngine(options: { failing?: boolean } = {}): ChartEngine {
  const chartsFor = (e: ReportExperiment): ChartDescription[] => {
    const metrics = Object.keys(e.records[0]?.metrics ?? {}).slice(0, 3);
    const charts: ChartDescription[] = [
      {
        id: "gate-score",
        title: "Gate score",
        description: "Gate score per iteration",
        spec: lineSpec(
          "Gate score",
          e.records.map((r) => ({
            iteration: r.iteration,
            value: r.gate_score ?? 0,
            series: "score",
          })),
        ),
      },
      {
        id: "metrics",
        title: "Metrics",
        description: `Metrics: ${metrics.join(", ")}`,
        spec: lineSpec(
          "Metrics",
          e.records.flatMap((r) =>
            metrics.map((m) => ({ iteration: r.iteration, value: r.metrics[m] ?? 0, series: m })),
          ),
        ),
      },
    ];
    if (options.failing) {
      charts.push({
        id: "broken",
        title: "Broken",
        description: "never draws",
        spec: { mark: 42 },
      });
    }
    return charts;
  };
  return {
    chartsFor,
    comparisonCharts: (experiments) => [
      {
        id: "comparison",
        title: "Gate score by experiment",
        description: "All experiments on one chart",
        spec: lineSpec(
          "Gate score by experiment",
          experiments.flatMap((e) =>
            e.records.map((r) => ({
              iteration: r.iteration,
              value: r.gate_score ?? 0,
              series: e.meta.experiment_id,
            })),
          ),
        ),
      },
    ],
    renderSvg: renderVegaLite,
  };
}
