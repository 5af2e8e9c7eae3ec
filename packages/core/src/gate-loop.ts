import type {
  Advice,
  Advisor,
  FailureAnalysis,
  FailureAnalyzer,
  StrategyLike,
} from "./contracts.js";
import { ConfigurationError, EvaluationError } from "./errors.js";
import { evaluateGate, type GateResult, type GateSpecInput, parseGate } from "./gate.js";
import {
  type EvaluationContext,
  type EvaluationResult,
  evaluationErrorEnds,
  logEvaluationFailure,
  runEvaluation,
} from "./gate-loop-evaluation.js";
import {
  advise,
  analyzeFailure,
  budgetSpent,
  decide,
  done,
  fail,
  type LoopState,
  logIteration,
  NOT_ANALYZED,
  notify,
  refineStrategy,
} from "./gate-loop-steps.js";
import type { MetricSpecInput } from "./metric-spec.js";
import type { ExperimentRecord } from "./record.js";
import { resolvePlugin } from "./resolve-plugin.js";
import type { ExperimentStatus, ExperimentSummary } from "./summary.js";
import type { Tracker } from "./tracker.js";
import type { ExperimentTrajectory } from "./trajectory.js";

export type {
  EvaluationContext,
  EvaluationOutput,
  EvaluationResult,
} from "./gate-loop-evaluation.js";

/** What `refine` is given to produce the next strategy. */
export interface RefineContext<S extends StrategyLike> {
  strategy: S;
  metrics: Readonly<Record<string, number>>;
  gate: GateResult;
  analysis: FailureAnalysis | null;
  advice: Advice | null;
  records: readonly ExperimentRecord[];
  iteration: number;
  /** The trajectory analysis the advisor was last given (null before the advisor is asked). */
  trajectory?: ExperimentTrajectory | null;
}

/** Limits that end the loop as BUDGET_EXHAUSTED before `maxIterations`. */
export interface GateLoopBudget {
  /** Stop once the iterations' total cost (USD) reaches this. */
  costUsd?: number;
  /** Stop once this many seconds have passed since the loop started. */
  wallTimeSeconds?: number;
}

/** What {@link runGateLoop} runs: the hooks, the plugins, the gate and the limits. */
export interface GateLoopOptions<S extends StrategyLike> {
  /** Starts the experiment and logs each iteration to its store. */
  tracker: Tracker;
  /** The quality gate each iteration's metrics are scored against. */
  gate: GateSpecInput;
  /** The first strategy to evaluate. */
  strategy: S;
  /**
   * Evaluates a strategy: a backtest, an eval suite. Returns its metrics, or
   * `{ metrics, log }` (the log becomes the record's `evaluator_log`, capped
   * to its last 16 KB). A throw is a failed evaluation (see `onEvaluationError`).
   */
  backtest: (
    strategy: S,
    context: EvaluationContext,
  ) => EvaluationResult | Promise<EvaluationResult>;
  /**
   * What a failed evaluation does after it is logged (metrics {}, action
   * EVALUATION_FAILED, `evaluation_error`): "stop" (default) ends the loop
   * FAILED with a `GateLoopError` at stage "backtest"; "continue" refines from
   * the last strategy that evaluated and goes on.
   */
  onEvaluationError?: "stop" | "continue";
  /** With "continue": this many failed evaluations in a row end the loop as "stop" does (default 3). */
  maxConsecutiveEvaluationErrors?: number;
  /**
   * Aborting it stops the running evaluation (the signal is given to
   * `backtest`): the loop logs it and ends FAILED with a `GateLoopError`
   * (stage "backtest") whatever the policy; between iterations it ends the
   * same way without running another.
   */
  signal?: AbortSignal;
  /** Produces the next strategy from the failed one. */
  refine: (context: RefineContext<S>) => S | Promise<S>;
  /** Asked why a failed iteration failed; its recommendation may end the loop. */
  failureAnalyzer?: FailureAnalyzer;
  /** Default: the tracker's advisor. Asked from the second iteration on. */
  advisor?: Advisor;
  /** The most iterations to run: a whole number of at least 1. */
  maxIterations: number;
  budget?: GateLoopBudget;
  /** What the experiment tries to achieve, kept in its meta. */
  directive?: string;
  /** Default: `exp_YYYYMMDD_HHMMSS_xxxx` from the clock (see `StartOptions`). */
  experimentId?: string;
  /** Metric directions, kept in the meta (see `StartOptions`). */
  metrics?: Record<string, MetricSpecInput>;
  /** Called after each logged iteration (e.g. to print progress). Errors are reported, not fatal. */
  onIteration?: (record: ExperimentRecord, advice: Advice | null) => void | Promise<void>;
  /** Problems that did not stop the loop (a failing advisor or failure analyzer). */
  onWarning?: (message: string, cause: unknown) => void;
}

/** How the loop ended. */
export interface GateLoopResult<S extends StrategyLike> {
  /** Whether the last iteration passed the gate (status SUCCESS). */
  passed: boolean;
  /** The last strategy evaluated. */
  strategy: S;
  /** The summary as written to the experiment's meta. */
  summary: ExperimentSummary;
  experimentId: string;
  /** The last advice, if the advisor was asked. */
  advice: Advice | null;
}

/**
 * The quality-gate loop: evaluate, score, analyse the failure, log, ask the
 * advisor, refine. Stops when the gate passes (SUCCESS), after
 * `maxIterations` (MAX_ITERATIONS), when the budget is spent
 * (BUDGET_EXHAUSTED), when the advisor says PIVOT (PIVOT_TO_RESEARCH) or
 * ABANDON (ABANDONED), or when the failure analysis recommends REFINE_RESEARCH
 * or ABANDON (FAILED). Each iteration is logged before anything that may fail
 * after it; a failing advisor or failure analyzer is reported through
 * `onWarning` and the loop goes on, unless it is misconfigured; a failing
 * store write or refine, or a misconfigured plugin, stops it with a
 * `GateLoopError` after writing the summary. A failed evaluation is logged
 * as an iteration first, then stops the loop the same way or, with
 * `onEvaluationError: "continue"`, lets it go on. Bad options (a `maxIterations`
 * below 1, a plugin of another specification) are rejected before anything is
 * written.
 */
