/**
 * The facts a report shows about one experiment, computed once from a
 * `ReportExperiment` and shared by the HTML and Markdown renderers.
 */
import {
  canonicalJson,
  type ExperimentRecord,
  type ExperimentSummary,
  type GateSpec,
  type MetricGoal,
  type MetricRole,
  type MetricSpan,
  metricSpan,
  type ReportExperiment,
  summarize,
} from "@converge/core";
import { nameRecord, own } from "../own.js";
import { type ReportTrajectory, reportTrajectory } from "../report-data.js";
import { finite } from "./analysis.js";
import { formatNumber, plural } from "./format.js";
import { metricRoles } from "./metric-roles.js";
import { outlookText } from "./outlook.js";

/** One iteration as the table shows it. */
export interface IterationRow {
  record: ExperimentRecord;
  /** Parameters whose value differs from the previous iteration (or were added/removed). */
  changed: ReadonlySet<string>;
  /** Metrics of the criteria this iteration failed. */
  failed: ReadonlySet<string>;
}

/** Everything a renderer needs about one experiment. */
export interface ExperimentView {
  experiment: ReportExperiment;
  id: string;
  directive: string;
  status: string;
  summary: ExperimentSummary;
  gate: GateSpec | null;
  /** Parameter names in order of first appearance. */
  parameterNames: string[];
  /** Metric names: the gate's first, then the meta's, then in order of appearance. */
  metricNames: string[];
  /** Which way each metric is better; null for an informational metric (no goal stated). */
  goals: Record<string, MetricGoal | null>;
  /** Each metric's role (docs/vocabulary.md): the analysis' when it says, else from the meta and gate. */
  roles: Record<string, MetricRole>;
  /** Each metric's first, last and range over the records, and whether it is constant. */
  spans: Record<string, MetricSpan>;
  rows: IterationRow[];
  /** The first iteration that passed the gate, or null. */
  firstPass: number | null;
  lastPassed: boolean;
  /** The trajectory's analysis fields that are well-formed (empty without a trajectory). */
  analysis: ReportTrajectory;
  /** The verdict in one sentence. */
  verdict: string;
}

function paramKey(value: unknown): string {
  if (typeof value === "number") return `n${value}`;
  if (typeof value === "string") return `s${value}`;
  try {
    return canonicalJson(value);
  } catch {
    return String(value);
  }
}

function namesInOrder(records: readonly ExperimentRecord[], pick: (r: ExperimentRecord) => object) {
  const seen = new Set<string>();
  for (const r of records) for (const name of Object.keys(pick(r))) seen.add(name);
  return [...seen];
}

function failedMetrics(record: ExperimentRecord): Set<string> {
  const failed = new Set<string>();
  for (const c of record.failed_criteria) {
    if (typeof c.metric === "string") failed.add(c.metric);
  }
  return failed;
}

/** Marks a metric failed when the gate has a criterion on it that this value misses. */
function failedByGate(record: ExperimentRecord, gate: GateSpec): Set<string> {
  const failed = new Set<string>();
  for (const c of gate.criteria) {
    const v = own(record.metrics, c.metric);
    let ok = false;
    if (typeof v === "number" && !Number.isNaN(v)) {
      if (Array.isArray(c.threshold)) ok = v >= c.threshold[0] && v <= c.threshold[1];
      else if (c.op === ">=") ok = v >= c.threshold;
      else if (c.op === ">") ok = v > c.threshold;
      else if (c.op === "<=") ok = v <= c.threshold;
      else if (c.op === "<") ok = v < c.threshold;
    }
    if (!ok) failed.add(c.metric);
  }
  return failed;
}

function buildRows(records: readonly ExperimentRecord[], gate: GateSpec | null): IterationRow[] {
  const rows: IterationRow[] = [];
  let previous: Map<string, string> | undefined;
  for (const record of records) {
    const current = new Map<string, string>();
    for (const name in record.parameters) current.set(name, paramKey(record.parameters[name]));
    const changed = new Set<string>();
    if (previous) {
      for (const [name, key] of current) if (previous.get(name) !== key) changed.add(name);
      for (const name of previous.keys()) if (!current.has(name)) changed.add(name);
    }
    let failed = failedMetrics(record);
    if (failed.size === 0 && gate && !record.gate_passed) failed = failedByGate(record, gate);
    rows.push({ record, changed, failed });
    previous = current;
  }
  return rows;
}

