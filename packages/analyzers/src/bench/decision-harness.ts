/**
 * Runs simulated loops (simulated-loops.ts) through the real `runGateLoop`,
 * with an advisor under test or a baseline, and records what the analysis
 * predicted at every check so that predictions and decision thresholds can
 * be scored offline against the loop's known future.
 */
import {
  type Advice,
  type Advisor,
  type AdvisorInput,
  type Analyzer,
  createTracker,
  type ExperimentStatus,
  memoryStore,
  type NextAction,
  runGateLoop,
  type TrajectoryAssessment,
  TrajectoryAssessmentSchema,
} from "@converge/core";
import type { LoopFamily, NoiseLevel, SimulatedLoop } from "./simulated-loops.js";

/** How one loop ended under one policy. */
export interface LoopRun {
  loopId: string;
  family: LoopFamily;
  noise: NoiseLevel;
  budget: number;
  /** The loop's noisy path passes the gate within the budget (whatever the policy does). */
  passesWithinBudget: boolean;
  status: ExperimentStatus;
  iterationsRun: number;
  passed: boolean;
  /**
   * What stopped the loop when the advisor did (PIVOT or ABANDON): the rule id
   * from the reasoning ("R6" from "Rule R6 (...) decided: ..."), else the
   * advice's source; null when the advisor did not stop it.
   */
  stoppedBy: string | null;
  lastAdvice: Advice | null;
}

/** Options of {@link runLoop}. */
export interface RunLoopOptions {
  /** None: the loop never stops early (the never-stop baseline). */
  advisor?: Advisor;
  /** The tracker's analyzers; none by default (an advisor that needs the analysis computes it). */
  analyzers?: readonly Analyzer[];
}

const RULE_ID = /^Rule (\S+) \(/;

/** The rule id at the start of an advice's reasoning, else its source. */
export function adviceReason(advice: Advice): string {
  return RULE_ID.exec(advice.assessment.reasoning)?.[1] ?? advice.source;
}

/** True when the status means an advisor stopped the loop. */
export function stoppedEarly(status: ExperimentStatus): boolean {
  return status === "PIVOT_TO_RESEARCH" || status === "ABANDONED";
}

/**
 * Runs a loop through `runGateLoop` with a fresh in-memory tracker: the k-th
 * evaluation returns the loop's k-th metrics, `refine` gives the next
 * iteration's parameters, maxIterations is the loop's budget. A warning from
 * the loop (a failing advisor) is an error here: the benchmark must not score
 * a run in which the advisor silently did not take part.
 */
export async function runLoop(loop: SimulatedLoop, options: RunLoopOptions = {}): Promise<LoopRun> {
  const tracker = createTracker({
    store: memoryStore(),
    analyzers: options.analyzers ?? [],
    advisor: options.advisor,
  });
  const warnings: string[] = [];
  const first = loop.iterations[0];
  if (!first) throw new Error(`loop ${loop.id} has no iterations`);
  let evaluations = 0;
  const result = await runGateLoop({
    tracker,
    gate: loop.gate,
    metrics: loop.metrics,
    strategy: { name: loop.family, parameters: first.parameters },
    backtest: () => {
      const next = loop.iterations[evaluations++];
      if (!next) throw new Error(`loop ${loop.id} has only ${loop.iterations.length} iterations`);
      return next.metrics;
    },
    refine: ({ strategy, iteration }) => ({
      name: strategy.name,
      parameters: loop.iterations[iteration]?.parameters ?? strategy.parameters,
    }),
    maxIterations: loop.budget,
    experimentId: loop.id,
    onWarning: (message) => warnings.push(message),
  });
  if (warnings.length > 0) throw new Error(`loop ${loop.id}: ${warnings.join("; ")}`);
  const status = result.summary.status;
  return {
    loopId: loop.id,
    family: loop.family,
    noise: loop.noise,
    budget: loop.budget,
    passesWithinBudget: loop.passesWithinBudget,
    status,
    iterationsRun: result.summary.total_iterations,
    passed: result.passed,
    stoppedBy: stoppedEarly(status) && result.advice ? adviceReason(result.advice) : null,
    lastAdvice: result.advice,
  };
}

function assessment(action: NextAction, reasoning: string): TrajectoryAssessment {
  return TrajectoryAssessmentSchema.parse({
    convergence_assessment: "INSUFFICIENT_DATA",
    gradient_effectiveness: "MIXED",
    likelihood_of_success: action === "CONTINUE" ? "MEDIUM" : "LOW",
    estimated_iterations_needed: null,
    key_findings: [],
    parameter_recommendations: {},
    next_action: action,
    specific_recommendations: [],
    confidence: 0.5,
    reasoning,
  });
}

/**
 * Iterations since the best gate score was first reached: the first score
 * sets the best, a later one improves it only when strictly greater. Null
 * without any score.
 */
export function iterationsSinceBest(scores: readonly (number | null)[]): number | null {
  let best = Number.NEGATIVE_INFINITY;
  let bestAt = -1;
  scores.forEach((s, i) => {
    if (s !== null && Number.isFinite(s) && s > best) {
      best = s;
      bestAt = i;
    }
  });
  return bestAt < 0 ? null : scores.length - 1 - bestAt;
}

/**
 * The patience baseline: PIVOT once `k` iterations have passed without a new
 * best gate score, else CONTINUE.
 */
export function patienceAdvisor(k: number): Advisor {
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`patience must be a whole number >= 1, got ${k}`);
  const source = `patience-${k}`;
  return {
    specificationVersion: "v1",
    name: source,
    async advise({ records }: AdvisorInput): Promise<Advice> {
      const since = iterationsSinceBest(records.map((r) => r.gate_score));
      const stop = since !== null && since >= k;
      const reasoning = `Patience ${k}: ${since ?? "no"} iteration${since === 1 ? "" : "s"} since the best gate score.`;
      return { assessment: assessment(stop ? "PIVOT" : "CONTINUE", reasoning), source };
    },
  };
}

/** A policy to run loops under: a name and, unless it never stops, the advisor to build. */
export interface Policy {
  name: string;
  advisor?: () => Advisor;
  analyzers?: () => Analyzer[];
}

/** The never-stop baseline: no advisor; every loop runs to a pass or its budget. */
export const NEVER_STOP: Policy = { name: "never-stop" };

/** The patience-k baseline as a policy. */
export function patiencePolicy(k: number): Policy {
  return { name: `patience-${k}`, advisor: () => patienceAdvisor(k) };
}

/** Runs every loop under a policy, one after another (a fresh advisor per loop). */
export async function runPolicy(
  policy: Policy,
  loops: readonly SimulatedLoop[],
): Promise<LoopRun[]> {
  const runs: LoopRun[] = [];
  for (const loop of loops) {
    const options: RunLoopOptions = {};
    if (policy.advisor) options.advisor = policy.advisor();
    if (policy.analyzers) options.analyzers = policy.analyzers();
    runs.push(await runLoop(loop, options));
  }
  return runs;
}
