/**
 * How a report words a metric's role: the informational metrics of a view
 * and a metric's values in one line. Shared by the HTML and Markdown reports.
 */
import {
  type MetricGoal,
  type MetricRole,
  type MetricSpan,
  metricGoal,
  metricRole,
  type ReportExperiment,
} from "@converge/core";
import { nameRecord, own } from "../own.js";
import type { ReportTrajectory } from "../report-data.js";
import { formatNumber } from "./format.js";
import type { ExperimentView } from "./model.js";

/** One metric's values in words: "62 → 11 (range 5 to 62)", "252 (constant)", "no value". */
export function spanText(span: MetricSpan | undefined): string {
  if (!span || span.first === null || span.last === null) return "no value";
  if (span.constant) return `${formatNumber(span.first)} (constant)`;
  const lo = Math.min(span.first, span.last);
  const hi = Math.max(span.first, span.last);
  const range =
    span.min === lo && span.max === hi
      ? ""
      : ` (range ${formatNumber(span.min)} to ${formatNumber(span.max)})`;
  return `${formatNumber(span.first)} → ${formatNumber(span.last)}${range}`;
}

/**
 * The metrics with one and the same finite value in every iteration that no
 * gate criterion tests: the iteration tables give them one line instead of a
 * column of identical cells.
 */
export function constantMetrics(view: ExperimentView): string[] {
  const gated = new Set(view.gate?.criteria.map((c) => c.metric) ?? []);
  return view.metricNames.filter((m) => {
    const span = own(view.spans, m);
    return !gated.has(m) && span !== undefined && span.constant && span.n === view.rows.length;
  });
}

/** The metrics the iteration tables give a column: all but the constant ones, in order. */
export function tableMetrics(view: ExperimentView): string[] {
  const constant = new Set(constantMetrics(view));
  return view.metricNames.filter((m) => !constant.has(m));
}

/** The names of the view's informational metrics, in the report's metric order. */
export function informationalMetrics(view: ExperimentView): string[] {
  return view.metricNames.filter((m) => own(view.roles, m) === "informational");
}

/**
 * Each metric's role and direction: the analysis' own when its trend says
 * (`role`, `goal`), else `metricRole` from the meta's specs, the gate and the
 * metric the score is. An analysis written before roles existed judged every
 * metric: its trends without `role` read as objectives with their goal.
 * Keyed by user names: no prototype, so "__proto__" is a metric like any other.
 */
export function metricRoles(
  names: readonly string[],
  experiment: ReportExperiment,
  analysis: ReportTrajectory,
): { goals: Record<string, MetricGoal | null>; roles: Record<string, MetricRole> } {
  const goals = nameRecord<MetricGoal | null>();
  const roles = nameRecord<MetricRole>();
  const source = analysis.score_trend?.source;
  const scoreMetric = source?.startsWith("objective:") ? source.slice("objective:".length) : null;
  const stated = { metrics: experiment.meta.metrics, gate: experiment.meta.gate, scoreMetric };
  for (const name of names) {
    const trend = own(analysis.metric_trends, name);
    const fromMeta = metricRole(name, stated);
    if (trend?.role === "informational") {
      roles[name] = "informational";
      goals[name] = null;
    } else if (trend && (trend.role === "objective" || trend.goal)) {
      roles[name] = "objective";
      goals[name] = trend.goal ?? fromMeta.goal ?? metricGoal(name, experiment.meta.metrics);
    } else {
      roles[name] = fromMeta.role;
      goals[name] = fromMeta.goal;
    }
  }
  return { goals, roles };
}
