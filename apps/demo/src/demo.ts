/**
 * The demo: a gate loop that tunes a momentum strategy on a seeded simulated
 * market, logs every iteration, lets an advisor decide whether to go on, and
 * ends with a summary and an HTML report. `createDemoTracker` and the
 * `runGateLoop` call in `runDemo` are the parts to copy.
 */
import { readFile } from "node:fs/promises";
import { defaultAnalyzers, ruleAdvisor } from "@converge/analyzers";
import { createStyle, type StoreLocation, useColor } from "@converge/cli";
import {
  type Advice,
  createTracker,
  type ExperimentMeta,
  type ExperimentRecord,
  type ExperimentTrajectory,
  type FailureAnalyzer,
  type GateLoopOptions,
  type GateLoopResult,
  type GateSpecInput,
  type MetricSpecInput,
  runGateLoop,
  type Tracker,
} from "@converge/core";
import { anthropic, llmAdvisor, llmFailureAnalyzer, openai } from "@converge/llm-adapters";
import { writeHtmlReport } from "@converge/reporters";
import { jsonlStore } from "@converge/storage-jsonl";
import { type MlflowStore, mlflowStore } from "@converge/storage-mlflow";
import { backtest } from "./backtest.js";
import { type Market, simulateMarket } from "./market.js";
import { type OutputStream, startProgress } from "./progress.js";
import {
  type AdvisorChoice,
  experimentIdFor,
  reportPathFor,
  resolveAdvisor,
  resolveStore,
} from "./setup.js";
import { INITIAL_PARAMETERS, type MomentumStrategy, momentumStrategy } from "./strategy.js";
import { formatHeader, formatSummary } from "./summary.js";
import { createTuner } from "./tuner.js";

/** The quality gate the strategy must pass. */
export const DEMO_GATE: GateSpecInput = {
  criteria: [
    { metric: "sharpe_ratio", op: ">=", threshold: 1.0 },
    { metric: "max_drawdown", op: "<=", threshold: 0.2 },
    { metric: "win_rate", op: ">=", threshold: 0.5 },
  ],
};

/** Which way is better for each metric. */
export const DEMO_METRICS: Record<string, MetricSpecInput> = {
  sharpe_ratio: "maximize",
  max_drawdown: "minimize",
  win_rate: "maximize",
  total_return: "maximize",
};

export const DEMO_DIRECTIVE =
  "Tune a long-only momentum strategy (RSI filter, stop loss) to Sharpe >= 1.0, max drawdown <= 20% and win rate >= 50% on three years of daily prices.";

/** A seed whose market the tuner gets through the gate (see the README for others). */
export const DEFAULT_SEED = 43;
export const DEFAULT_MAX_ITERATIONS = 15;
/** The most the LLM calls of one run may cost (USD); the rule advisor costs nothing. */
export const DEMO_BUDGET_USD = 1;

export interface DemoOptions {
  seed?: number;
  /** Store URI: `jsonl:DIR`, a directory, `mlflow+http(s)://HOST:PORT`. Default: see `resolveStore`. */
  store?: string;
  maxIterations?: number;
  /** Default: an LLM when OPENAI_API_KEY or ANTHROPIC_API_KEY is set, else "rule". */
  advisor?: AdvisorChoice;
  /** The LLM's model id (default gpt-4.1 / claude-sonnet-5-5). */
  model?: string;
  /** Where to write the HTML report. */
  report?: string;
  /** Print only the summary. */
  quiet?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: OutputStream;
  stderr?: OutputStream;
  /** Clock for the experiment id. */
  now?: () => Date;
  experimentId?: string;
}

export interface DemoResult {
  loop: GateLoopResult<MomentumStrategy>;
  experimentId: string;
  location: StoreLocation;
  reportPath: string;
  trajectory: ExperimentTrajectory;
  market: Market;
  advisor: AdvisorChoice;
}

/** Which store, advisor and model a run uses. */
export interface DemoTrackerChoice {
  location: StoreLocation;
  advisor: AdvisorChoice;
  model: string | null;
}

/** A tracker composed from plugins: this is what to copy into your own loop. */
export function createDemoTracker(choice: DemoTrackerChoice): {
  tracker: Tracker;
  failureAnalyzer: FailureAnalyzer | undefined;
} {
  const { location, advisor, model: modelId } = choice;
  // Where records go: JSONL files (the default), or an existing MLflow server.
  const store =
    location.kind === "mlflow"
      ? mlflowStore({ trackingUri: location.trackingUri, experimentName: location.experimentName })
      : jsonlStore({ dir: location.dir });
  // Who reads the trajectory: an LLM (keys from the environment) or the offline rule advisor.
  const model =
    advisor === "openai" && modelId
      ? openai({ model: modelId })
      : advisor === "anthropic" && modelId
        ? anthropic({ model: modelId })
        : null;
  const tracker = createTracker({
    store,
    analyzers: defaultAnalyzers(), // trends, convergence, parameter impact, Deflated Sharpe Ratio
    advisor: model ? llmAdvisor({ model, fallback: ruleAdvisor() }) : ruleAdvisor(),
  });
  return { tracker, failureAnalyzer: model ? llmFailureAnalyzer({ model }) : undefined };
}

