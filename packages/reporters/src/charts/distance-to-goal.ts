/**
 * How far each gate criterion is from passing, per iteration: which
 * criterion holds the loop back.
 */
import type { ReportExperiment } from "@converge/core";
import type { TopLevelSpec } from "vega-lite";
import { chartData } from "./chart-data.js";
import { chartText } from "./labels.js";
import {
  type ChartOptions,
  changePointLayer,
  type Layer,
  MAX_POINTS,
  samplingNote,
  seriesRows,
  xIteration,
} from "./layers.js";
import { formatNumber, NUMBER_AXIS, POINT_MARKER_LIMIT, topLevel } from "./theme.js";

/**
 * Vega-Lite spec of the normalised distance to the goal of each gate
 * criterion per iteration (0 = passing, 1 = fully failing; see core's
 * `evaluateGate`), one line per criterion, computed from the records and
 * `meta.gate`. Without a gate the chart has no lines (and `chartsFor` leaves
 * it out).
 *
 * @param experiment the experiment to chart
 * @param options size and sampling
 * @returns a self-contained Vega-Lite spec (inline data)
 */
export function distanceToGoalSpec(
  experiment: ReportExperiment,
  options: ChartOptions = {},
): TopLevelSpec {
  const data = chartData(experiment);
  const distances = data.distances ?? [];
  const rows: { iteration: number; value: number | null; criterion: string }[] = [];
  let sampled: { drawn: number; total: number } | undefined;
  const last: string[] = [];
  data.criteria.forEach((c, i) => {
    const ys = distances[i] ?? [];
    const s = seriesRows(data.iterations, ys, options.maxPoints ?? MAX_POINTS);
    if (s.drawn < s.total) sampled = s;
    // The name as a data value (the legend's label), never as a field or an expression.
    const criterion = chartText(c.key);
    for (const r of s.rows) rows.push({ ...r, criterion });
    const end = ys.at(-1);
    if (end !== undefined) last.push(`${c.key} ${formatNumber(end)}`);
  });
  const perSeries = data.criteria.length ? rows.length / data.criteria.length : 0;
  const showPoints = perSeries <= POINT_MARKER_LIMIT;

  const layers: Layer[] = [
    {
      name: "distance",
      data: { values: rows },
      mark: {
        type: "line",
        clip: true,
        ...(showPoints ? { point: true } : { aria: false }),
      },
      encoding: {
        x: xIteration(),
        y: {
          field: "value",
          type: "quantitative",
          title: "distance to goal (0 = passing)",
          scale: { domain: [0, 1] },
          axis: NUMBER_AXIS,
        },
        color: { field: "criterion", type: "nominal", title: "criterion", sort: null },
        ...(showPoints
          ? {
              tooltip: [
                { field: "criterion", type: "nominal" as const },
                { field: "iteration", type: "quantitative" as const },
                {
                  field: "value",
                  type: "quantitative" as const,
                  title: "distance",
                  format: ".3~g",
                },
              ],
            }
          : {}),
      },
    },
    // Grey without a legend entry: the colour scale belongs to the criteria.
    ...changePointLayer(data.changePoints, "change_points", null),
  ];
  const description =
    `Normalised distance to the goal of each gate criterion per iteration for ${data.experimentId}` +
    (last.length ? ` (last iteration: ${last.join(", ")}).` : ".") +
    (sampled ? samplingNote(sampled.drawn, sampled.total) : "");
  return {
    ...topLevel(description),
    title: {
      text: "Distance to goal per criterion",
      subtitle: "0 = passing; 1 = as far as the criterion's scale",
    },
    width: options.width ?? 640,
    height: options.height ?? 220,
    layer: layers,
  };
}
