/**
 * One panel per metric: the value per iteration, the best value so far
 * (goal-aware), the gate's thresholds on that metric and the change points.
 */
import { metricSpan, type ReportExperiment } from "@converge/core";
import type { TopLevelSpec } from "vega-lite";
import { own } from "../own.js";
import {
  bestSoFar,
  type ChartData,
  chartData,
  directionText,
  thresholdText,
} from "./chart-data.js";
import { chartText } from "./labels.js";
import {
  type ChartOptions,
  changePointLayer,
  type Layer,
  type Legend,
  legend,
  lineLayer,
  MAX_POINTS,
  type RuleRow,
  samplingNote,
  seriesRows,
  stepRows,
  thresholdLayers,
} from "./layers.js";
import { COLORS, formatNumber, topLevel } from "./theme.js";

export interface MetricTrajectoryOptions extends ChartOptions {
  /** The metrics to draw, in order (default: gated metrics first, then the others, at most `maxPanels`). */
  metrics?: string[];
  /** Most panels when `metrics` is not given (default 12). */
  maxPanels?: number;
  /** Panels per row (default 2). */
  columns?: number;
}

/** The gate's thresholds on a metric (both ends of a "between"), else its informative target. */
function thresholdRows(data: ChartData, experiment: ReportExperiment, name: string): RuleRow[] {
  const rows: RuleRow[] = [];
  for (const { criterion: c } of data.criteria) {
    if (c.metric !== name) continue;
    if (Array.isArray(c.threshold)) {
      rows.push({ y: c.threshold[0], text: `gate ${thresholdText(">=", c.threshold[0])}` });
      rows.push({ y: c.threshold[1], text: `gate ${thresholdText("<=", c.threshold[1])}` });
    } else rows.push({ y: c.threshold, text: `gate ${thresholdText(c.op, c.threshold)}` });
  }
  const target = own(experiment.meta.metrics, name)?.threshold;
  if (!rows.length && target !== undefined && Number.isFinite(target))
    rows.push({ y: target, text: `target ${formatNumber(target)}` });
  return rows;
}

/**
 * The metrics worth a panel: gated ones first (in gate order), then the others
 * in order of first appearance, leaving out a metric no criterion tests that
 * has one value in every iteration (a flat line says no more than the one-line
 * "252 (constant)" the report gives it).
 */
export function plottedMetrics(data: ChartData): string[] {
  const gated = data.criteria.map((c) => c.criterion.metric);
  return [...new Set([...gated, ...data.metricNames])].filter(
    (m) =>
      data.metricNames.includes(m) && (gated.includes(m) || !metricSpan(data.metric(m)).constant),
  );
}

function panelTitle(experiment: ReportExperiment, data: ChartData, name: string): string {
  const unit = own(experiment.meta.metrics, name)?.unit;
  return chartText(`${name} (${unit ? `${unit}, ` : ""}${directionText(data.goal(name))})`);
}

function panel(
  experiment: ReportExperiment,
  data: ChartData,
  name: string,
  index: number,
  key: Legend,
  options: MetricTrajectoryOptions,
): { spec: Layer; drawn: number; total: number } {
  const values = data.metric(name);
  const series = seriesRows(data.iterations, values, options.maxPoints ?? MAX_POINTS);
  // "Best so far" needs a direction: an informational metric (no goal) has none.
  const goal = data.goal(name);
  const best =
    goal === null
      ? []
      : stepRows(data.iterations, bestSoFar(values, goal), options.maxPoints ?? MAX_POINTS);
  const width = options.width ?? 300;
  const layers: Layer[] = [
    lineLayer(series.rows, {
      name: `m${index}_value`,
      label: "value",
      legend: key,
      yTitle: name,
      points: true,
    }),
    ...(goal === null
      ? []
      : [
          lineLayer(best, {
            name: `m${index}_best`,
            label: "best so far",
            legend: key,
            yTitle: name,
            step: true,
          }),
        ]),
    ...thresholdLayers(
      thresholdRows(data, experiment, name),
      `m${index}_threshold`,
      "threshold",
      key,
    ),
    ...changePointLayer(data.changePoints, `m${index}_change`, key),
  ];
  return {
    spec: {
      title: { text: panelTitle(experiment, data, name), fontSize: 12, limit: width + 40 },
      width,
      height: options.height ?? 160,
      layer: layers,
    },
    drawn: series.drawn,
    total: series.total,
  };
}

/**
 * Vega-Lite spec of the metric trajectories: one panel per metric with the
 * value per iteration, the best value so far (the running maximum, or
 * minimum for metrics to minimise: from `meta.metrics`, else by name), the
 * gate's threshold rules on that metric (both ends for `between`; the
 * metric's informative target when the gate does not test it), and the
 * score's change points as vertical rules. The direction is in each panel's
 * title, e.g. "max_drawdown (lower is better)". Series longer than
 * `maxPoints` are downsampled (LTTB, extremes kept).
 *
 * @param experiment the experiment to chart
 * @param options metrics to show, panel size, columns and sampling
 * @returns a self-contained Vega-Lite spec (one concatenated panel per metric)
 */
export function metricTrajectorySpec(
  experiment: ReportExperiment,
  options: MetricTrajectoryOptions = {},
): TopLevelSpec {
  const data = chartData(experiment);
  const plotted = plottedMetrics(data);
  const names = options.metrics ?? plotted.slice(0, options.maxPanels ?? 12);
  const hasThresholds = names.some((n) => thresholdRows(data, experiment, n).length > 0);
  const key = legend([
    ["value", COLORS.value],
    ["best so far", COLORS.best],
    hasThresholds && ["threshold", COLORS.threshold],
    data.changePoints.length > 0 && ["change point", COLORS.changePoint],
  ]);
  const panels = names.map((name, i) => panel(experiment, data, name, i, key, options));
  const sampled = panels.find((p) => p.drawn < p.total);
  const shown =
    names.length < plotted.length && options.metrics === undefined
      ? ` Showing ${names.length} of ${plotted.length} metrics.`
      : "";
  const constant = data.metricNames.length - plotted.length;
  const constantNote =
    constant > 0 && options.metrics === undefined
      ? ` ${constant} metric${constant === 1 ? " has" : "s have"} one value in every iteration and ${constant === 1 ? "is" : "are"} listed, not drawn.`
      : "";
  const description =
    `Metric trajectories of ${data.experimentId}: ${names.length} metric${names.length === 1 ? "" : "s"} per iteration with the best value so far` +
    `${hasThresholds ? " and the gate thresholds" : ""}.${shown}${constantNote}` +
    (sampled ? samplingNote(sampled.drawn, sampled.total) : "");
  return {
    ...topLevel(description),
    title: { text: "Metric trajectories" },
    columns: Math.max(1, options.columns ?? 2),
    concat: panels.map((p) => p.spec),
    resolve: { scale: { color: "shared" } },
  };
}
