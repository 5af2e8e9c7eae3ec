/**
 * The gate score over iterations: is the loop getting closer to passing, and
 * when will it get there at the current pace.
 */
import type { ReportExperiment } from "@converge/core";
import type { TopLevelSpec } from "vega-lite";
import type { ReportIterationsEstimate } from "../report-data.js";
import { type ChartData, chartData, gateBestSoFar } from "./chart-data.js";
import {
  type ChartOptions,
  changePointLayer,
  inLegend,
  type Layer,
  type Legend,
  legend,
  lineLayer,
  MAX_POINTS,
  type SeriesRow,
  samplingNote,
  seriesRows,
  stepRows,
  thresholdLayers,
  xIteration,
} from "./layers.js";
import { COLORS, formatNumber, NUMBER_AXIS, topLevel } from "./theme.js";

const PROJECTION = "ETA projection";

/** The projected path from the last score to the goal, shown at most this far past the data. */
function horizon(data: ChartData): number {
  const first = data.iterations[0] ?? 0;
  const last = data.iterations.at(-1) ?? 0;
  return Math.max(10, last - first);
}

/** Where the line from (x0, y0) reaching 1 after `steps` iterations is at `dx` iterations. */
const along = (y0: number, steps: number, dx: number) => Math.min(1, y0 + ((1 - y0) * dx) / steps);

interface Projection {
  line: SeriesRow[];
  /** The fan between the optimistic and the pessimistic line: lo/hi per iteration. */
  range: { iteration: number; lo: number; hi: number }[];
  text: string;
}

function projection(data: ChartData, eta: ReportIterationsEstimate | undefined): Projection | null {
  const scores = data.gateScores;
  if (!scores || !eta || eta.estimate === null || eta.estimate <= 0) return null;
  let i = scores.length - 1;
  while (i >= 0 && !Number.isFinite(scores[i] as number)) i--;
  if (i < 0) return null;
  const x0 = data.iterations[i] as number;
  const y0 = scores[i] as number;
  if (y0 >= 1) return null;
  const h = horizon(data);
  const est = eta.estimate;
  const reach = Math.min(est, h);
  const line = [
    { iteration: x0, value: y0 },
    { iteration: x0 + reach, value: along(y0, est, reach) },
  ];
  const { low, high } = eta;
  let range: Projection["range"] = [];
  if (low !== null && high !== null && low > 0 && high >= low) {
    // Both bounds are straight lines capped at 1: exact when sampled at their corners.
    const xs = [0, low, high].filter((dx, k, all) => dx <= h && all.indexOf(dx) === k);
    if (h < high) xs.push(h);
    range = xs.map((dx) => ({
      iteration: x0 + dx,
      lo: along(y0, high, dx),
      hi: along(y0, low, dx),
    }));
  }
  // With a stated level the estimate is a median and the range that level's; an older
  // analysis' range had no level, and is shown as it was.
  const level = eta.level === undefined ? "" : `${Math.round(eta.level * 100)}% range `;
  const between = low !== null && high !== null && high !== low ? ` (${level}${low}–${high})` : "";
  const beyond = est > h ? ", beyond the chart" : "";
  const centre = eta.level === undefined ? "≈" : "median";
  return {
    line,
    range,
    text: `ETA ${centre} ${est} more iteration${est === 1 ? "" : "s"}${between}${beyond}`,
  };
}

/** The shaded range (drawn first, behind the lines) and the dashed projection. */
function projectionLayers(p: Projection, key: Legend): { range: Layer[]; line: Layer } {
  const range: Layer[] = [];
  const entry = inLegend(PROJECTION, key);
  if (p.range.length > 1)
    range.push({
      name: "eta_range",
      data: { values: p.range },
      transform: entry.transform,
      mark: { type: "area", opacity: 0.18, clip: true },
      encoding: {
        x: xIteration(),
        y: { field: "lo", type: "quantitative", axis: NUMBER_AXIS },
        y2: { field: "hi" },
        color: entry.color,
      },
    });
  const line: Layer = {
    name: "eta",
    data: { values: p.line },
    transform: entry.transform,
    mark: { type: "line", strokeDash: [6, 4], clip: true },
    encoding: {
      x: xIteration(),
      y: { field: "value", type: "quantitative", axis: NUMBER_AXIS },
      color: entry.color,
    },
  };
  return { range, line };
}

/**
 * Vega-Lite spec of the gate score per iteration: the score, the best score
 * so far, the pass line at 1, the projection to the goal at the estimated
 * iterations to success (dashed, with the low–high range shaded when known;
 * the caption states the range's level, e.g. "80% range 4–9") and the change
 * points of the score. Uses the trajectory analysis when
 * present; without it the best-so-far line is computed from the records and
 * no projection or change point is drawn. Records without `gate_score` are
 * scored with the experiment's gate.
 *
 * @param experiment the experiment to chart
 * @param options size and sampling
 * @returns a self-contained Vega-Lite spec (inline data)
 */
export function gateScoreSpec(
  experiment: ReportExperiment,
  options: ChartOptions = {},
): TopLevelSpec {
  const data = chartData(experiment);
  const scores = data.gateScores ?? [];
  const series = seriesRows(data.iterations, scores, options.maxPoints ?? MAX_POINTS);
  const best = gateBestSoFar(data) ?? [];
  const t = data.trajectory;
  const etaApplies = (t.score_trend?.source ?? "gate_score") === "gate_score";
  const proj = etaApplies ? projection(data, t.iterations_to_success) : null;
  const key = legend([
    ["gate score", COLORS.value],
    ["best so far", COLORS.best],
    ["pass (1.0)", COLORS.threshold],
    proj !== null && [PROJECTION, COLORS.projection],
    data.changePoints.length > 0 && ["change point", COLORS.changePoint],
  ]);

  // A loop, not Math.max(...best): a 200,000-iteration run would overflow the call stack.
  let top: number | null = null;
  for (const v of best) if (Number.isFinite(v) && (top === null || v > top)) top = v;
  const topAt = top === null ? -1 : best.indexOf(top);
  const parts: string[] = [];
  if (top !== null) parts.push(`best ${formatNumber(top)} at iteration ${data.iterations[topAt]}`);
  if (proj) parts.push(proj.text);
  else if (etaApplies && t.iterations_to_success?.estimate === 0) parts.push("at the goal");

  const projected = proj ? projectionLayers(proj, key) : null;
  const layers: Layer[] = [
    ...(projected?.range ?? []),
    lineLayer(series.rows, {
      name: "gate_score",
      label: "gate score",
      legend: key,
      yTitle: "gate score",
      yDomain: [0, 1],
      points: true,
    }),
    lineLayer(stepRows(data.iterations, best, options.maxPoints ?? MAX_POINTS), {
      name: "best_so_far",
      label: "best so far",
      legend: key,
      yTitle: "gate score",
      yDomain: [0, 1],
      step: true,
    }),
    ...thresholdLayers([{ y: 1, text: "pass" }], "pass_line", "pass (1.0)", key),
    ...(projected ? [projected.line] : []),
    ...changePointLayer(data.changePoints, "change_points", key),
  ];
  const description =
    `Gate score per iteration of ${data.experimentId}` +
    (parts.length ? `: ${parts.join("; ")}.` : ".") +
    samplingNote(series.drawn, series.total);
  return {
    ...topLevel(description),
    title: { text: "Gate score", subtitle: parts.join(" · ") || "no scored iteration yet" },
    width: options.width ?? 640,
    height: options.height ?? 240,
    layer: layers,
  };
}