export async function runGateLoop<S extends StrategyLike>(
  options: GateLoopOptions<S>,
): Promise<GateLoopResult<S>> {
  const loop = await startLoop(options);
  for (let i = 1; i <= options.maxIterations; i++) {
    if (options.signal?.aborted) {
      // Stopped between iterations: nothing runs, so nothing more is logged.
      return fail(loop, "backtest", new EvaluationError(`aborted before iteration ${i} ran`));
    }
    const status = await runIteration(loop, i);
    if (status !== null) return done(loop, status);
  }
  return done(loop, "MAX_ITERATIONS");
}

/**
 * Checks the options and the plugins before anything is written, then starts
 * the experiment.
 */
async function startLoop<S extends StrategyLike>(
  options: GateLoopOptions<S>,
): Promise<LoopState<S>> {
  const { tracker, maxIterations, maxConsecutiveEvaluationErrors: maxErrors } = options;
  if (maxErrors !== undefined && !(Number.isInteger(maxErrors) && maxErrors >= 1)) {
    throw new ConfigurationError(
      `maxConsecutiveEvaluationErrors must be a whole number >= 1, got ${String(maxErrors)}`,
      { hint: "e.g. maxConsecutiveEvaluationErrors: 3" },
    );
  }
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    const given = typeof maxIterations === "number" ? String(maxIterations) : typeof maxIterations;
    throw new ConfigurationError(`maxIterations must be a whole number >= 1, got ${given}`, {
      hint: "pass runGateLoop the most iterations the loop may run, e.g. maxIterations: 10",
    });
  }
  const gate = parseGate(options.gate);
  const advisor = options.advisor ?? tracker.advisor;
  resolvePlugin("advisor", advisor);
  resolvePlugin("failure analyzer", options.failureAnalyzer);
  const warn = options.onWarning ?? ((message: string) => console.warn(`converge: ${message}`));
  const run = await tracker.start({
    gate,
    ...(options.directive !== undefined && { directive: options.directive }),
    ...(options.experimentId !== undefined && { experimentId: options.experimentId }),
    ...(options.metrics !== undefined && { metrics: options.metrics }),
    maxIterations,
  });
  return {
    options,
    run,
    gate,
    advisor,
    warn,
    startedAt: performance.now(),
    strategy: options.strategy,
    advice: null,
    carriedUsage: [],
    carriedAdvice: null,
    carriedRefiner: null,
    trajectory: null,
    lastEvaluated: null,
    consecutiveEvaluationErrors: 0,
  };
}

/**
 * One iteration, step by step. Returns the status that ends the loop, or
 * null to go on with the refined strategy. A step the loop cannot go on
 * without throws a `GateLoopError` after the summary is written.
 */
async function runIteration<S extends StrategyLike>(
  loop: LoopState<S>,
  iteration: number,
): Promise<ExperimentStatus | null> {
  const evaluation = await runEvaluation(loop, iteration);
  if (!evaluation.ok) return evaluationFailed(loop, iteration, evaluation.error);
  const { metrics, log } = evaluation.output;
  loop.consecutiveEvaluationErrors = 0;
  loop.lastEvaluated = { strategy: loop.strategy, metrics };
  const result = evaluateGate(metrics, loop.gate);
  const failure = result.passed
    ? NOT_ANALYZED
    : await analyzeFailure(loop, metrics, result, iteration);
  const record = await logIteration(loop, metrics, result, failure, log);
  if (failure.misconfigured !== undefined) {
    return fail(loop, "failure analysis", failure.misconfigured);
  }
  if (result.passed) {
    await notify(loop, record, null);
    return "SUCCESS";
  }

  loop.advice = await advise(loop, record, iteration);
  await notify(loop, record, loop.advice);
  const stop = decide(loop, failure.analysis);
  if (stop !== null || iteration === loop.options.maxIterations) return stop;
  loop.strategy = await refineStrategy(loop, {
    strategy: loop.strategy,
    metrics,
    gate: result,
    analysis: failure.analysis,
    advice: loop.advice,
    records: loop.run.records,
    iteration,
    trajectory: loop.trajectory,
  });
  return null;
}

/**
 * A failed evaluation: logged, then the loop ends (policy "stop", aborted,
 * or too many in a row: FAILED and a `GateLoopError`) or refines from the
 * last strategy that evaluated (the failed one when none did yet).
 */
async function evaluationFailed<S extends StrategyLike>(
  loop: LoopState<S>,
  iteration: number,
  error: unknown,
): Promise<ExperimentStatus | null> {
  loop.consecutiveEvaluationErrors++;
  const record = await logEvaluationFailure(loop, error);
  if (record !== null) await notify(loop, record, null);
  if (record === null || evaluationErrorEnds(loop)) return fail(loop, "backtest", error);
  const stop = budgetSpent(loop);
  if (stop !== null || iteration === loop.options.maxIterations) return stop;
  const base = loop.lastEvaluated ?? { strategy: loop.strategy, metrics: {} };
  loop.strategy = await refineStrategy(loop, {
    strategy: base.strategy,
    metrics: base.metrics,
    gate: evaluateGate(base.metrics, loop.gate),
    analysis: null,
    advice: loop.advice,
    records: loop.run.records,
    iteration,
    trajectory: loop.trajectory,
  });
  return null;
}
