/**
 * The trade-off curve of the rule advisor: lost share against saved share as
 * `stopBelow` varies, replayed from recorded checks, beside the patience-k
 * baselines; and whether one operating point Pareto-dominates a baseline.
 */
import type { Advisor } from "@converge/core";
import { ruleAdvisor } from "../rule-advisor.js";
import { type DecisionCheck, type NamedAdvisor, runsFromChecks } from "./decision-checks.js";
import { markdownTable } from "./decision-report.js";
import { type DecisionScore, scoreDecisions } from "./decision-scoring.js";
import type { SimulatedLoop } from "./simulated-loops.js";

/** The thresholds the curve is drawn at. */
export const STOP_BELOW_SWEEP = [
  0.02, 0.05, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.25, 0.3, 0.35,
] as const;

/** The name a swept rule advisor's actions are recorded under. */
export const sweepName = (stopBelow: number) => `rule@${stopBelow}`;

/** Rule advisors at every swept threshold, to record at each check. */
export function sweepAdvisors(
  make: (stopBelow: number) => Advisor = (stopBelow) => ruleAdvisor({ stopBelow }),
): NamedAdvisor[] {
  return STOP_BELOW_SWEEP.map((x) => ({ name: sweepName(x), advisor: make(x) }));
}

/** One point of a trade-off curve. */
export interface CurvePoint {
  name: string;
  /** Would-be successes lost (share). */
  lost: number;
  /** Budget saved on doomed loops (share). */
  saved: number;
}

/** Whether `a` Pareto-dominates `b`: no worse on both shares, strictly better on one. */
export function dominates(a: CurvePoint, b: CurvePoint): boolean {
  const eps = 1e-12;
  const noWorse = a.lost <= b.lost + eps && a.saved >= b.saved - eps;
  return noWorse && (a.lost < b.lost - eps || a.saved > b.saved + eps);
}

/** A policy's overall point from its scores; null when a share is undefined. */
export function pointOf(name: string, scores: readonly DecisionScore[]): CurvePoint | null {
  const all = scores.find((s) => s.policy === name && s.group === "all");
  if (!all || all.lostShare === null || all.savedShare === null) return null;
  return { name, lost: all.lostShare, saved: all.savedShare };
}

/** The swept rule advisor's points, replayed from checks recorded with `sweepAdvisors()`. */
export function sweepCurve(
  loops: readonly SimulatedLoop[],
  checks: readonly DecisionCheck[],
): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (const x of STOP_BELOW_SWEEP) {
    const name = sweepName(x);
    const point = pointOf(name, scoreDecisions(name, runsFromChecks(loops, checks, name)));
    if (point) points.push(point);
  }
  return points;
}

/**
 * The curve beside the baselines: one row per swept threshold and per
 * baseline, with the baselines each threshold dominates.
 */
export function renderCurve(
  curve: readonly CurvePoint[],
  baselines: readonly CurvePoint[],
): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows = [
    ...curve.map((p) => [
      p.name,
      pct(p.lost),
      pct(p.saved),
      baselines
        .filter((b) => dominates(p, b))
        .map((b) => b.name)
        .join(", ") || "—",
    ]),
    ...baselines.map((b) => [b.name, pct(b.lost), pct(b.saved), ""]),
  ];
  return markdownTable(["policy", "lost (all)", "saved (doomed)", "dominates"], rows);
}

/** A swept threshold and what it lost and saved. */
export interface ThresholdChoice {
  stopBelow: number;
  lost: number;
  steadyLost: number;
  saved: number;
}

/**
 * The default threshold, from the loops it is tuned on: of the swept
 * thresholds that lose at most `limits.all` of the would-be successes
 * (`limits.steady` on steady loops) and save at least `minSaved` of the
 * doomed loops' budget, the middle one, which leaves the most room on both
 * sides; when none does both, the largest within the loss limits; null when
 * none is within them.
 */
export function chooseStopBelow(
  loops: readonly SimulatedLoop[],
  checks: readonly DecisionCheck[],
  limits: { all: number; steady: number; minSaved: number },
): ThresholdChoice | null {
  const within: ThresholdChoice[] = [];
  for (const x of STOP_BELOW_SWEEP) {
    const name = sweepName(x);
    const scores = scoreDecisions(name, runsFromChecks(loops, checks, name));
    const all = scores.find((s) => s.group === "all");
    const steady = scores.find((s) => s.group === "steady");
    const choice = {
      stopBelow: x,
      lost: all?.lostShare ?? 0,
      steadyLost: steady?.lostShare ?? 0,
      saved: all?.savedShare ?? 0,
    };
    if (choice.lost <= limits.all && choice.steadyLost <= limits.steady) within.push(choice);
  }
  const both = within.filter((c) => c.saved >= limits.minSaved);
  if (both.length > 0) return both[Math.floor((both.length - 1) / 2)] as ThresholdChoice;
  return within.at(-1) ?? null;
}
