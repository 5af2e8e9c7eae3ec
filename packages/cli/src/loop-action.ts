/**
 * `converge loop <loop.json|loop.yaml>`: runs a gate loop around the user's
 * own evaluator (a command that reads the strategy as JSON on stdin and
 * prints its metrics as JSON), with the configured refiner, advisor and
 * store; prints the live lines and the summary, writes the HTML report.
 * Exit 0 on SUCCESS, 1 otherwise, 2 for a bad loop file, 130 on Ctrl-C.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Advice,
  type Advisor,
  commandEvaluator,
  commandRefiner,
  createTracker,
  GateLoopError,
  type GateLoopResult,
  type RefinableStrategy,
  type Refiner,
  refineWithin,
  ruleRefiner,
  runGateLoop,
  type Store,
  type Tracker,
  terminalSafe,
} from "@converge/core";
import { jsonlStore } from "@converge/storage-jsonl";
import type { MlflowStore } from "@converge/storage-mlflow";
import { chooseAdvisor, KEY_ENVS, loadLlmAdapters, providerChoice } from "./advise-provider.js";
import { loadAnalyzers } from "./analyze-action.js";
import type { CommandContext } from "./context.js";
import { ExitStatus } from "./exit-status.js";
import { INTERRUPTED_EXIT, type LoopOptions } from "./loop-command.js";
import { type LoopFile, loadLoopFile } from "./loop-file.js";
import { gateColumns, startLoopProgress } from "./loop-progress.js";
import { formatLoopSummary, metricsText, summaryRow } from "./loop-summary.js";
import { openMlflowStore } from "./store-open-mlflow.js";
import { parseStoreUri, redactSecrets, type StoreLocation, storeUriSource } from "./store-uri.js";
import { UsageError } from "./usage-error.js";

/** Where the loop's records go: the file's `store` (relative to the file), else the CLI's default. */
function loopStore(file: LoopFile, ctx: CommandContext): StoreLocation {
  const env = ctx.io.env;
  const mlflowExperiment = env.MLFLOW_EXPERIMENT_NAME || "converge";
  if (file.store !== undefined) {
    return parseStoreUri(file.store, file.dir, {
      mlflowExperiment,
      origin: `the loop file's "store"`,
    });
  }
  const { uri, origin } = storeUriSource(undefined, env);
  return parseStoreUri(uri, ctx.io.cwd, { mlflowExperiment, origin });
}

function openLoopStore(location: StoreLocation, ctx: CommandContext): Store {
  if (location.kind === "jsonl") return jsonlStore({ dir: location.dir, onNotice: ctx.notice });
  return openMlflowStore(location, { env: ctx.io.env, onNotice: ctx.notice });
}

/** A usage error naming the loop-file field and the key variable when an LLM's key is not set. */
function requireKey(field: string, provider: "openai" | "anthropic", env: NodeJS.ProcessEnv): void {
  const name = KEY_ENVS[provider];
  if (env[name]?.trim()) return;
  throw new UsageError(
    `The loop file's ${field} uses ${provider}, and ${name} is not set. Run \`export ${name}=...\` first (keys are read from the environment only; a local server that needs no key takes any value, e.g. ${name}=local), or use { "kind": "rule" }.`,
  );
}

/** The advisor and (for an LLM refiner) the refiner the file asks for; keys from the environment. */
async function plugins(
  file: LoopFile,
  ctx: CommandContext,
  warn: (message: string) => void,
): Promise<{ advisor: Advisor; refiner: Refiner }> {
  const env = ctx.io.env;
  const { ruleAdvisor } = await loadAnalyzers();
  const rule = ruleAdvisor({ maxIterations: file.maxIterations });
  const a = file.advisor;
  if (a.kind !== "rule") requireKey("advisor", a.kind, env);
  if (file.refiner.kind === "llm") requireKey("refiner", file.refiner.provider, env);
  const advisorChoice = providerChoice(
    { provider: a.kind, ...(a.kind !== "rule" && a.model !== undefined && { model: a.model }) },
    env,
  );
  const advisor = await chooseAdvisor(advisorChoice, rule, warn);
  const r = file.refiner;
  let refiner: Refiner;
  if (r.kind === "rule") refiner = ruleRefiner();
  else if (r.kind === "command") {
    refiner = commandRefiner({ command: r.command, cwd: file.dir, ...passEnvOf(file) });
  } else {
    const choice = providerChoice(
      { provider: r.provider, ...(r.model !== undefined && { model: r.model }) },
      env,
    );
    if (choice.provider === "rule") throw new Error("unreachable: an LLM refiner has a provider");
    const { anthropic, llmRefiner, openai } = await loadLlmAdapters();
    const common = {
      model: choice.model,
      apiKey: choice.apiKey,
      ...(choice.baseURL !== undefined && { baseURL: choice.baseURL }),
      onWarning: warn,
    };
    const model = choice.provider === "openai" ? openai(common) : anthropic(common);
    refiner = llmRefiner({ model, fallback: ruleRefiner(), allowCode: r.allowCode === true });
  }
  return { advisor, refiner };
}

