/**
 * The evaluation step of the gate loop and its error policy: a failed
 * evaluation is logged as an iteration (never lost), then the loop stops or,
 * with `onEvaluationError: "continue"`, refines from the last strategy that
 * evaluated and goes on.
 */
import type { StrategyLike } from "./contracts.js";
import { describeCause, EvaluationError } from "./errors.js";
import type { LoopState } from "./gate-loop-steps.js";
import { strategyFields } from "./gate-loop-steps.js";
import type { ExperimentRecord } from "./record.js";

/** What the loop tells the evaluator about the iteration it runs. */
export interface EvaluationContext {
  /** The iteration being evaluated (1 for the first of a new experiment). */
  iteration: number;
  experimentId: string;
  /** Aborted when the loop is asked to stop (runGateLoop's `signal`). */
  signal?: AbortSignal;
}

/** Metrics with the evaluator's log (its stderr), kept as the record's `evaluator_log`. */
export interface EvaluationOutput {
  metrics: Record<string, number>;
  log?: string;
}

/** What `backtest` may return: the metrics, or the metrics with a log. */
export type EvaluationResult = Record<string, number> | EvaluationOutput;

/** The most of an evaluator's log a record keeps: its last 16 KB. */
export const MAX_EVALUATOR_LOG_BYTES = 16_384;

/** The last `maxBytes` bytes of `text` (UTF-8), after a line saying how much was cut. */
export function capLogTail(text: string, maxBytes = MAX_EVALUATOR_LOG_BYTES): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  const kept = bytes
    .subarray(bytes.length - maxBytes)
    .toString("utf8")
    .replace(/^\uFFFD+/, "");
  return `[first ${bytes.length - maxBytes} bytes cut]\n${kept}`;
}

function isOutput(value: EvaluationResult): value is EvaluationOutput {
  const metrics = (value as { metrics?: unknown }).metrics;
  return metrics !== null && typeof metrics === "object";
}

/** The metrics and log of whatever `backtest` returned. */
export function readEvaluation(value: EvaluationResult): EvaluationOutput {
  if (value !== null && typeof value === "object" && isOutput(value)) {
    return {
      metrics: value.metrics,
      ...(typeof value.log === "string" && { log: value.log }),
    };
  }
  return { metrics: value as Record<string, number> };
}

/** The strategy that last evaluated and what it scored: "continue" refines from it. */
export interface Evaluated<S extends StrategyLike> {
  strategy: S;
  metrics: Record<string, number>;
}

/** How the evaluation step ended. */
export type EvaluationStep = { ok: true; output: EvaluationOutput } | { ok: false; error: unknown };

/** Runs the backtest, timed into the next record; a throw is returned, not raised. */
export async function runEvaluation<S extends StrategyLike>(
  loop: LoopState<S>,
  iteration: number,
): Promise<EvaluationStep> {
  const { run, strategy, options } = loop;
  const context: EvaluationContext = {
    iteration,
    experimentId: run.experimentId,
    ...(options.signal !== undefined && { signal: options.signal }),
  };
  try {
    const value = await run.time(() => options.backtest(strategy, context));
    return { ok: true, output: readEvaluation(value) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Logs a failed evaluation as an iteration: no metrics, no gate score,
 * `action_taken` EVALUATION_FAILED and `evaluation_error` with the message
 * and the stderr tail, with the usage, advice and refiner carried into it.
 * Returns the record, or null when it could not be written (a warning).
 */
export async function logEvaluationFailure<S extends StrategyLike>(
  loop: LoopState<S>,
  error: unknown,
): Promise<ExperimentRecord | null> {
  const log = EvaluationError.isInstance(error) ? error.log : "";
  const message = describeCause(error);
  try {
    const record = await loop.run.log(
      strategyFields(loop.strategy, {
        metrics: {},
        action_taken: "EVALUATION_FAILED",
        failure_classification: "EVALUATION_ERROR",
        failure_analysis: { stage: "backtest", error: message },
        evaluation_error: { message, log_tail: capLogTail(log) },
        ...(log !== "" && { evaluator_log: capLogTail(log) }),
        ...carriedFields(loop),
      }),
    );
    clearCarried(loop);
    return record;
  } catch (logError) {
    loop.warn(`could not log the failed iteration: ${describeCause(logError)}`, logError);
    return null;
  }
}

/** The usage, advice and refiner a record takes over from the steps before it. */
export function carriedFields<S extends StrategyLike>(loop: LoopState<S>) {
  return {
    ...(loop.carriedUsage.length > 0 && { llm_usage: loop.carriedUsage }),
    ...(loop.carriedAdvice && { advice: loop.carriedAdvice }),
    ...(loop.carriedRefiner && { refiner: loop.carriedRefiner }),
  };
}

/** Once a record holds them, nothing is carried any more. */
export function clearCarried<S extends StrategyLike>(loop: LoopState<S>): void {
  loop.carriedUsage = [];
  loop.carriedAdvice = null;
  loop.carriedRefiner = null;
}

/**
 * Whether a failed evaluation ends the loop: always with "stop" (the
 * default), when the loop was aborted, or after `maxConsecutiveEvaluationErrors`
 * (default 3) failures in a row with "continue".
 */
export function evaluationErrorEnds<S extends StrategyLike>(loop: LoopState<S>): boolean {
  const { onEvaluationError = "stop", maxConsecutiveEvaluationErrors = 3, signal } = loop.options;
  if (onEvaluationError !== "continue" || signal?.aborted) return true;
  return loop.consecutiveEvaluationErrors >= maxConsecutiveEvaluationErrors;
}
