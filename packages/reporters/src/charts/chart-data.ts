/**
 * The series the charts draw, derived once per experiment from its records,
 * meta and (when present) the trajectory analysis, with fallbacks computed
 * from the records when the analysis is absent.
 */
import {
  type ExperimentRecord,
  evaluateGate,
  type GateCriterion,
  type GateResult,
  type GateSpec,
  type MetricGoal,
  parseGate,
  type ReportExperiment,
} from "@converge/core";
import { own } from "../own.js";
import { type ReportTrajectory, reportTrajectory } from "../report-data.js";
import { metricRoles } from "../view-model/metric-roles.js";
import { formatNumber } from "./theme.js";

/** One criterion of the experiment's gate with the key it is shown under. */
export interface ChartCriterion {
  /** The metric name, or "metric op threshold" when the gate tests the metric more than once. */
  key: string;
  criterion: GateCriterion;
}

/** A change point placed on the iteration axis. */
export interface ChartChangePoint {
  /** Where the rule is drawn: between the last iteration before and the first after. */
  x: number;
  after_iteration: number;
  label: string;
}

/** Everything the charts of one experiment read. */
export interface ChartData {
  experimentId: string;
  records: readonly ExperimentRecord[];
  /** Iteration number of each record. */
  iterations: number[];
  /** Metric names in order of first appearance. */
  metricNames: string[];
  /** Which way the metric is better; null for an informational metric (no goal stated). */
  goal(metric: string): MetricGoal | null;
  /** A metric per record, NaN where missing. */
  metric(name: string): number[];
  /** Gate score per record (NaN where missing); null when neither the records nor a gate give one. */
  readonly gateScores: number[] | null;
  criteria: ChartCriterion[];
  /** Normalised distance of each criterion (same order as `criteria`) per record; null without a gate. */
  readonly distances: number[][] | null;
  changePoints: ChartChangePoint[];
  trajectory: ReportTrajectory;
}

const cache = new WeakMap<ReportExperiment, { records: unknown; data: ChartData }>();

function criterionKeys(criteria: readonly GateCriterion[]): string[] {
  const seen = new Map<string, number>();
  for (const c of criteria) seen.set(c.metric, (seen.get(c.metric) ?? 0) + 1);
  return criteria.map((c) => {
    if ((seen.get(c.metric) ?? 0) <= 1) return c.metric;
    const t = Array.isArray(c.threshold) ? c.threshold.join("..") : String(c.threshold);
    return `${c.metric} ${c.op} ${t}`;
  });
}

/**
 * The chart series of an experiment, computed once and cached per experiment
 * object (several charts read the same gate evaluations).
 *
 * @param experiment the experiment to chart
 * @returns its series and the analysis fields the charts use
 */
export function chartData(experiment: ReportExperiment): ChartData {
  const hit = cache.get(experiment);
  if (hit && hit.records === experiment.records) return hit.data;
  const data = buildChartData(experiment);
  cache.set(experiment, { records: experiment.records, data });
  return data;
}

/** Metric names in order of first appearance. */
function metricNamesOf(records: readonly ExperimentRecord[]): string[] {
  const metricNames: string[] = [];
  const seen = new Set<string>();
  for (const r of records)
    for (const name in r.metrics)
      if (!seen.has(name)) {
        seen.add(name);
        metricNames.push(name);
      }
  return metricNames;
}

/** A metric per record (NaN where missing), each series built on first read. */
function metricReader(records: readonly ExperimentRecord[]): (name: string) => number[] {
  const metricCache = new Map<string, number[]>();
  return (name: string) => {
    let values = metricCache.get(name);
    if (!values) {
      values = records.map((r) => {
        const v = own(r.metrics, name);
        return typeof v === "number" ? v : Number.NaN;
      });
      metricCache.set(name, values);
    }
    return values;
  };
}

/** The analysis' change points, each drawn midway to the iteration that follows it. */
function changePointsOf(iterations: number[], trajectory: ReportTrajectory): ChartChangePoint[] {
  const next = new Map<number, number>();
  for (let i = 0; i + 1 < iterations.length; i++)
    next.set(iterations[i] as number, iterations[i + 1] as number);
  return (trajectory.efficiency?.change_points ?? []).map((c) => {
    const after = c.after_iteration;
    const following = next.get(after) ?? after + 1;
    const means =
      c.mean_before !== undefined && c.mean_after !== undefined
        ? `: mean ${formatNumber(c.mean_before)} → ${formatNumber(c.mean_after)}`
        : "";
    return {
      x: (after + following) / 2,
      after_iteration: after,
      label: `change after ${after}${means}`,
    };
  });
}

