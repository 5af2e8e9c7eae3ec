/**
 * Every check a loop makes, with what the analysis predicted there and what
 * actually happened after it: the raw material of the calibration scores and
 * of offline threshold sweeps.
 */
import {
  type Advisor,
  type AdvisorInput,
  type Analyzer,
  type NextAction,
  TrajectoryAssessmentSchema,
} from "@converge/core";
import { type LoopRun, runLoop } from "./decision-harness.js";
import type { LoopFamily, NoiseLevel, SimulatedLoop } from "./simulated-loops.js";

/** The ETA interval of the analysis at a check; each field null when absent. */
export interface CheckEta {
  estimate: number | null;
  low: number | null;
  high: number | null;
  /** The stated coverage of [low, high], e.g. 0.8. */
  level: number | null;
  /** The interval is over futures that pass within this many iterations. */
  horizon: number | null;
}

/** One advisor check of a loop: after `iteration`, the loop not yet passed. */
export interface DecisionCheck {
  loopId: string;
  family: LoopFamily;
  noise: NoiseLevel;
  iteration: number;
  budget: number;
  /** budget − iteration. */
  remaining: number;
  /** The analysis' `success_probability.probability`; null when absent. */
  probability: number | null;
  /** The horizon that probability is for; null when absent. */
  probabilityHorizon: number | null;
  horizonSource: string | null;
  /** The analysis' `iterations_to_success`; null when absent. */
  eta: CheckEta | null;
  /** Truth: the loop passes within its budget after this iteration. */
  passesWithinBudget: boolean;
  /** Truth: passIteration − iteration; null when it never passes in the generated length. */
  trueRemaining: number | null;
  /** Iterations generated after this one: how far ahead the truth is known. */
  knownAhead: number;
  /** Each named advisor's next action at this check. */
  actions: Record<string, NextAction>;
}

/** An advisor with the name its actions are recorded under. */
export interface NamedAdvisor {
  name: string;
  advisor: Advisor;
}

/** Options of {@link collectChecks}. */
export interface CollectChecksOptions {
  analyzers: readonly Analyzer[];
  /** Advisors asked at every check (with the same input), their answers recorded. */
  advisors?: readonly NamedAdvisor[];
}

const CONTINUE = TrajectoryAssessmentSchema.parse({
  convergence_assessment: "INSUFFICIENT_DATA",
  gradient_effectiveness: "MIXED",
  likelihood_of_success: "MEDIUM",
  estimated_iterations_needed: null,
  key_findings: [],
  parameter_recommendations: {},
  next_action: "CONTINUE",
  specific_recommendations: [],
  confidence: 0.5,
  reasoning: "Recording only: never stops.",
});

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";
const numberOrNull = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v) ? v : null;

/** `success_probability` read defensively: the field may be missing or partial. */
export function readProbability(
  trajectory: unknown,
): Pick<DecisionCheck, "probability" | "probabilityHorizon" | "horizonSource"> {
  const sp = isObject(trajectory) ? trajectory.success_probability : undefined;
  if (!isObject(sp)) return { probability: null, probabilityHorizon: null, horizonSource: null };
  const p = numberOrNull(sp.probability);
  return {
    probability: p !== null && p >= 0 && p <= 1 ? p : null,
    probabilityHorizon: numberOrNull(sp.horizon),
    horizonSource: typeof sp.horizon_source === "string" ? sp.horizon_source : null,
  };
}

/** `iterations_to_success` read defensively; null when the field is missing. */
export function readEta(trajectory: unknown): CheckEta | null {
  const eta = isObject(trajectory) ? trajectory.iterations_to_success : undefined;
  if (!isObject(eta)) return null;
  return {
    estimate: numberOrNull(eta.estimate),
    low: numberOrNull(eta.low),
    high: numberOrNull(eta.high),
    level: numberOrNull(eta.level),
    horizon: numberOrNull(eta.horizon),
  };
}

/**
 * Runs the loop through `runGateLoop` with a recording advisor that never
 * stops, so every check up to the pass (or the budget) is seen with the
 * analysis exactly as the loop computes it (`run.analyze` with the loop's
 * budget), and the named advisors' actions at each check.
 */
export async function collectChecks(
  loop: SimulatedLoop,
  options: CollectChecksOptions,
): Promise<DecisionCheck[]> {
  const checks: DecisionCheck[] = [];
  const recorder: Advisor = {
    specificationVersion: "v1",
    name: "recorder",
    async advise(input: AdvisorInput) {
      const iteration = input.loop?.iteration ?? input.records.length;
      const actions: Record<string, NextAction> = {};
      for (const { name, advisor } of options.advisors ?? []) {
        actions[name] = (await advisor.advise(input)).assessment.next_action;
      }
      const trueRemaining = loop.passIteration === null ? null : loop.passIteration - iteration;
      checks.push({
        loopId: loop.id,
        family: loop.family,
        noise: loop.noise,
        iteration,
        budget: loop.budget,
        remaining: loop.budget - iteration,
        ...readProbability(input.trajectory),
        eta: readEta(input.trajectory),
        passesWithinBudget: loop.passesWithinBudget,
        trueRemaining,
        knownAhead: loop.iterations.length - iteration,
        actions,
      });
      return { assessment: CONTINUE, source: "recorder" };
    },
  };
  await runLoop(loop, { advisor: recorder, analyzers: options.analyzers });
  return checks;
}

/**
 * The runs a recorded advisor would have produced: each loop stops at its
 * first check where `name` said PIVOT or ABANDON, else at its pass or its
 * budget. Equal to running the loop with that advisor when the advisor
 * depends only on the records, the analysis and the loop's progress; lets
 * thresholds be swept without re-running loops. `lastAdvice` is null.
 */
export function runsFromChecks(
  loops: readonly SimulatedLoop[],
  checks: readonly DecisionCheck[],
  name: string,
): LoopRun[] {
  const byLoop = new Map<string, DecisionCheck[]>();
  for (const c of checks) {
    const list = byLoop.get(c.loopId);
    if (list) list.push(c);
    else byLoop.set(c.loopId, [c]);
  }
  return loops.map((loop) => {
    const stop = (byLoop.get(loop.id) ?? [])
      .sort((a, b) => a.iteration - b.iteration)
      .find((c) => c.actions[name] === "PIVOT" || c.actions[name] === "ABANDON");
    const base = {
      loopId: loop.id,
      family: loop.family,
      noise: loop.noise,
      budget: loop.budget,
      passesWithinBudget: loop.passesWithinBudget,
      lastAdvice: null,
    };
    if (stop) {
      const status = stop.actions[name] === "ABANDON" ? "ABANDONED" : "PIVOT_TO_RESEARCH";
      return { ...base, status, iterationsRun: stop.iteration, passed: false, stoppedBy: name };
    }
    const passed = loop.passesWithinBudget;
    return {
      ...base,
      status: passed ? "SUCCESS" : "MAX_ITERATIONS",
      iterationsRun: passed ? (loop.passIteration as number) : loop.budget,
      passed,
      stoppedBy: null,
    };
  });
}
