/**
 * What an MLflow experiment holds, told to someone who expected Converge
 * experiments in it: `converge list` on an empty listing, and an id that is
 * not found but names an MLflow experiment of ordinary runs.
 */
import { ConvergeError, metricGoal, terminalSafe } from "@converge/core";
import {
  DESCRIBE_RUN_LIMIT,
  describeMlflowExperiment,
  type MlflowExperimentDescription,
} from "@converge/storage-mlflow";
import type { CommandContext } from "./context.js";
import { type MlflowLocation, mlflowClientFor, shellWord } from "./foreign-targets.js";
import { redactSecrets } from "./store-uri.js";

type Present = Extract<MlflowExperimentDescription, { state: "present" }>;

/** Describes the location's MLflow experiment (`name`, default the location's). */
async function describe(
  location: MlflowLocation,
  ctx: CommandContext,
  name = location.experimentName,
): Promise<MlflowExperimentDescription> {
  const client = mlflowClientFor(location, ctx.io.env, { quick: true });
  try {
    return await describeMlflowExperiment(client, name);
  } finally {
    await client.close();
  }
}

/** The command that analyses an experiment of ordinary runs, with a real metric of it as objective. */
export function analyzeCommand(d: Present, location: MlflowLocation): string {
  const metric = d.metricNames[0];
  const objective =
    metric === undefined
      ? "--maximize METRIC"
      : `${metricGoal(metric) === "minimize" ? "--minimize" : "--maximize"} ${shellWord(metric)}`;
  return `converge analyze ${shellWord(d.name)} --store ${shellWord(`mlflow+${location.trackingUri}`)} --runs ${objective}`;
}

/** "15 ordinary runs (13 FINISHED, 1 FAILED, 1 RUNNING)", "at least" when the count was capped. */
function runCount(d: Present): string {
  const statuses = Object.entries(d.runsByStatus)
    .map(([status, n]) => `${n} ${status}`)
    .join(", ");
  const n = d.capped ? `at least ${DESCRIBE_RUN_LIMIT}` : String(d.ordinaryRuns);
  return `${n} ordinary run${d.ordinaryRuns === 1 ? "" : "s"}${statuses ? ` (${statuses})` : ""}`;
}

/**
 * The lines `converge list` prints when an MLflow store lists no Converge
 * experiment: (a) no MLflow experiment of that name (with a few that
 * exist), (b) an experiment of ordinary runs (how many, their metrics, and
 * the `converge analyze ... --runs` command for them), or a deleted or empty
 * one.
 */
export async function explainEmptyListing(
  location: MlflowLocation,
  ctx: CommandContext,
): Promise<string[]> {
  let d: MlflowExperimentDescription;
  try {
    d = await describe(location, ctx);
  } catch (error) {
    // The listing stands on its own: a server that cannot tell more leaves today's message.
    return [
      `No experiments found in ${terminalSafe(location.display)}.`,
      "Check --mlflow-experiment (or MLFLOW_EXPERIMENT_NAME): it names the MLflow experiment your tracker logs into.",
      `(The server could not say what the MLflow experiment holds: ${terminalSafe(redactSecrets((error as Error).message, ctx.io.env).split("\n")[0] ?? "")})`,
    ];
  }
  const name = `"${terminalSafe(location.experimentName)}"`;
  switch (d.state) {
    case "missing": {
      const some = d.others.map((n) => `"${terminalSafe(n)}"`).join(", ");
      const more = d.experimentCount - d.others.length;
      return [
        `No MLflow experiment ${name} at ${location.trackingUri}.`,
        d.experimentCount === 0
          ? "The server has no experiments yet."
          : `Experiments there: ${some}${more > 0 ? ` (and ${more} more)` : ""}.`,
        "Name one with --mlflow-experiment (or MLFLOW_EXPERIMENT_NAME); names are case-sensitive.",
      ];
    }
    case "deleted":
      return [
        `MLflow experiment ${name} is deleted.`,
        `Restore it (mlflow experiments restore --experiment-id ${d.experimentId}) or name another with --mlflow-experiment.`,
      ];
    case "present":
      if (d.ordinaryRuns === 0) {
        return [
          `No experiments found in ${terminalSafe(location.display)}: the MLflow experiment exists and has no runs yet.`,
          "Check --mlflow-experiment (or MLFLOW_EXPERIMENT_NAME): it names the MLflow experiment your tracker logs into.",
        ];
      }
      return [
        `No Converge experiments in ${terminalSafe(location.display)}: it holds ${runCount(d)}, not written by Converge.`,
        "Analyse them as one experiment, each FINISHED run an iteration in start order:",
        `  ${terminalSafe(analyzeCommand(d, location))}`,
        `Their metrics: ${terminalSafe(d.metricNames.slice(0, 12).join(", ")) || "none"}${d.metricNames.length > 12 ? ", ..." : ""}. Choose the objective with --metric / --maximize / --minimize, a target with --gate "NAME>=X"; --history RUN reads one run's steps.`,
      ];
  }
}

/**
 * An id not found in an MLflow store: when an MLflow experiment of that name
 * holds ordinary runs, the error says so and how to read them (`--runs`);
 * otherwise (or when the server cannot tell) the error as it was.
 */
export async function mlflowExperimentHint(
  error: ConvergeError,
  name: string,
  location: MlflowLocation,
  ctx: CommandContext,
): Promise<ConvergeError> {
  let d: MlflowExperimentDescription;
  try {
    d = await describe(location, ctx, name);
  } catch {
    return error;
  }
  if (d.state !== "present" || d.ordinaryRuns === 0) return error;
  return new ConvergeError(
    `No Converge experiment "${terminalSafe(name)}" in ${terminalSafe(location.display)}; but the MLflow experiment "${terminalSafe(name)}" holds ${runCount(d)}, not written by Converge.`,
    {
      hint: `read its runs as iterations with --runs and an objective, e.g. ${terminalSafe(analyzeCommand(d, location))}`,
      cause: error,
    },
  );
}
