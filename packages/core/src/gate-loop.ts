import type {
  Advice,
  Advisor,
  FailureAnalysis,
  FailureAnalyzer,
  LlmCallUsage,
  LoopProgress,
  StrategyLike,
} from "./contracts.js";
import {
  ConfigurationError,
  CostlyFailureError,
  describeCause,
  GateLoopError,
  type GateLoopStage,
} from "./errors.js";
import { evaluateGate, type GateResult, type GateSpecInput, parseGate } from "./gate.js";
import type { JsonValue } from "./json.js";
import type { MetricSpecInput } from "./metric-spec.js";
import type { ExperimentRecord, LlmUsage, RecordedAdvice } from "./record.js";
import { resolvePlugin } from "./resolve-plugin.js";
import type { ExperimentStatus, ExperimentSummary } from "./summary.js";
import type { LogInput, Run, Tracker } from "./tracker.js";

/** What `refine` is given to produce the next strategy. */
export interface RefineContext<S extends StrategyLike> {
  strategy: S;
  metrics: Readonly<Record<string, number>>;
  gate: GateResult;
  analysis: FailureAnalysis | null;
  advice: Advice | null;
  records: readonly ExperimentRecord[];
  iteration: number;
}

export interface GateLoopBudget {
  /** Stop once the iterations' total cost (USD) reaches this. */
  costUsd?: number;
  /** Stop once this many seconds have passed since the loop started. */
  wallTimeSeconds?: number;
}

export interface GateLoopOptions<S extends StrategyLike> {
  tracker: Tracker;
  gate: GateSpecInput;
  strategy: S;
  /** Evaluates a strategy: a backtest, an eval suite. Returns its metrics. */
  backtest: (strategy: S) => Record<string, number> | Promise<Record<string, number>>;
  /** Produces the next strategy from the failed one. */
  refine: (context: RefineContext<S>) => S | Promise<S>;
  failureAnalyzer?: FailureAnalyzer;
  /** Default: the tracker's advisor. Asked from the second iteration on. */
  advisor?: Advisor;
  maxIterations: number;
  budget?: GateLoopBudget;
  directive?: string;
  experimentId?: string;
  metrics?: Record<string, MetricSpecInput>;
  /** Called after each logged iteration (e.g. to print progress). Errors are reported, not fatal. */
  onIteration?: (record: ExperimentRecord, advice: Advice | null) => void | Promise<void>;
  /** Problems that did not stop the loop (a failing advisor or failure analyzer). */
  onWarning?: (message: string, cause: unknown) => void;
}

export interface GateLoopResult<S extends StrategyLike> {
  passed: boolean;
  /** The last strategy evaluated. */
  strategy: S;
  summary: ExperimentSummary;
  experimentId: string;
  /** The last advice, if the advisor was asked. */
  advice: Advice | null;
}

function toRecordUsage(usage: readonly LlmCallUsage[] | undefined, purpose: string): LlmUsage[] {
  return (usage ?? []).map((u) => ({
    provider: u.provider,
    model: u.model,
    input_tokens: u.inputTokens,
    output_tokens: u.outputTokens,
    cost_usd: u.costUsd,
    purpose: u.purpose ?? purpose,
  }));
}

/**
 * LLM calls a failing plugin made are paid all the same. A plugin reports
 * them by throwing a `CostlyFailureError` (or a subclass) carrying them.
 */
function usageOf(error: unknown): LlmCallUsage[] {
  return CostlyFailureError.usageOf(error);
}

/**
 * A plugin that cannot work as configured (no API key, …) would fail the same
 * way every iteration: the loop stops instead of running on without it.
 */