/**
 * The demo's gate loop on one seed, ready for `runGateLoop`: the seeded
 * market, the backtest, the tuner (the refine step), the gate, the metric
 * directions, the directive and the budget. Add the callbacks (and an advisor
 * or a failure analyzer) and run it.
 */
export function demoLoop(
  seed: number,
  run: { tracker: Tracker; experimentId: string; maxIterations: number },
): {
  options: GateLoopOptions<MomentumStrategy>;
  market: Market;
  tuner: ReturnType<typeof createTuner>;
} {
  const market = simulateMarket({ seed }); // three years of seeded daily prices
  const tuner = createTuner({ seed, gate: DEMO_GATE }); // the offline refine step
  return {
    market,
    tuner,
    options: {
      ...run,
      gate: DEMO_GATE,
      metrics: DEMO_METRICS,
      directive: DEMO_DIRECTIVE,
      strategy: momentumStrategy({ ...INITIAL_PARAMETERS }),
      backtest: (strategy) => backtest(market.prices, strategy.parameters).metrics,
      refine: tuner.refine, // follows the advice's parameter_recommendations when there is advice
      budget: { costUsd: DEMO_BUDGET_USD },
    },
  };
}

/** Runs the demo end to end and prints as it goes. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const seed = options.seed ?? DEFAULT_SEED;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const location = resolveStore(options.store, env, cwd);
  const { advisor, model } = resolveAdvisor(options.advisor, options.model, env);
  const experimentId = options.experimentId ?? experimentIdFor(seed, (options.now ?? nowDate)());
  const style = createStyle(useColor(env, stdout));
  const say = (line = "") => stdout.write(`${line}\n`);
  const warn = (message: string) => stderr.write(`warning: ${message}\n`);

  const { tracker, failureAnalyzer } = createDemoTracker({ location, advisor, model });
  const {
    options: loopOptions,
    market,
    tuner,
  } = demoLoop(seed, {
    tracker,
    experimentId,
    maxIterations,
  });
  if (!options.quiet) {
    for (const line of formatHeader({ seed, market, location, advisor, model, maxIterations })) {
      say(line);
    }
  }
  const progress = startProgress(stdout, { maxIterations, style, quiet: options.quiet === true });
  try {
    const loop = await runGateLoop<MomentumStrategy>({
      ...loopOptions,
      ...(failureAnalyzer && { failureAnalyzer }),
      onIteration: (record, advice) =>
        progress.iteration(record, advice, record.iteration > 1 ? tuner.last : null),
      onWarning: warn,
    });
    progress.stop();

    // The report reads back what the store holds, as `converge report` would.
    const run = await tracker.resume(experimentId);
    const trajectory = await run.analyze();
    const advice = await finalAdvice(loop, run.records, trajectory, run.meta);
    const reportPath = reportPathFor(options.report, location, experimentId, cwd);
    await writeHtmlReport({ meta: run.meta, records: run.records, trajectory, advice }, reportPath);
    if (location.kind === "mlflow") {
      // Also beside the runs on the server, as an artifact of the experiment's parent run.
      const store = tracker.store as MlflowStore;
      await store
        .logArtifact(experimentId, "report.html", await readFile(reportPath))
        .catch((error: unknown) =>
          warn(`the report was not uploaded to MLflow: ${message(error)}`),
        );
    }
    const result = { loop, experimentId, location, reportPath, trajectory, market, advisor };
    for (const line of formatSummary(result, { style, maxIterations, model })) say(line);
    return result;
  } finally {
    progress.stop();
    await tracker.store.close();
  }
}

const nowDate = () => new Date();
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The assessment shown in the report: the advice that ended the loop (PIVOT,
 * ABANDON), else the rule advisor's reading of the final trajectory (free and
 * offline; after SUCCESS the loop asks no advisor).
 */
async function finalAdvice(
  loop: GateLoopResult<MomentumStrategy>,
  records: readonly ExperimentRecord[],
  trajectory: ExperimentTrajectory,
  meta: ExperimentMeta,
): Promise<Advice> {
  if (loop.advice && loop.summary.status !== "SUCCESS") return loop.advice;
  return ruleAdvisor().advise({ records, trajectory, meta });
}
