/**
 * Scores of the decision benchmark: what a stopping policy lost and saved,
 * how well-calibrated the success probability is, and how often the ETA
 * interval holds the true number of iterations still needed.
 */
import type { DecisionCheck } from "./decision-checks.js";
import { type LoopRun, stoppedEarly } from "./decision-harness.js";
import { LOOP_FAMILIES, type LoopFamily, STEADY_FAMILIES } from "./simulated-loops.js";

/** A family, the steady families together, or every loop. */
export type ScoreGroup = LoopFamily | "steady" | "all";

/** How a policy did on one group of loops. */
export interface DecisionScore {
  policy: string;
  group: ScoreGroup;
  loops: number;
  /** Loops whose noisy path passes within the budget. */
  wouldBeSuccesses: number;
  /** Would-be successes the policy stopped (PIVOT or ABANDON) before they passed. */
  lost: number;
  /** lost / wouldBeSuccesses; null without would-be successes. */
  lostShare: number | null;
  /** Loops that never pass within the budget. */
  doomed: number;
  /** Mean over doomed loops of (budget − iterationsRun) / budget; null without doomed loops. */
  savedShare: number | null;
  meanIterations: number;
}

const mean = (xs: readonly number[]): number | null =>
  xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;

function groupsOf(runs: readonly { family: LoopFamily }[]): ScoreGroup[] {
  const present = new Set(runs.map((r) => r.family));
  const groups: ScoreGroup[] = LOOP_FAMILIES.filter((f) => present.has(f));
  if (STEADY_FAMILIES.some((f) => present.has(f))) groups.push("steady");
  groups.push("all");
  return groups;
}

/** Whether a family belongs to a group. */
export function inGroup(family: LoopFamily, group: ScoreGroup): boolean {
  if (group === "all") return true;
  if (group === "steady") return STEADY_FAMILIES.includes(family);
  return family === group;
}

/** One policy's score per family, over the steady families, and overall. */
export function scoreDecisions(policy: string, runs: readonly LoopRun[]): DecisionScore[] {
  return groupsOf(runs).map((group) => {
    const rs = runs.filter((r) => inGroup(r.family, group));
    const successes = rs.filter((r) => r.passesWithinBudget);
    const lost = successes.filter((r) => stoppedEarly(r.status)).length;
    const doomed = rs.filter((r) => !r.passesWithinBudget);
    return {
      policy,
      group,
      loops: rs.length,
      wouldBeSuccesses: successes.length,
      lost,
      lostShare: successes.length === 0 ? null : lost / successes.length,
      doomed: doomed.length,
      savedShare: mean(doomed.map((r) => (r.budget - r.iterationsRun) / r.budget)),
      meanIterations: mean(rs.map((r) => r.iterationsRun)) ?? 0,
    };
  });
}

/** Reliability bins: [0, 0.1), [0.1, 0.2), ..., [0.9, 1.0]. */
export const CALIBRATION_BINS = 10;
/** A bin counts towards the calibration verdict with at least this many checks... */
export const MIN_BIN_CHECKS = 100;
/** ...from at least this many distinct loops (checks of one loop are not independent). */
export const MIN_BIN_LOOPS = 20;
/** A bin is calibrated when |observed − predicted| is at most this. */
export const CALIBRATION_TOLERANCE = 0.1;

/** One bin of the reliability table. */
export interface ReliabilityBin {
  low: number;
  high: number;
  checks: number;
  loops: number;
  meanPredicted: number | null;
  observed: number | null;
  /** |observed − meanPredicted|. */
  gap: number | null;
  withinTolerance: boolean | null;
  /** At least MIN_BIN_CHECKS checks from MIN_BIN_LOOPS loops. */
  counts: boolean;
}

/** Calibration of the success probability over a set of checks. */
export interface CalibrationScore {
  checks: number;
  /** Checks that carried a probability (the rest are left out of every number below). */
  withProbability: number;
  bins: ReliabilityBin[];
  /** Share of checks (with a probability) whose loop passed within the horizon. */
  passRate: number | null;
  brier: number | null;
  /** Brier score of predicting `passRate` at every check. */
  baseBrier: number | null;
  /** 1 − brier / baseBrier. */
  skill: number | null;
  countingBins: number;
  /** The largest gap among the counting bins; null when none counts. */
  worstGap: number | null;
}

/**
 * What the probability at a check is about: the loop passes within the
 * stated horizon (the iterations left in the budget, when the budget is
 * known), else within the budget.
 */
export function passesWithinHorizon(check: DecisionCheck): boolean {
  if (check.probabilityHorizon === null) return check.passesWithinBudget;
  return check.trueRemaining !== null && check.trueRemaining <= check.probabilityHorizon;
}

