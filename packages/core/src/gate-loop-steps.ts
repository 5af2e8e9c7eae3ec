import { adviceToRecord } from "./advice.js";
import type {
  Advice,
  Advisor,
  FailureAnalysis,
  LlmCallUsage,
  LoopProgress,
  StrategyLike,
} from "./contracts.js";
import { CostlyFailureError, describeCause, GateLoopError, type GateLoopStage } from "./errors.js";
import type { GateResult, GateSpec } from "./gate.js";
import type { GateLoopOptions, GateLoopResult, RefineContext } from "./gate-loop.js";
import { capLogTail, carriedFields, clearCarried, type Evaluated } from "./gate-loop-evaluation.js";
import { isMisconfiguration, toRecordUsage, usageCost } from "./gate-loop-usage.js";
import type { JsonValue } from "./json.js";
import type { ExperimentRecord, LlmUsage, RecordedAdvice, RefinerField } from "./record.js";
import { refinementOf } from "./refinement.js";
import type { ExperimentStatus, ExperimentSummary } from "./summary.js";
import type { LogInput, Run } from "./tracker.js";
import type { ExperimentTrajectory } from "./trajectory.js";

/** Reports a problem that does not stop the loop. */
export type Warn = (message: string, cause: unknown) => void;

/** Everything one run of the loop knows, read and updated by its steps. */
export interface LoopState<S extends StrategyLike> {
  readonly options: GateLoopOptions<S>;
  readonly run: Run;
  readonly gate: GateSpec;
  readonly advisor: Advisor | undefined;
  readonly warn: Warn;
  /** `performance.now()` when the loop started, for the wall-time budget. */
  readonly startedAt: number;
  /** The strategy being evaluated. */
  strategy: S;
  /** The advice of the current iteration, null until the advisor answers. */
  advice: Advice | null;
  /**
   * LLM usage paid after the last record was written (the advisor's, or a
   * failed write's): it goes into the next record, or the summary at the end.
   */
  carriedUsage: LlmUsage[];
  /** Advice is given after its iteration is logged: the next record stores it. */
  carriedAdvice: RecordedAdvice | null;
  /** Who proposed the strategy being evaluated (from `refineWithin`): its record stores it. */
  carriedRefiner: RefinerField | null;
  /** The analysis the advisor was given last, handed to `refine`. */
  trajectory: ExperimentTrajectory | null;
  /** The last strategy that evaluated, and its metrics: "continue" refines from it. */
  lastEvaluated: Evaluated<S> | null;
  /** Failed evaluations since the last one that produced metrics. */
  consecutiveEvaluationErrors: number;
}

/** What the failure-analysis step found out. */
export interface FailureStep {
  analysis: FailureAnalysis | null;
  /** The calls a failing analyzer still paid for. */
  failedUsage: LlmCallUsage[];
  /** Set when the analyzer cannot work as configured: the loop stops after logging. */
  misconfigured?: unknown;
}

/** The failure-analysis step of an iteration that passed, or had no analyzer. */
export const NOT_ANALYZED: FailureStep = { analysis: null, failedUsage: [] };

/** Writes the summary with the advice and LLM cost no record holds. */
export async function finish<S extends StrategyLike>(
  loop: LoopState<S>,
  status: ExperimentStatus,
): Promise<ExperimentSummary> {
  const { run, carriedUsage, carriedAdvice } = loop;
  const summary = run.summary(status);
  const extra: Partial<ExperimentSummary> = {};
  if (carriedAdvice) extra.advice = carriedAdvice;
  if (carriedUsage.length > 0) {
    extra.total_cost = summary.total_cost + usageCost(carriedUsage);
    extra.trailing_llm_usage = carriedUsage;
  }
  return run.finish(status, extra);
}

/** Ends the loop on a step it cannot go on without: FAILED, then a `GateLoopError`. */
export async function fail<S extends StrategyLike>(
  loop: LoopState<S>,
  stage: GateLoopStage,
  cause: unknown,
): Promise<never> {
  const { run, warn } = loop;
  let summary: ExperimentSummary | null = null;
  try {
    summary = await finish(loop, "FAILED");
  } catch (metaError) {
    warn(`could not write the FAILED status: ${describeCause(metaError)}`, metaError);
  }
  throw new GateLoopError({ stage, experimentId: run.experimentId, summary, cause });
}

