/**
 * The charts a report shows: which specs apply to an experiment (or to a set
 * of experiments), each with a stable id, a title and a text description.
 */
import type { ReportExperiment } from "@converge/core";
import type { TopLevelSpec } from "vega-lite";
import { chartData } from "./chart-data.js";
import { comparisonSpec } from "./comparison.js";
import { distanceToGoalSpec } from "./distance-to-goal.js";
import { gateScoreSpec } from "./gate-score.js";
import type { ChartOptions } from "./layers.js";
import { metricTrajectorySpec, plottedMetrics } from "./metric-trajectory.js";
import {
  parameterImpactSpec,
  parameterScatterSpec,
  scatterParameters,
} from "./parameter-charts.js";
import { type RenderSvgOptions, renderSvg } from "./render-svg.js";

/** One chart of a report. */
export interface ChartEntry {
  /** Stable, URL-safe id (never contains user text), e.g. "gate-score". */
  id: string;
  /** Heading for the chart; may contain user text (a metric name in comparisons). */
  title: string;
  /** What the chart shows, in a sentence or two: alt text / caption. May contain user text (metric names). */
  description: string;
  /** The Vega-Lite spec: the one description of the chart (render it with `renderSvg`, or embed it). */
  spec: TopLevelSpec;
}

const entry = (id: string, title: string, spec: TopLevelSpec): ChartEntry => ({
  id,
  title,
  description: typeof spec.description === "string" ? spec.description : title,
  spec,
});

/**
 * The charts of one experiment's report, in reading order, leaving out those
 * without data: gate score (when records carry a score or a gate scores
 * them), distance to goal per criterion (with a gate), metric trajectories,
 * parameter impact (with the analysis' parameter effects) and parameter vs
 * gate score (with scores and a varying numeric parameter).
 *
 * @param experiment the experiment
 * @param options sampling and size passed to every spec
 * @returns the chart entries (possibly none, e.g. for an experiment without records)
 */
export function chartsFor(experiment: ReportExperiment, options: ChartOptions = {}): ChartEntry[] {
  const data = chartData(experiment);
  if (!data.records.length) return [];
  const sampling = options.maxPoints === undefined ? {} : { maxPoints: options.maxPoints };
  const out: ChartEntry[] = [];
  const scored = data.gateScores?.some(Number.isFinite) === true;
  if (scored) out.push(entry("gate-score", "Gate score", gateScoreSpec(experiment, options)));
  if (data.criteria.length)
    out.push(
      entry("distance-to-goal", "Distance to goal", distanceToGoalSpec(experiment, options)),
    );
  if (plottedMetrics(data).length)
    out.push(
      entry(
        "metric-trajectories",
        "Metric trajectories",
        metricTrajectorySpec(experiment, sampling),
      ),
    );
  const effects = data.trajectory.parameter_effects?.parameters ?? {};
  if (Object.values(effects).some((p) => p.impact !== null))
    out.push(entry("parameter-impact", "Parameter impact", parameterImpactSpec(experiment)));
  if (scored && scatterParameters(data, 1).length)
    out.push(
      entry("parameter-scatter", "Parameters vs gate score", parameterScatterSpec(experiment)),
    );
  return out;
}

/**
 * The comparison charts of several experiments: the gate score of each (when
 * any has one), then each metric that at least two of them share (at most
 * `maxMetrics`). Empty for fewer than two experiments.
 *
 * @param experiments the experiments to compare
 * @param options sampling and size, and how many shared metrics to chart (default 6)
 * @returns the chart entries
 */
export function comparisonCharts(
  experiments: readonly ReportExperiment[],
  options: ChartOptions & { maxMetrics?: number } = {},
): ChartEntry[] {
  if (experiments.length < 2) return [];
  const { maxMetrics = 6, ...rest } = options;
  const out: ChartEntry[] = [];
  if (experiments.some((e) => chartData(e).gateScores?.some(Number.isFinite)))
    out.push(
      entry("comparison-gate-score", "Gate score by experiment", comparisonSpec(experiments, rest)),
    );
  const count = new Map<string, number>();
  for (const e of experiments)
    for (const m of chartData(e).metricNames) count.set(m, (count.get(m) ?? 0) + 1);
  const shared = [...count].filter(([, k]) => k >= 2).map(([m]) => m);
  shared.slice(0, maxMetrics).forEach((metric, i) => {
    out.push(
      entry(
        `comparison-metric-${i + 1}`,
        `${metric} by experiment`,
        comparisonSpec(experiments, { ...rest, metric }),
      ),
    );
  });
  return out;
}

/** A chart entry with its SVG. */
export interface RenderedChart extends ChartEntry {
  svg: string;
}

/**
 * Renders chart entries to SVG, one after the other (the renders are
 * CPU-bound; running them concurrently gains nothing).
 *
 * @param entries from `chartsFor` / `comparisonCharts`
 * @param options where warnings go
 * @returns the entries with their SVG, in the same order
 */
export async function renderCharts(
  entries: readonly ChartEntry[],
  options: RenderSvgOptions = {},
): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const e of entries) out.push({ ...e, svg: await renderSvg(e.spec, options) });
  return out;
}