function isMisconfiguration(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    if (ConfigurationError.isInstance(e)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function toRecordedAdvice(advice: Advice, afterIteration: number): RecordedAdvice {
  return {
    after_iteration: afterIteration,
    source: advice.source,
    model: advice.model ?? null,
    prompt_version: advice.promptVersion ?? null,
    fallback: advice.fallback
      ? { from: advice.fallback.from, reason: advice.fallback.reason }
      : null,
    assessment: advice.assessment,
  };
}

/**
 * The seed's quality-gate loop: evaluate, score, analyse the failure, log,
 * ask the advisor, refine. Stops when the gate passes (SUCCESS), after
 * `maxIterations` (MAX_ITERATIONS), when the budget is spent
 * (BUDGET_EXHAUSTED), when the advisor says PIVOT (PIVOT_TO_RESEARCH) or
 * ABANDON (ABANDONED), or when the failure analysis recommends REFINE_RESEARCH
 * or ABANDON (FAILED). Each iteration is logged before anything that may fail
 * after it; a failing advisor or failure analyzer is reported through
 * `onWarning` and the loop goes on; a failing backtest or refine stops it with
 * a `GateLoopError` after writing the summary.
 */
export async function runGateLoop<S extends StrategyLike>(
  options: GateLoopOptions<S>,
): Promise<GateLoopResult<S>> {
  const { tracker, backtest, refine, failureAnalyzer, maxIterations, budget = {} } = options;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new GateLoopError({
      stage: "configuration",
      experimentId: options.experimentId ?? "(not started)",
      summary: null,
      cause: "maxIterations must be a whole number >= 1",
    });
  }
  const gate = parseGate(options.gate);
  const advisor = options.advisor ?? tracker.advisor;
  resolvePlugin("advisor", advisor);
  resolvePlugin("failure analyzer", failureAnalyzer);
  const warn = options.onWarning ?? ((message: string) => console.warn(`converge: ${message}`));
  const run: Run = await tracker.start({
    gate,
    ...(options.directive !== undefined && { directive: options.directive }),
    ...(options.experimentId !== undefined && { experimentId: options.experimentId }),
    ...(options.metrics !== undefined && { metrics: options.metrics }),
    maxIterations,
  });
  const startedAt = performance.now();
  let strategy = options.strategy;
  let advice: Advice | null = null;
  // LLM usage of the advisor is paid after an iteration is logged: it goes into the next record.
  let carriedUsage: LlmUsage[] = [];
  // So is the advice itself: the next record is the one it produced.
  let carriedAdvice: RecordedAdvice | null = null;

  const finish = async (status: ExperimentStatus): Promise<ExperimentSummary> => {
    const trailing = carriedUsage.reduce((sum, u) => sum + (u.cost_usd ?? 0), 0);
    const summary = run.summary(status);
    const extra: Partial<ExperimentSummary> = {};
    if (carriedAdvice) extra.advice = carriedAdvice;
    if (carriedUsage.length > 0) {
      extra.total_cost = summary.total_cost + trailing;
      (extra as Record<string, unknown>).trailing_llm_usage = carriedUsage;
    }
    return run.finish(status, extra);
  };
  const fail = async (stage: GateLoopStage, cause: unknown): Promise<never> => {
    let summary: ExperimentSummary | null = null;
    try {
      summary = await finish("FAILED");
    } catch (metaError) {
      warn(`could not write the FAILED status: ${describeCause(metaError)}`, metaError);
    }
    throw new GateLoopError({ stage, experimentId: run.experimentId, summary, cause });
  };
  const done = async (status: ExperimentStatus, passed: boolean): Promise<GateLoopResult<S>> => ({
    passed,
    strategy,
    summary: await finish(status),
    experimentId: run.experimentId,
    advice,
  });

  for (let i = 1; i <= maxIterations; i++) {
    let metrics: Record<string, number>;
    try {
      metrics = await run.time(() => backtest(strategy));
    } catch (error) {
      await logSafely(
        run,
        strategyFields(strategy, {
          metrics: {},
          action_taken: "ERROR",
          failure_classification: "EVALUATION_ERROR",
          failure_analysis: { stage: "backtest", error: describeCause(error) },
          llm_usage: carriedUsage,
          ...(carriedAdvice && { advice: carriedAdvice }),
        }),
        warn,
      );
      carriedUsage = [];
      carriedAdvice = null;
      return fail("backtest", error);
    }
    const result = evaluateGate(metrics, gate);
    let analysis: FailureAnalysis | null = null;
    let failedUsage: LlmCallUsage[] = [];
    let misconfigured: unknown;
    if (!result.passed && failureAnalyzer) {
      try {
        analysis = await failureAnalyzer.analyze({
          strategy,
          metrics,
          gate: result,
          records: run.records,
          iteration: i,
          maxIterations,
        });
      } catch (error) {
        failedUsage = usageOf(error);
        // Logged first (nothing lost), then the loop stops: see isMisconfiguration.
        if (isMisconfiguration(error)) misconfigured = error;
        else
          warn(`failure analyzer "${failureAnalyzer.name}" failed: ${describeCause(error)}`, error);
      }
    }
    const usage = [
      ...carriedUsage,
      ...toRecordUsage(analysis?.usage ?? failedUsage, "failure_analysis"),
    ];
    let record: ExperimentRecord;
    try {
      record = await run.log(
        strategyFields(strategy, {
          metrics,
          action_taken: result.passed ? "SUCCESS" : (analysis?.recommendation ?? "REFINE"),
          failure_classification: analysis?.classification ?? null,
          failure_analysis: analysis
            ? {
                ...(analysis.details ?? {}),
                classification: analysis.classification,
                recommendation: analysis.recommendation,
                ...(analysis.root_cause !== undefined && { root_cause: analysis.root_cause }),
              }
            : null,
          ...(usage.length > 0 && { llm_usage: usage }),
          ...(carriedAdvice && { advice: carriedAdvice }),
        }),
      );
    } catch (error) {
      // Not stored, yet paid: the summary keeps it.
      carriedUsage = usage;
      return fail("log", error);
    }
    carriedUsage = [];
    carriedAdvice = null;
    if (misconfigured !== undefined) return fail("failure analysis", misconfigured);

    if (result.passed) {
      await notify(options, record, null, warn);
      return done("SUCCESS", true);
    }
    advice = null;
    if (advisor && run.records.length >= 2) {
      try {
        const loop: LoopProgress = {
          iteration: i,
          maxIterations,
          costSpentUsd: run.records.reduce((sum, r) => sum + r.cost, 0),
          costBudgetUsd: budget.costUsd ?? null,
          elapsedSeconds: (performance.now() - startedAt) / 1000,
          wallTimeBudgetSeconds: budget.wallTimeSeconds ?? null,
        };
        advice = await run.advise(await run.analyze({ loop }), advisor, { loop });
        carriedUsage = toRecordUsage(advice.usage, "advisor");
        carriedAdvice = toRecordedAdvice(advice, record.iteration);
      } catch (error) {
        carriedUsage = toRecordUsage(usageOf(error), "advisor");
        if (isMisconfiguration(error)) return fail("advice", error);
        warn(
          `advisor "${advisor.name}" failed, continuing without advice: ${describeCause(error)}`,
          error,
        );
      }
    }
    await notify(options, record, advice, warn);
    if (advice?.assessment.next_action === "ABANDON") return done("ABANDONED", false);
    if (advice?.assessment.next_action === "PIVOT") return done("PIVOT_TO_RESEARCH", false);
    if (analysis && ["REFINE_RESEARCH", "ABANDON"].includes(analysis.recommendation))
      return done("FAILED", false);

    const spent =
      run.records.reduce((sum, r) => sum + r.cost, 0) +
      carriedUsage.reduce((s, u) => s + (u.cost_usd ?? 0), 0);
    if (budget.costUsd !== undefined && spent >= budget.costUsd)
      return done("BUDGET_EXHAUSTED", false);
    if (
      budget.wallTimeSeconds !== undefined &&
      (performance.now() - startedAt) / 1000 >= budget.wallTimeSeconds
    ) {
      return done("BUDGET_EXHAUSTED", false);
    }
    if (i === maxIterations) break;
    try {
      strategy = await refine({
        strategy,
        metrics,
        gate: result,
        analysis,
        advice,
        records: run.records,
        iteration: i,
      });
    } catch (error) {
      return fail("refine", error);
    }
  }
  return done("MAX_ITERATIONS", false);
}

function strategyFields(
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

async function logSafely(
  run: Run,
  input: LogInput,
  warn: (m: string, c: unknown) => void,
): Promise<void> {
  try {
    await run.log(input);
  } catch (error) {
    warn(`could not log the failed iteration: ${describeCause(error)}`, error);
  }
}

async function notify<S extends StrategyLike>(
  options: GateLoopOptions<S>,
  record: ExperimentRecord,
  advice: Advice | null,
  warn: (m: string, c: unknown) => void,
): Promise<void> {
  if (!options.onIteration) return;
  try {
    await options.onIteration(record, advice);
  } catch (error) {
    warn(`onIteration failed: ${describeCause(error)}`, error);
  }
}