/** Ends the loop with a status: only SUCCESS passed. */
export async function done<S extends StrategyLike>(
  loop: LoopState<S>,
  status: ExperimentStatus,
): Promise<GateLoopResult<S>> {
  return {
    passed: status === "SUCCESS",
    strategy: loop.strategy,
    summary: await finish(loop, status),
    experimentId: loop.run.experimentId,
    advice: loop.advice,
  };
}

/**
 * Asks the failure analyzer, if there is one, why the gate failed. A failing
 * analyzer is a warning unless it is misconfigured; either way what it paid
 * is kept for the record.
 */
export async function analyzeFailure<S extends StrategyLike>(
  loop: LoopState<S>,
  metrics: Record<string, number>,
  gate: GateResult,
  iteration: number,
): Promise<FailureStep> {
  const { failureAnalyzer, maxIterations } = loop.options;
  if (!failureAnalyzer) return NOT_ANALYZED;
  const { run, strategy } = loop;
  try {
    const analysis = await failureAnalyzer.analyze({
      strategy,
      metrics,
      gate,
      records: run.records,
      iteration,
      maxIterations,
    });
    return { analysis, failedUsage: [] };
  } catch (error) {
    const failedUsage = CostlyFailureError.usageOf(error);
    // Logged first (nothing lost), then the loop stops: see isMisconfiguration.
    if (isMisconfiguration(error)) return { analysis: null, failedUsage, misconfigured: error };
    loop.warn(`failure analyzer "${failureAnalyzer.name}" failed: ${describeCause(error)}`, error);
    return { analysis: null, failedUsage };
  }
}

/**
 * Appends the iteration's record, with the usage and advice carried into it.
 * A failed write ends the loop; what it would have recorded as paid goes
 * into the summary.
 */
export async function logIteration<S extends StrategyLike>(
  loop: LoopState<S>,
  metrics: Record<string, number>,
  gate: GateResult,
  { analysis, failedUsage }: FailureStep,
  log?: string,
): Promise<ExperimentRecord> {
  const usage = [
    ...loop.carriedUsage,
    ...toRecordUsage(analysis?.usage ?? failedUsage, "failure_analysis"),
  ];
  let record: ExperimentRecord;
  try {
    record = await loop.run.log(
      strategyFields(loop.strategy, {
        metrics,
        action_taken: gate.passed ? "SUCCESS" : (analysis?.recommendation ?? "REFINE"),
        failure_classification: analysis?.classification ?? null,
        failure_analysis: analysis ? failureAnalysisField(analysis) : null,
        ...(log !== undefined && log !== "" && { evaluator_log: capLogTail(log) }),
        ...carriedFields(loop),
        ...(usage.length > 0 && { llm_usage: usage }),
      }),
    );
  } catch (error) {
    // Not stored, yet paid: the summary keeps it.
    loop.carriedUsage = usage;
    return fail(loop, "log", error);
  }
  clearCarried(loop);
  return record;
}

function failureAnalysisField(
  analysis: FailureAnalysis,
): NonNullable<LogInput["failure_analysis"]> {
  return {
    ...(analysis.details ?? {}),
    classification: analysis.classification,
    recommendation: analysis.recommendation,
    ...(analysis.root_cause !== undefined && { root_cause: analysis.root_cause }),
  };
}

/**
 * Asks the advisor about the trajectory so far, from the second record on.
 * The advice and what it cost are carried into the next record. A failing
 * advisor is a warning unless it is misconfigured, which ends the loop.
 */
export async function advise<S extends StrategyLike>(
  loop: LoopState<S>,
  record: ExperimentRecord,
  iteration: number,
): Promise<Advice | null> {
  const { run, advisor } = loop;
  if (!advisor || run.records.length < 2) return null;
  try {
    const progress = loopProgress(loop, iteration);
    loop.trajectory = await run.analyze({ loop: progress });
    const advice = await run.advise(loop.trajectory, advisor, { loop: progress });
    loop.carriedUsage = toRecordUsage(advice.usage, "advisor");
    loop.carriedAdvice = adviceToRecord(advice, record.iteration);
    return advice;
  } catch (error) {
    loop.carriedUsage = toRecordUsage(CostlyFailureError.usageOf(error), "advisor");
    if (isMisconfiguration(error)) return fail(loop, "advice", error);
    loop.warn(
      `advisor "${advisor.name}" failed, continuing without advice: ${describeCause(error)}`,
      error,
    );
    return null;
  }
}

