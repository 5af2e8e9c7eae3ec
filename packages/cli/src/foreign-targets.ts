/**
 * `--runs` and `--history <run>`: analyze, advise and report on an MLflow
 * experiment of ordinary runs (not written by Converge), read through
 * @converge/storage-mlflow's `readMlflowExperiment`. The arguments are then
 * MLflow experiment names; the objective (`--gate`, `--metric`,
 * `--maximize`, `--minimize`) comes from the command line, as MLflow has none.
 */
import { ConvergeError, type GateSpec, metricGoal, terminalSafe } from "@converge/core";
import {
  type ForeignMode,
  ForeignRunsError,
  type MlflowExperimentRecords,
  readMlflowExperiment,
} from "@converge/storage-mlflow";
import { createMlflowClient, type MlflowClient } from "@converge/storage-mlflow/client";
import type { AnalysisTarget, LoadOptions, PreparedExperiment } from "./analyze-command-load.js";
import type { CommandContext } from "./context.js";
import type { ForeignOptions, ForeignTarget } from "./foreign-options.js";
import { metricSpecs } from "./objective.js";
import {
  mlflowCredentials,
  parseStoreUri,
  type StoreLocation,
  type StoreOptions,
  storeUriSource,
} from "./store-uri.js";
import { createStyle, useColor } from "./style.js";
import { UsageError } from "./usage-error.js";

/** An MLflow store location. */
export type MlflowLocation = Extract<StoreLocation, { kind: "mlflow" }>;

export type { ForeignOptions, ForeignTarget } from "./foreign-options.js";
export { foreignMode, foreignOptions } from "./foreign-options.js";