/** The reliability table, Brier score and skill of the checks' success probabilities. */
export function scoreCalibration(checks: readonly DecisionCheck[]): CalibrationScore {
  const scored = checks.filter((c) => c.probability !== null);
  const outcomes = scored.map((c) => (passesWithinHorizon(c) ? 1 : 0));
  const predicted = scored.map((c) => c.probability as number);
  const passRate = mean(outcomes);
  const brier = mean(predicted.map((p, i) => (p - (outcomes[i] as number)) ** 2));
  const baseBrier =
    passRate === null ? null : (mean(outcomes.map((y) => (passRate - y) ** 2)) as number);
  const bins: ReliabilityBin[] = Array.from({ length: CALIBRATION_BINS }, (_, b) => {
    const inBin = scored
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => {
        const p = c.probability as number;
        return Math.min(CALIBRATION_BINS - 1, Math.floor(p * CALIBRATION_BINS)) === b;
      });
    const loops = new Set(inBin.map(({ c }) => c.loopId)).size;
    const meanPredicted = mean(inBin.map(({ i }) => predicted[i] as number));
    const observed = mean(inBin.map(({ i }) => outcomes[i] as number));
    const gap =
      meanPredicted === null || observed === null ? null : Math.abs(observed - meanPredicted);
    return {
      low: b / CALIBRATION_BINS,
      high: (b + 1) / CALIBRATION_BINS,
      checks: inBin.length,
      loops,
      meanPredicted,
      observed,
      gap,
      withinTolerance: gap === null ? null : gap <= CALIBRATION_TOLERANCE,
      counts: inBin.length >= MIN_BIN_CHECKS && loops >= MIN_BIN_LOOPS,
    };
  });
  const counting = bins.filter((b) => b.counts);
  return {
    checks: checks.length,
    withProbability: scored.length,
    bins,
    passRate,
    brier,
    baseBrier,
    skill: brier === null || baseBrier === null || baseBrier === 0 ? null : 1 - brier / baseBrier,
    countingBins: counting.length,
    worstGap:
      counting.length === 0
        ? null
        : counting.reduce((worst, b) => Math.max(worst, b.gap as number), Number.NEGATIVE_INFINITY),
  };
}

/** Coverage of the ETA interval among checks whose loop passes within the ETA's horizon. */
export interface CoverageCount {
  eligible: number;
  covered: number;
  coverage: number | null;
}

/** How well the ETA interval covers the true number of iterations still needed. */
export interface EtaCoverage {
  /** The level the intervals state (the most common one); null when none is stated. */
  level: number | null;
  overall: CoverageCount;
  /** On the steady families only. */
  steady: CoverageCount;
  /** Checks on steady families (all before the pass). */
  steadyChecks: number;
  /** Of those, checks with no ETA estimate. */
  steadyWithoutEstimate: number;
  steadyWithoutShare: number | null;
  /**
   * Checks with a range whose loop does not pass within the generated
   * iterations although the ETA's horizon reaches past them: whether they
   * belong among the eligible is unknown, so they are left out.
   */
  beyondKnown: number;
}

function coverageOf(checks: readonly DecisionCheck[]): CoverageCount {
  // A null horizon (an interval not conditioned on one) admits every loop that passes.
  const eligible = checks.filter(
    (c) =>
      c.eta !== null &&
      c.eta.low !== null &&
      c.eta.high !== null &&
      c.trueRemaining !== null &&
      c.trueRemaining <= (c.eta.horizon ?? Number.POSITIVE_INFINITY),
  );
  const covered = eligible.filter(
    (c) =>
      (c.eta?.low as number) <= (c.trueRemaining as number) &&
      (c.trueRemaining as number) <= (c.eta?.high as number),
  ).length;
  return {
    eligible: eligible.length,
    covered,
    coverage: eligible.length === 0 ? null : covered / eligible.length,
  };
}

/** The ETA interval's coverage, overall and on the steady families, and how often it is missing. */
export function scoreEtaCoverage(checks: readonly DecisionCheck[]): EtaCoverage {
  const levels = new Map<number, number>();
  for (const c of checks) {
    if (c.eta?.level != null && c.eta.low !== null)
      levels.set(c.eta.level, (levels.get(c.eta.level) ?? 0) + 1);
  }
  const level = [...levels.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const steady = checks.filter((c) => STEADY_FAMILIES.includes(c.family));
  const without = steady.filter((c) => c.eta?.estimate == null).length;
  return {
    level,
    overall: coverageOf(checks),
    steady: coverageOf(steady),
    steadyChecks: steady.length,
    steadyWithoutEstimate: without,
    steadyWithoutShare: steady.length === 0 ? null : without / steady.length,
    beyondKnown: checks.filter(
      (c) =>
        c.eta?.low != null &&
        c.eta.high !== null &&
        c.trueRemaining === null &&
        (c.eta.horizon ?? Number.POSITIVE_INFINITY) > c.knownAhead,
    ).length,
  };
}