/** Where the loop stands against its iteration, cost and time budgets. */
function loopProgress<S extends StrategyLike>(loop: LoopState<S>, iteration: number): LoopProgress {
  const { maxIterations, budget = {} } = loop.options;
  return {
    iteration,
    maxIterations,
    costSpentUsd: loop.run.records.reduce((sum, r) => sum + r.cost, 0),
    costBudgetUsd: budget.costUsd ?? null,
    elapsedSeconds: elapsedSeconds(loop),
    wallTimeBudgetSeconds: budget.wallTimeSeconds ?? null,
  };
}

function elapsedSeconds<S extends StrategyLike>(loop: LoopState<S>): number {
  return (performance.now() - loop.startedAt) / 1000;
}

/**
 * Whether a failed iteration ends the loop: the advisor says ABANDON or
 * PIVOT, the failure analysis gives up, or the budget is spent (the cost
 * counting what is carried to the next record). Null goes on.
 */
export function decide<S extends StrategyLike>(
  loop: LoopState<S>,
  analysis: FailureAnalysis | null,
): ExperimentStatus | null {
  const next = loop.advice?.assessment.next_action;
  if (next === "ABANDON") return "ABANDONED";
  if (next === "PIVOT") return "PIVOT_TO_RESEARCH";
  if (analysis && ["REFINE_RESEARCH", "ABANDON"].includes(analysis.recommendation)) return "FAILED";
  return budgetSpent(loop);
}

/** BUDGET_EXHAUSTED when the cost (with what is carried) or the wall time is spent, else null. */
export function budgetSpent<S extends StrategyLike>(loop: LoopState<S>): ExperimentStatus | null {
  const { budget = {} } = loop.options;
  const spent = loop.run.records.reduce((sum, r) => sum + r.cost, 0) + usageCost(loop.carriedUsage);
  if (budget.costUsd !== undefined && spent >= budget.costUsd) return "BUDGET_EXHAUSTED";
  if (budget.wallTimeSeconds !== undefined && elapsedSeconds(loop) >= budget.wallTimeSeconds) {
    return "BUDGET_EXHAUSTED";
  }
  return null;
}

/**
 * Asks `refine` for the next strategy; a throwing `refine` ends the loop.
 * What a `refineWithin` proposal paid and who proposed it are carried into
 * the next record.
 */
export async function refineStrategy<S extends StrategyLike>(
  loop: LoopState<S>,
  context: RefineContext<S>,
): Promise<S> {
  let next: S;
  try {
    next = await loop.options.refine(context);
  } catch (error) {
    // What a failing refiner paid is kept: the summary's trailing usage holds it.
    const paid = toRecordUsage(CostlyFailureError.usageOf(error), "refiner");
    loop.carriedUsage = [...loop.carriedUsage, ...paid];
    return fail(loop, "refine", error);
  }
  const refinement = refinementOf(next);
  if (refinement) {
    loop.carriedUsage = [...loop.carriedUsage, ...toRecordUsage(refinement.usage, "refiner")];
    loop.carriedRefiner = {
      source: refinement.source,
      ...(refinement.fallback !== undefined && { fallback: refinement.fallback }),
      ...(refinement.model !== undefined && { model: refinement.model }),
      ...(refinement.promptVersion !== undefined && {
        prompt_version: refinement.promptVersion,
      }),
    };
  }
  return next;
}

/** Calls `onIteration`; a throwing hook is a warning. */
export async function notify<S extends StrategyLike>(
  loop: LoopState<S>,
  record: ExperimentRecord,
  advice: Advice | null,
): Promise<void> {
  const { onIteration } = loop.options;
  if (!onIteration) return;
  try {
    await onIteration(record, advice);
  } catch (error) {
    loop.warn(`onIteration failed: ${describeCause(error)}`, error);
  }
}

/** The record fields that describe the strategy, with the rest of the record. */
export function strategyFields(
  strategy: StrategyLike,
  rest: Partial<LogInput> & { metrics: Record<string, number> },
): LogInput {
  return {
    strategy_name: strategy.name,
    strategy_code: strategy.code ?? "",
    strategy_description: strategy.description ?? "",
    parameters: strategy.parameters as Record<string, JsonValue>,
    ...rest,
  };
}