/** Quotes a word for a shell command line shown to the user, when it needs it. */
export function shellWord(text: string): string {
  return /^[\w.,/:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The targets of `--runs` / `--history`: each argument is an MLflow
 * experiment on the `--store` (or `$MLFLOW_TRACKING_URI`) server.
 *
 * @throws UsageError for a store that is not MLflow, `--mlflow-experiment`
 *   beside them, an empty name, or `--history` with several experiments
 */
export function resolveForeignTargets(
  args: readonly string[],
  options: StoreOptions & ForeignOptions,
  mode: ForeignMode,
  ctx: CommandContext,
): AnalysisTarget[] {
  const flag = mode.kind === "runs" ? "--runs" : "--history";
  if (options.mlflowExperiment !== undefined) {
    throw new UsageError(
      `With ${flag} the arguments name the MLflow experiments to read; --mlflow-experiment names where Converge's own experiments live. Drop --mlflow-experiment.`,
    );
  }
  if (mode.kind === "history" && args.length > 1) {
    throw new UsageError(
      `--history reads one run of one MLflow experiment; ${args.length} were given. Example: converge analyze my-training --history ${shellWord(mode.run)} --store mlflow+http://127.0.0.1:5000 --minimize loss`,
    );
  }
  const { uri, origin } = storeUriSource(options.store, ctx.io.env);
  return [...new Set(args)].map((name) => {
    if (name.trim() === "") {
      throw new UsageError(
        `${flag} needs the MLflow experiment's name as the argument, e.g. my-sweep.`,
      );
    }
    const location = parseStoreUri(uri, ctx.io.cwd, { mlflowExperiment: name, origin });
    if (location.kind !== "mlflow") {
      throw new UsageError(
        `${flag} reads MLflow experiments, and the store is ${terminalSafe(location.display)} (from ${origin}). Give --store mlflow+http://HOST:PORT, or set MLFLOW_TRACKING_URI.`,
      );
    }
    return { location, experimentId: name, foreign: { experimentName: name, mode } };
  });
}

/**
 * A client for an MLflow location, with the credentials of the environment.
 * `quick`: for an explanation beside another result (list's empty listing,
 * a not-found hint), one retry within a few seconds instead of a minute.
 */
export function mlflowClientFor(
  location: MlflowLocation,
  env: NodeJS.ProcessEnv,
  options: { quick?: boolean } = {},
): MlflowClient {
  return createMlflowClient({
    trackingUri: location.trackingUri,
    ...mlflowCredentials(env),
    ...(options.quick && { maxRetries: 1, retryBudgetMs: 3_000, timeoutMs: 10_000 }),
  });
}

/**
 * Reads an MLflow experiment of ordinary runs and prepares it for analysis:
 * the gate and metric goals come from the command line, the notices (runs
 * left out) go to stderr as warnings.
 *
 * @throws UsageError when no objective is given (naming the metrics there
 *   are), for a metric the experiment does not have (naming the option), and
 *   for Converge's own runs; ConvergeError for a missing experiment or run
 */
export async function prepareForeign(
  target: AnalysisTarget & { foreign: ForeignTarget; location: MlflowLocation },
  gate: GateSpec | undefined,
  options: LoadOptions,
  ctx: CommandContext,
): Promise<PreparedExperiment> {
  const { experimentName, mode } = target.foreign;
  const warn = warner(ctx);
  const guesses: string[] = [];
  const metrics = metricSpecs({}, options, (metric, goal) =>
    guesses.push(
      `--metric ${metric} is ${goal === "minimize" ? "minimised" : "maximised"} (guessed from its name); add --${goal === "minimize" ? "maximize" : "minimize"} to say otherwise.`,
    ),
  );
  const client = mlflowClientFor(target.location, ctx.io.env);
  let read: MlflowExperimentRecords;
  try {
    read = await readMlflowExperiment(client, {
      experimentName,
      mode,
      gate: gate ?? null,
      metrics,
    });
  } catch (error) {
    throw ForeignRunsError.isInstance(error) ? inCliTerms(error, target, options) : error;
  } finally {
    await client.close();
  }
  if (gate === undefined && Object.keys(metrics).length === 0) {
    throw noObjective(read, target);
  }
  for (const guess of guesses) warn(guess, "note:");
  for (const notice of read.notices) warn(notice.message);
  return {
    experimentId: read.meta.experiment_id,
    meta: read.meta,
    hasMeta: true,
    records: read.records,
    gate: read.meta.gate,
    gateSource: gate ? "option" : "none",
    metrics: read.meta.metrics,
    location: target.location,
    source: sourceLine(read),
  };
}

/** Writes a warning (or note) to stderr, coloured as the other warnings are. */
function warner(ctx: CommandContext) {
  const style = createStyle(useColor(ctx.io.env, ctx.io.stderr));
  return (message: string, label = "warning:") =>
    ctx.err(`${style.yellow(label)} ${terminalSafe(message)}`);
}

/** The "Source" row of the analysis: where the iterations came from. */
function sourceLine(read: MlflowExperimentRecords): string {
  const { source } = read;
  const where = `MLflow experiment "${source.experimentName}" at ${source.trackingUri}`;
  const n = read.records.length;
  if (source.run) {
    return `run "${source.run.run_name}" (${source.run.run_id}, ${source.run.status}) of ${where}: ${n} step${n === 1 ? "" : "s"} of its metric history`;
  }
  return `${where}: ${n} FINISHED run${n === 1 ? "" : "s"} in start order`;
}

/** The suggested objective for an experiment: its first metric, with the direction its name suggests. */
function suggestion(metric: string | undefined): string {
  if (metric === undefined) return "--maximize NAME";
  const flag = metricGoal(metric) === "minimize" ? "--minimize" : "--maximize";
  return `${flag} ${shellWord(metric)}`;
}

function noObjective(read: MlflowExperimentRecords, target: AnalysisTarget): UsageError {
  const names = read.metricNames;
  const first = names[0];
  return new UsageError(
    `MLflow has no objective for "${terminalSafe(target.experimentId)}": say which metric is better which way, or give a gate. Its metrics: ${terminalSafe(names.join(", ")) || "none"}.`,
    {
      hint: `add ${suggestion(first)} (or --metric NAME with --maximize / --minimize), and/or --gate "${terminalSafe(first ?? "NAME")}>=TARGET" for a pass/fail target with an ETA`,
    },
  );
}

/** The message of a ConvergeError without its "Fix:" line. */
function withoutHint(error: ConvergeError): string {
  const tail = error.hint === undefined ? "" : `\nFix: ${error.hint}`;
  return tail && error.message.endsWith(tail)
    ? error.message.slice(0, -tail.length)
    : error.message;
}

/** The option that named a metric: --gate, --metric, --maximize or --minimize. */
function optionNaming(metric: string, namedIn: string | undefined, options: LoadOptions): string {
  if (namedIn === "gate") return "--gate";
  if (options.metric === metric) return "--metric";
  return (options.maximize ?? []).includes(metric) ? "--maximize" : "--minimize";
}

/** A reader's error with the fix in the CLI's words (its options). */
function inCliTerms(
  error: ForeignRunsError,
  target: AnalysisTarget & { location: MlflowLocation },
  options: LoadOptions,
): ConvergeError {
  const message = withoutHint(error);
  const store = shellWord(`mlflow+${target.location.trackingUri}`);
  const { details } = error;
  switch (error.reason) {
    case "metric-not-found": {
      const option = optionNaming(details.metric ?? "", details.namedIn, options);
      const first = details.available?.[0];
      return new UsageError(`${option} names a metric that is not there. ${message}`, {
        hint: `give ${option} one of the metrics listed${first ? `, e.g. ${option === "--gate" ? `--gate "${first}>=TARGET"` : `${option} ${shellWord(first)}`}` : ""}`,
      });
    }
    case "converge-experiment":
    case "converge-run": {
      const id = details.convergeIds?.[0] ?? "EXPERIMENT_ID";
      return new UsageError(message, {
        hint: `Converge's experiments are read without --runs / --history: converge analyze ${shellWord(id)} --store ${store} --mlflow-experiment ${shellWord(details.experimentName)}`,
      });
    }
    case "experiment-not-found":
      return new ConvergeError(message, {
        hint: `give the name exactly as the MLflow UI shows it (case-sensitive); \`converge list --store ${store} --mlflow-experiment NAME\` says what an experiment holds`,
      });
    case "no-runs":
      return new ConvergeError(message, {
        hint: "read one run's metric history instead, even a RUNNING one: --history RUN (its id or name)",
      });
    case "run-not-found":
      return new ConvergeError(message, {
        hint: `give --history a run id, or a run name exactly as listed (case-sensitive), of MLflow experiment "${details.experimentName}"`,
      });
    case "no-history":
      return new ConvergeError(message, { hint: "give --history a run that logged metrics" });
    case "run-ambiguous":
      return new ConvergeError(message, { hint: "give --history one of those run ids" });
    case "run-deleted":
      return new ConvergeError(message, {
        hint: `${error.hint ?? "restore it"}, or choose another run with --history`,
      });
    case "run-elsewhere":
      return new ConvergeError(message, {
        hint: `give the run's own MLflow experiment as the argument, or a run of "${details.experimentName}" with --history`,
      });
    default:
      return error;
  }
}