function verdictOf(view: Omit<ExperimentView, "verdict">): string {
  const n = view.rows.length;
  if (n === 0) return "No iterations recorded yet.";
  const best = view.summary.best_iteration;
  const bestScore = finite(view.summary.best_gate_score);
  const bestText =
    best === null
      ? ""
      : bestScore === null
        ? ` Best iteration: ${best}.`
        : ` Best gate score ${formatNumber(bestScore, 3)} at iteration ${best}.`;
  const ran = plural(n, "iteration");
  switch (view.status) {
    case "SUCCESS":
      return view.firstPass === null
        ? `Succeeded after ${ran}.${bestText}`
        : `Passed the quality gate at iteration ${view.firstPass} (${ran} in all).${bestText}`;
    case "ABANDONED":
      return `Abandoned after ${ran} without passing the gate.${bestText}`;
    case "PIVOT_TO_RESEARCH":
      return `Stopped after ${ran} to pivot back to research.${bestText}`;
    case "MAX_ITERATIONS":
      return `Ran out of iterations (${ran}) without passing the gate.${bestText}`;
    case "BUDGET_EXHAUSTED":
      return `Stopped by its budget after ${ran} without passing the gate.${bestText}`;
    case "FAILED":
      return `Failed after ${ran}.${bestText}`;
    default: {
      if (view.lastPassed) return `In progress: the latest of ${ran} passes the gate.${bestText}`;
      const a = view.analysis;
      const status = a.score_trend?.status ?? a.convergence_status ?? null;
      const eta = finite(a.iterations_to_success?.estimate ?? a.estimated_iterations_to_success);
      const course =
        status === null
          ? "not passing yet"
          : `not passing yet, ${status.toLowerCase().replace(/_/g, " ")}`;
      // The outlook when the analysis has one; an older analysis' ETA otherwise.
      const outlook = outlookText(a.success_probability, a.iterations_to_success);
      const etaPart =
        outlook !== null
          ? `; ${outlook}`
          : eta === null
            ? ""
            : `; about ${plural(eta, "more iteration")} to the gate`;
      return `In progress: ${ran}, ${course}${etaPart}.${bestText}`;
    }
  }
}

/** Computes the report's view of one experiment. */
export function experimentView(experiment: ReportExperiment): ExperimentView {
  const { meta, records } = experiment;
  const summary =
    experiment.summary ?? meta.summary ?? summarize(records, meta.status, meta.experiment_id);
  const gate = meta.gate ?? null;
  const parameterNames = namesInOrder(records, (r) => r.parameters);
  const metricOrder = new Set<string>();
  for (const c of gate?.criteria ?? []) metricOrder.add(c.metric);
  for (const name of Object.keys(meta.metrics)) metricOrder.add(name);
  for (const name of namesInOrder(records, (r) => r.metrics)) metricOrder.add(name);
  const metricNames = [...metricOrder];
  const analysis = reportTrajectory(experiment);
  const { goals, roles } = metricRoles(metricNames, experiment, analysis);
  const spans = nameRecord<MetricSpan>();
  for (const name of metricNames)
    spans[name] = metricSpan(records.map((r) => own(r.metrics, name)));
  const rows = buildRows(records, gate);
  const firstPass = records.find((r) => r.gate_passed)?.iteration ?? null;
  const directive =
    meta.directive || records.find((r) => r.research_directive)?.research_directive || "";
  const base = {
    experiment,
    id: meta.experiment_id,
    directive,
    status: summary.status ?? meta.status,
    summary,
    gate,
    parameterNames,
    metricNames,
    goals,
    roles,
    spans,
    rows,
    firstPass,
    lastPassed: records.at(-1)?.gate_passed === true,
    analysis,
  };
  return { ...base, verdict: verdictOf(base) };
}

/** A criterion in words, e.g. "≥ 1", "between 0.1 and 0.3". */
export function criterionText(op: string, threshold: number | readonly number[]): string {
  if (Array.isArray(threshold)) {
    return `between ${formatNumber(threshold[0])} and ${formatNumber(threshold[1])}`;
  }
  const sign: Record<string, string> = { ">=": "≥", "<=": "≤", ">": ">", "<": "<" };
  return `${own(sign, op) ?? op} ${formatNumber(threshold)}`;
}

/** Whether the experiment was judged by a gate at all. */
export function hasGate(view: ExperimentView): boolean {
  return view.gate !== null || view.rows.some((r) => r.record.gate_score !== null);
}

/** "Passed", "Not passed" or "No gate", with a badge tone. */
export function gateState(view: ExperimentView): { text: string; tone: string } {
  if (!hasGate(view)) return { text: "No gate", tone: "" };
  if (view.lastPassed) return { text: "Passing", tone: "ok" };
  if (view.firstPass !== null) return { text: "Passed earlier", tone: "warn" };
  return { text: "Not passed", tone: "bad" };
}

/** "↑ higher is better", "↓ lower is better", or "informational" (no goal stated). */
export function directionArrow(goal: MetricGoal | null | undefined): string {
  if (goal === "minimize") return "↓ lower is better";
  if (goal === "maximize") return "↑ higher is better";
  return "informational";
}