const passEnvOf = (file: LoopFile) =>
  file.evaluator.passEnv === undefined ? {} : { passEnv: file.evaluator.passEnv };

/** The lines printed before the loop starts. */
function header(file: LoopFile, location: StoreLocation, refiner: Refiner, advisor: Advisor) {
  const gate = file.gate.criteria
    .map((c) => `${c.metric} ${c.op} ${JSON.stringify(c.threshold)}`)
    .join(", ");
  const timeout = file.evaluator.timeoutSeconds ?? 600;
  return [
    `Converge loop ${file.path}: ${file.strategy.name} until it passes the gate`,
    summaryRow("evaluator", `${file.evaluator.command.join(" ")} (timeout ${timeout} s)`),
    summaryRow("gate", `${gate} (at most ${file.maxIterations} iterations)`),
    summaryRow("refiner", refiner.name),
    summaryRow("advisor", advisor.name),
    summaryRow("store", location.display),
    "",
  ].map((line) => terminalSafe(line));
}

/** `loop_20260201_101500_123`: the UTC time, to the millisecond. */
function defaultExperimentId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace("T", "_")
    .replace(/\.(\d{3})Z$/, "_$1");
  return `loop_${stamp}`;
}

/** Ctrl-C: the first stops after the current iteration is logged, the second exits at once. */
function interruptHandling(ctx: CommandContext) {
  const abort = new AbortController();
  let requested = false;
  const onSigint = () => {
    if (!requested) {
      requested = true;
      ctx.err("\nStopping after the current iteration is logged (Ctrl-C again to stop at once).");
      return;
    }
    abort.abort(); // kills the running evaluation's process group
    ctx.err("Stopped at once; the iterations logged so far are kept.");
    process.exit(INTERRUPTED_EXIT);
  };
  process.on("SIGINT", onSigint);
  return {
    signal: abort.signal,
    get requested() {
      return requested;
    },
    dispose: () => process.off("SIGINT", onSigint),
  };
}

/** Thrown by the refine step once Ctrl-C was pressed: ends the loop after the logged iteration. */
class Interrupted extends Error {
  constructor() {
    super("interrupted (Ctrl-C)");
    this.name = "Interrupted";
  }
}

export async function runLoop(
  arg: string,
  options: LoopOptions,
  ctx: CommandContext,
): Promise<void> {
  const file = await loadLoopFile(arg, ctx.io.cwd);
  const env = ctx.io.env;
  const warn = (message: string) =>
    ctx.err(`${ctx.style.yellow("warning:")} ${terminalSafe(redactSecrets(message, env))}`);
  const location = loopStore(file, ctx);
  const { advisor, refiner } = await plugins(file, ctx, warn);
  const experimentId = options.experimentId ?? file.experimentId ?? defaultExperimentId(new Date());
  const { defaultAnalyzers } = await loadAnalyzers();
  const store = openLoopStore(location, ctx);
  const tracker = createTracker({ store, analyzers: defaultAnalyzers(), advisor });
  const interrupt = interruptHandling(ctx);
  try {
    if ((await store.readMeta(experimentId)) !== null) {
      throw new UsageError(
        `Experiment "${experimentId}" already exists in ${location.display}. Give the loop another id (--experiment-id, or the file's experimentId), or leave both out for a fresh loop_<UTC time> id.`,
      );
    }
    if (!options.quiet) for (const line of header(file, location, refiner, advisor)) ctx.out(line);
    const outcome = await loop(file, {
      tracker,
      experimentId,
      refiner,
      warn,
      interrupt,
      ctx,
      quiet: options.quiet === true,
    });
    await finishLoop(file, { tracker, experimentId, location, outcome, ctx, warn });
    if (outcome.interrupted) throw new ExitStatus(INTERRUPTED_EXIT);
    if (outcome.result.summary.status !== "SUCCESS") throw new ExitStatus(1);
  } finally {
    interrupt.dispose();
    await store.close();
  }
}

interface LoopOutcome {
  result: GateLoopResult<RefinableStrategy>;
  interrupted: boolean;
  /** Why the loop stopped when it was an error (an evaluation that failed). */
  why?: string;
}

