/**
 * A metric's role in an experiment: an objective (it has a stated goal, so it
 * has a direction and can be judged) or informational (recorded for context:
 * no direction, no convergence verdict). One rule, here, for the analysis,
 * the advisors, the reports and the CLI (docs/vocabulary.md).
 */
import { z } from "zod";
import type { GateSpec } from "./gate.js";
import { type MetricGoal, type MetricSpec, metricGoal } from "./metric-spec.js";
import { ownValue } from "./names.js";

export const MetricRoleSchema = z.enum(["objective", "informational"]);
/** "objective": the metric has a stated goal; "informational": it has none. */
export type MetricRole = z.infer<typeof MetricRoleSchema>;

/** Where an objective's goal was stated. */
export type GoalSource = "spec" | "gate" | "score";

/** A metric's role and, for an objective, its direction. */
export interface MetricRoleInfo {
  role: MetricRole;
  /** Which way is better; null for an informational metric. */
  goal: MetricGoal | null;
  /** Where the goal was stated; null for an informational metric. */
  source: GoalSource | null;
}

/** What states goals: the metric specs, the gate, and the metric the score is (when there is no gate). */
export interface GoalStatements {
  /** `maximize` / `minimize` given by the user (the meta's `metrics`, `--maximize` / `--minimize`). */
  metrics?: Readonly<Record<string, MetricSpec>> | undefined;
  /** The quality gate: a criterion on a metric makes it an objective. */
  gate?: GateSpec | null | undefined;
  /** The metric the score is, when there is no gate score (`score_trend.source` `objective:<name>`). */
  scoreMetric?: string | null | undefined;
}

/** The goal a gate's criteria on one metric state: one-sided criteria that agree; null otherwise. */
function gateGoal(name: string, gate: GateSpec): MetricGoal | null {
  let goal: MetricGoal | null = null;
  for (const c of gate.criteria) {
    if (c.metric !== name) continue;
    const own: MetricGoal | null =
      c.op === ">=" || c.op === ">"
        ? "maximize"
        : c.op === "<=" || c.op === "<"
          ? "minimize"
          : null;
    if (own === null || (goal !== null && goal !== own)) return null;
    goal = own;
  }
  return goal;
}

/**
 * A metric's role. It is an objective when a goal is stated for it: a spec
 * (`maximize` / `minimize`; its goal), a gate criterion on it (the goal of
 * its one-sided criteria; for a `between` band or criteria that disagree,
 * the goal guessed from the name as `metricGoal` does), or it is the metric
 * the score is (its spec's goal, else guessed from the name). Every other
 * metric is informational: no direction and no verdict.
 */
export function metricRole(name: string, stated: GoalStatements = {}): MetricRoleInfo {
  const spec = ownValue(stated.metrics, name);
  if (spec) return { role: "objective", goal: spec.goal, source: "spec" };
  if (stated.gate?.criteria.some((c) => c.metric === name)) {
    return {
      role: "objective",
      goal: gateGoal(name, stated.gate) ?? metricGoal(name),
      source: "gate",
    };
  }
  if (stated.scoreMetric === name) {
    return { role: "objective", goal: metricGoal(name), source: "score" };
  }
  return { role: "informational", goal: null, source: null };
}

/** "higher is better", "lower is better", or "no goal" (an informational metric). */
export function directionText(goal: MetricGoal | null | undefined): string {
  if (goal === "maximize") return "higher is better";
  if (goal === "minimize") return "lower is better";
  return "no goal";
}

/** The span of a metric's finite values over the experiment. */
export interface MetricSpan {
  /** Finite values seen. */
  n: number;
  /** First and last finite value (null without one). */
  first: number | null;
  last: number | null;
  min: number | null;
  max: number | null;
  /** Two or more finite values, all equal: the metric is shown as one line ("252 (constant)"). */
  constant: boolean;
}

/**
 * The span of a metric's values (NaN and infinities skipped): first, last,
 * range, and whether it is constant (at least two finite values, all equal).
 */
export function metricSpan(values: readonly unknown[]): MetricSpan {
  let n = 0;
  let first: number | null = null;
  let last: number | null = null;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    n++;
    if (first === null) first = v;
    last = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    n,
    first,
    last,
    min: n === 0 ? null : min,
    max: n === 0 ? null : max,
    constant: n >= 2 && min === max,
  };
}
