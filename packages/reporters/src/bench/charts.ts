/**
 * The chart part of the report benchmark: build and render every chart of
 * one experiment, timed.
 */
import type { ReportExperiment } from "@converge/core";
import { chartsFor } from "../charts/charts-for.js";
import { renderSvg } from "../charts/render-svg.js";
import { syntheticExperiment } from "./synthetic.js";

/** What rendering one experiment's charts cost. */
export interface ChartBenchResult {
  /** Iterations of the experiment. */
  iterations: number;
  /** Wall time of building the specs and rendering them to SVG, in milliseconds. */
  ms: number;
  /** Total size of the SVGs (UTF-8 bytes). */
  svgBytes: number;
  /** Total size of the specs as JSON (what an interactive report embeds). */
  specBytes: number;
  /** How many charts were drawn. */
  charts: number;
}

/**
 * Builds and renders every chart `chartsFor` gives for an experiment of `n`
 * iterations, and measures it. The experiment is generated (not timed)
 * unless one is given; pass the report benchmark's experiment to measure the
 * charts of the same data.
 *
 * @param n iterations of the generated experiment
 * @param experiment the experiment to chart instead of a generated one
 * @returns time and sizes
 */
export async function benchCharts(
  n: number,
  experiment: ReportExperiment = syntheticExperiment(n),
): Promise<ChartBenchResult> {
  const start = performance.now();
  const charts = chartsFor(experiment);
  const svgs: string[] = [];
  for (const chart of charts) svgs.push(await renderSvg(chart.spec));
  const ms = performance.now() - start;
  const bytes = (text: string) => Buffer.byteLength(text, "utf8");
  return {
    iterations: experiment.records.length,
    ms,
    svgBytes: svgs.reduce((sum, svg) => sum + bytes(svg), 0),
    specBytes: charts.reduce((sum, c) => sum + bytes(JSON.stringify(c.spec)), 0),
    charts: charts.length,
  };
}
