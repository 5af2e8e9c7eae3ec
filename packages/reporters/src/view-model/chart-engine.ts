/**
 * What a report needs from the chart module, whatever its format: the charts
 * of an experiment and of a comparison, and SVG rendering. The default engine
 * is the package's own Vega-Lite specs (`src/charts/`), rendered in Node;
 * tests inject their own.
 */
import type { ReportExperiment } from "@converge/core";
import type { TopLevelSpec } from "vega-lite";
import { chartsFor, comparisonCharts, renderSvg } from "../charts/index.js";

/** One chart as the chart module describes it. */
export interface ChartDescription {
  /** Stable id within the experiment, e.g. "metric-trajectories". */
  id: string;
  title: string;
  description: string;
  /** A Vega-Lite specification. */
  spec: unknown;
}

/** What the document needs from the chart module (injectable for tests). */
export interface ChartEngine {
  /** Every chart of one experiment. */
  chartsFor(experiment: ReportExperiment): ChartDescription[];
  /** Charts comparing several experiments. */
  comparisonCharts(experiments: readonly ReportExperiment[]): ChartDescription[];
  /** Renders a Vega-Lite spec to an SVG document in Node. */
  renderSvg(spec: unknown): Promise<string>;
}

/** The package's charts: Vega-Lite specs rendered to SVG in Node. */
export const defaultChartEngine: ChartEngine = {
  chartsFor: (experiment) => chartsFor(experiment),
  comparisonCharts: (experiments) => comparisonCharts(experiments),
  renderSvg: (spec) => renderSvg(spec as TopLevelSpec),
};