async function loop(
  file: LoopFile,
  run: {
    tracker: Tracker;
    experimentId: string;
    refiner: Refiner;
    warn: (message: string) => void;
    interrupt: ReturnType<typeof interruptHandling>;
    ctx: CommandContext;
    quiet: boolean;
  },
): Promise<LoopOutcome> {
  const { tracker, experimentId, interrupt, ctx } = run;
  const strategy: RefinableStrategy = {
    name: file.strategy.name,
    parameters: { ...file.strategy.parameters },
    ...(file.code !== undefined && { code: file.code }),
  };
  const refine = refineWithin(run.refiner, {
    space: file.parameters,
    allowRepeats: file.allowRepeats,
    fallback: ruleRefiner(),
    onWarning: run.warn,
  });
  const progress = startLoopProgress(ctx.io.stdout, {
    maxIterations: file.maxIterations,
    style: ctx.style,
    columns: gateColumns(file.gate.criteria),
    quiet: run.quiet,
  });
  try {
    const result = await runGateLoop<RefinableStrategy>({
      tracker,
      experimentId,
      gate: file.gate,
      ...(file.metrics !== undefined && { metrics: file.metrics }),
      ...(file.directive !== undefined && { directive: file.directive }),
      strategy,
      maxIterations: file.maxIterations,
      ...(file.budget !== undefined && { budget: file.budget }),
      backtest: commandEvaluator({
        command: file.evaluator.command,
        cwd: file.dir,
        ...(file.evaluator.timeoutSeconds !== undefined && {
          timeoutMs: Math.round(file.evaluator.timeoutSeconds * 1000),
        }),
        ...passEnvOf(file),
      }),
      onEvaluationError: file.onEvaluationError,
      signal: interrupt.signal,
      refine: async (context) => {
        if (interrupt.requested) throw new Interrupted();
        const next = await refine(context);
        // Pressed while the refiner worked: stop before evaluating its proposal.
        if (interrupt.requested) throw new Interrupted();
        return next;
      },
      onIteration: (record, advice) => progress.iteration(record, advice),
      onWarning: run.warn,
    });
    return { result, interrupted: false };
  } catch (error) {
    if (!GateLoopError.isInstance(error) || error.summary === null) throw error;
    const interrupted = error.cause instanceof Interrupted;
    const result = {
      passed: false,
      strategy,
      summary: error.summary,
      experimentId,
      advice: null,
    };
    return {
      result,
      interrupted,
      ...(!interrupted && { why: firstLine(describe(error.cause)) }),
    };
  } finally {
    progress.stop();
  }
}

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));
const firstLine = (text: string) => {
  const line = text.split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
};

/** Reads back what the store holds, writes the report and prints the summary. */
async function finishLoop(
  file: LoopFile,
  done: {
    tracker: Tracker;
    experimentId: string;
    location: StoreLocation;
    outcome: LoopOutcome;
    ctx: CommandContext;
    warn: (message: string) => void;
  },
): Promise<void> {
  const { tracker, experimentId, location, outcome, ctx, warn } = done;
  const run = await tracker.resume(experimentId);
  const trajectory = await run.analyze();
  const { ruleAdvisor } = await loadAnalyzers();
  // The advice that ended the loop, else the rule advisor's reading of the end (free, offline).
  const advice: Advice =
    outcome.result.advice && outcome.result.summary.status !== "SUCCESS"
      ? outcome.result.advice
      : await ruleAdvisor().advise({ records: run.records, trajectory, meta: run.meta });
  const dir = location.kind === "jsonl" ? location.dir : ctx.io.cwd;
  const reportPath = file.reportPath ?? join(dir, `${experimentId}.html`);
  const { writeHtmlReport } = await import("@converge/reporters");
  await writeHtmlReport({ meta: run.meta, records: run.records, trajectory, advice }, reportPath);
  if (location.kind === "mlflow") {
    await (tracker.store as MlflowStore)
      .logArtifact(experimentId, "report.html", await readFile(reportPath))
      .catch((error: unknown) => warn(`the report was not uploaded to MLflow: ${describe(error)}`));
  }
  const n = outcome.result.summary.total_iterations;
  const lines = formatLoopSummary(
    { loop: outcome.result, experimentId, location, reportPath, trajectory },
    {
      style: ctx.style,
      maxIterations: file.maxIterations,
      command: "converge",
      bestMetrics: metricsText,
      ...(outcome.interrupted && { statusNote: `interrupted (Ctrl-C) after iteration ${n}` }),
      ...(outcome.why !== undefined && { why: terminalSafe(outcome.why) }),
    },
  );
  for (const line of lines) ctx.out(line);
}