/** The gate's series, each computed on first read: `ChartData.gateScores` and `.distances`. */
function gateSeries(
  records: readonly ExperimentRecord[],
  gate: GateSpec | null,
  criteria: readonly ChartCriterion[],
): { gateScores(): number[] | null; distances(): number[][] | null } {
  // Evaluating the gate costs ~20 µs a record: done once, and only when a chart needs it.
  let evaluations: GateResult[] | null | undefined;
  const evaluate = () => {
    evaluations ??=
      gate && records.length ? records.map((r) => evaluateGate(r.metrics, gate)) : null;
    return evaluations;
  };
  let gateScores: number[] | null | undefined;
  let distances: number[][] | null | undefined;
  return {
    gateScores() {
      if (gateScores === undefined) {
        if (records.some((r) => r.gate_score !== null))
          gateScores = records.map((r) => r.gate_score ?? Number.NaN);
        else {
          // Records logged without a score: the gate scores them the way the loop would have.
          gateScores = evaluate()?.map((e) => e.score) ?? null;
        }
      }
      return gateScores;
    },
    distances() {
      if (distances === undefined) {
        const all = evaluate();
        distances = all
          ? criteria.map((_, i) => all.map((e) => e.criteria[i]?.distance ?? 1))
          : null;
      }
      return distances;
    },
  };
}

function buildChartData(experiment: ReportExperiment): ChartData {
  const { meta, records } = experiment;
  const iterations = records.map((r) => r.iteration);
  const gate = meta.gate ? parseGate(meta.gate) : null;
  const criteria: ChartCriterion[] = gate
    ? criterionKeys(gate.criteria).map((key, i) => ({
        key,
        criterion: gate.criteria[i] as GateCriterion,
      }))
    : [];
  const series = gateSeries(records, gate, criteria);
  const trajectory = reportTrajectory(experiment);
  const roles = metricRoles(metricNamesOf(records), experiment, trajectory);
  return {
    experimentId: meta.experiment_id,
    records,
    iterations,
    metricNames: metricNamesOf(records),
    goal: (name) => own(roles.goals, name) ?? null,
    metric: metricReader(records),
    get gateScores() {
      return series.gateScores();
    },
    criteria,
    get distances() {
      return series.distances();
    },
    changePoints: changePointsOf(iterations, trajectory),
    trajectory,
  };
}

/**
 * Best value so far after each point: the running maximum (or minimum for a
 * "minimize" goal) of the finite values, NaN before the first one.
 *
 * @param values the series
 * @param goal which way is better
 * @returns one entry per value
 */
export function bestSoFar(values: readonly number[], goal: MetricGoal): number[] {
  const out: number[] = [];
  let best = Number.NaN;
  for (const v of values) {
    if (Number.isFinite(v) && (Number.isNaN(best) || (goal === "minimize" ? v < best : v > best)))
      best = v;
    out.push(best);
  }
  return out;
}

/** The best-so-far line of the gate score: the analysis' when it describes the gate score, else computed. */
export function gateBestSoFar(data: ChartData): number[] | null {
  if (!data.gateScores) return null;
  const t = data.trajectory;
  const fromAnalysis = t.efficiency?.best_so_far;
  if (
    fromAnalysis &&
    fromAnalysis.length === data.gateScores.length &&
    (t.score_trend?.source ?? "gate_score") === "gate_score"
  )
    return fromAnalysis;
  return bestSoFar(data.gateScores, "maximize");
}

/** "higher is better" / "lower is better"; "informational" without a goal. */
export function directionText(goal: MetricGoal | null): string {
  if (goal === null) return "informational";
  return goal === "minimize" ? "lower is better" : "higher is better";
}

/** How a threshold reads in a label, e.g. "≥ 1.2". */
export function thresholdText(op: string, value: number): string {
  const sign = op === ">=" ? "≥" : op === "<=" ? "≤" : op;
  return `${sign} ${formatNumber(value)}`;
}
