/**
 * Several experiments on one chart: which loop converges faster, and where.
 */
import type { ReportExperiment } from "@converge/core";
import type { TopLevelSpec } from "vega-lite";
import { chartData, directionText } from "./chart-data.js";
import { chartText } from "./labels.js";
import {
  type ChartOptions,
  type Layer,
  MAX_POINTS,
  samplingNote,
  seriesRows,
  xIteration,
} from "./layers.js";
import { COLORS, NUMBER_AXIS, POINT_MARKER_LIMIT, topLevel } from "./theme.js";

export interface ComparisonOptions extends ChartOptions {
  /** Compare this metric instead of the gate score. */
  metric?: string;
}

/** The rows of every experiment's series, its legend ids, and how the series were sampled. */
interface ComparisonSeries {
  rows: { experiment: string; iteration: number; value: number | null }[];
  /** Legend ids in order; a repeated experiment id gets " (2)", " (3)"... */
  ids: string[];
  /** The last series that was downsampled. */
  sampled: { drawn: number; total: number } | undefined;
  /** Rows of the longest series drawn. */
  longest: number;
}

function comparisonSeries(
  experiments: readonly ReportExperiment[],
  options: ComparisonOptions,
): ComparisonSeries {
  const metric = options.metric;
  const out: ComparisonSeries = { rows: [], ids: [], sampled: undefined, longest: 0 };
  for (const experiment of experiments) {
    const data = chartData(experiment);
    const ys = metric === undefined ? data.gateScores : data.metric(metric);
    if (!ys) continue;
    const s = seriesRows(data.iterations, ys, options.maxPoints ?? MAX_POINTS);
    if (s.drawn === 0) continue;
    if (s.drawn < s.total) out.sampled = s;
    out.longest = Math.max(out.longest, s.rows.length);
    // Two runs of one experiment id stay apart in the legend.
    let id = data.experimentId;
    for (let k = 2; out.ids.includes(id); k++) id = `${data.experimentId} (${k})`;
    out.ids.push(id);
    for (const r of s.rows) out.rows.push({ experiment: id, ...r });
  }
  return out;
}

/** The line of each experiment, coloured by its legend id, points and tooltips when short enough. */
function seriesLayer(series: ComparisonSeries, metric: string | undefined, label: string): Layer {
  const showPoints = series.longest <= POINT_MARKER_LIMIT;
  return {
    name: "series",
    data: { values: series.rows },
    mark: { type: "line", clip: true, ...(showPoints ? { point: true } : { aria: false }) },
    encoding: {
      x: xIteration(),
      // User text only in the axis title and as data: encoding titles and sort arrays
      // become Vega expressions (see labels.ts).
      y: {
        field: "value",
        type: "quantitative",
        scale: metric === undefined ? { domain: [0, 1] } : { zero: false },
        axis: { ...NUMBER_AXIS, title: label },
      },
      color: {
        field: "experiment",
        type: "nominal",
        title: "experiment",
        scale: { domain: series.ids },
      },
      ...(showPoints
        ? {
            tooltip: [
              { field: "experiment", type: "nominal" as const },
              { field: "iteration", type: "quantitative" as const },
              { field: "value", type: "quantitative" as const, format: ".4~g" },
            ],
          }
        : {}),
    },
  };
}

/**
 * Vega-Lite spec comparing experiments: the gate score (or `options.metric`)
 * per iteration of each experiment on one chart, one colour per experiment
 * id, with the pass line at 1 for gate scores. Each series longer than
 * `maxPoints` is downsampled on its own.
 *
 * @param experiments the experiments to compare (in legend order)
 * @param options the metric to compare, size and sampling
 * @returns a self-contained Vega-Lite spec (inline data)
 */
export function comparisonSpec(
  experiments: readonly ReportExperiment[],
  options: ComparisonOptions = {},
): TopLevelSpec {
  const metric = options.metric;
  const series = comparisonSeries(experiments, options);
  const { ids, sampled } = series;
  const label = metric === undefined ? "gate score" : chartText(metric);
  // The direction from the first experiment that states a goal for the metric; none: informational.
  const goal =
    metric === undefined
      ? null
      : (experiments.map((e) => chartData(e).goal(metric)).find((g) => g !== null) ?? null);
  const direction = metric === undefined ? "" : ` (${directionText(goal)})`;
  const layers: Layer[] = [seriesLayer(series, metric, label)];
  if (metric === undefined)
    layers.push({
      name: "pass_line",
      data: { values: [{ y: 1 }] },
      mark: { type: "rule", strokeDash: [6, 4], color: COLORS.threshold },
      encoding: { y: { field: "y", type: "quantitative" } },
    });
  const description =
    `${label} per iteration of ${ids.length} experiment${ids.length === 1 ? "" : "s"}: ${ids.join(", ")}.` +
    (sampled ? samplingNote(sampled.drawn, sampled.total) : "");
  return {
    ...topLevel(description),
    title: { text: `${metric === undefined ? "Gate score" : label} by experiment${direction}` },
    width: options.width ?? 640,
    height: options.height ?? 260,
    layer: layers,
  };
}
