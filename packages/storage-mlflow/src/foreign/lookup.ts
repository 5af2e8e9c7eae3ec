/**
 * Finding the MLflow experiment and the run a foreign read is about, with
 * errors that say what exists instead.
 */
import type { MlflowClient } from "../client/client.js";
import { MlflowError } from "../client/errors.js";
import type { MlflowExperiment, MlflowRun } from "../client/types.js";
import { TAG } from "../store/mapping.js";
import { ForeignRunsError } from "./foreign-error.js";
import { byStartTime, isConvergeRun, runLabel, tagValue } from "./run-values.js";

/** The description the MLflow UI shows for an experiment (`mlflow.note.content`), if any. */
export function experimentDescription(experiment: MlflowExperiment): string | undefined {
  return experiment.tags.find((t) => t.key === TAG.note)?.value || undefined;
}

/**
 * Up to `count` names of active experiments, those whose name contains
 * `near` (case-insensitively) first, and how many there are in all.
 */
export async function someExperimentNames(
  client: Pick<MlflowClient, "searchExperiments">,
  near: string,
  count = 5,
): Promise<{ names: string[]; total: number }> {
  const all = (await client.searchExperiments({ viewType: "ACTIVE_ONLY" })).map((e) => e.name);
  const needle = near.toLowerCase();
  const close = all.filter((n) => needle !== "" && n.toLowerCase().includes(needle));
  const rest = all.filter((n) => !close.includes(n));
  return { names: [...close, ...rest].slice(0, count), total: all.length };
}

/** The active MLflow experiment of that name; a `ForeignRunsError` naming some that exist when missing. */
export async function findForeignExperiment(
  client: MlflowClient,
  name: string,
): Promise<MlflowExperiment> {
  const experiment = await client.getExperimentByName(name);
  if (experiment === null) {
    const { names, total } = await someExperimentNames(client, name);
    const exist =
      total === 0
        ? "The server has no experiments."
        : `Experiments there: ${names.map((n) => `"${n}"`).join(", ")}${total > names.length ? ` and ${total - names.length} more` : ""}.`;
    throw new ForeignRunsError(
      "experiment-not-found",
      `No MLflow experiment "${name}" at ${client.trackingUri}. ${exist}`,
      { experimentName: name, others: names },
      {
        hint: "give the experiment's name exactly as the MLflow UI shows it (names are case-sensitive)",
      },
    );
  }
  if (experiment.lifecycle_stage === "deleted") {
    throw new ForeignRunsError(
      "experiment-deleted",
      `MLflow experiment "${name}" is deleted.`,
      { experimentName: name },
      {
        hint: `restore it (mlflow experiments restore --experiment-id ${experiment.experiment_id}) to read it`,
      },
    );
  }
  return experiment;
}

const RUN_ID = /^[0-9a-f]{32}$/i;

/**
 * The run `wanted` names among `runs` (the experiment's active runs): the run
 * of that id, else the one run of that name. A run of Converge's, several of
 * one name, a deleted run, a run of another experiment and no run at all are
 * each a `ForeignRunsError` saying which runs there are.
 */
export async function findRun(
  client: MlflowClient,
  experiment: MlflowExperiment,
  runs: readonly MlflowRun[],
  wanted: string,
): Promise<MlflowRun> {
  const name = experiment.name;
  const byId = runs.find((r) => r.info.run_id === wanted);
  const byName = runs.filter((r) => r.info.run_name === wanted);
  const run = byId ?? (byName.length === 1 ? byName[0] : undefined);
  const listed = (list: readonly MlflowRun[]) =>
    list.map((r) => ({ run_id: r.info.run_id, run_name: r.info.run_name }));
  if (run !== undefined) {
    if (isConvergeRun(run)) {
      const id = tagValue(run, TAG.experimentId) ?? "";
      throw new ForeignRunsError(
        "converge-run",
        `Run ${runLabel(run)} was written by Converge (experiment "${id}" in MLflow experiment "${name}"): it is not an ordinary run.`,
        { experimentName: name, convergeIds: id ? [id] : [], runs: listed([run]) },
        { hint: `read it as the Converge experiment "${id}"` },
      );
    }
    return run;
  }
  if (byName.length > 1) {
    throw new ForeignRunsError(
      "run-ambiguous",
      `${byName.length} runs of MLflow experiment "${name}" are named "${wanted}": ${byName.map((r) => r.info.run_id).join(", ")}.`,
      { experimentName: name, runs: listed(byName) },
      { hint: "choose one by its run id" },
    );
  }
  if (RUN_ID.test(wanted)) await refuseRunElsewhere(client, experiment, wanted);
  const some = [...runs]
    .filter((r) => !isConvergeRun(r))
    .sort(byStartTime)
    .reverse();
  const shown = some.slice(0, 8).map(runLabel).join(", ");
  throw new ForeignRunsError(
    "run-not-found",
    `No run "${wanted}" in MLflow experiment "${name}". ${some.length === 0 ? "It has no ordinary runs." : `Its runs (latest first): ${shown}${some.length > 8 ? ` and ${some.length - 8} more` : ""}.`}`,
    { experimentName: name, runs: listed(some.slice(0, 8)) },
    { hint: "give a run id or an exact run name (case-sensitive) from that experiment" },
  );
}

/** A run id that exists but is deleted or elsewhere: say so rather than "no such run". */
async function refuseRunElsewhere(
  client: MlflowClient,
  experiment: MlflowExperiment,
  runId: string,
): Promise<void> {
  let run: MlflowRun;
  try {
    run = await client.getRun(runId);
  } catch (error) {
    if (MlflowError.isInstance(error) && error.status !== undefined && error.status < 500) return;
    throw error;
  }
  const listed = [{ run_id: run.info.run_id, run_name: run.info.run_name }];
  if (run.info.lifecycle_stage === "deleted") {
    throw new ForeignRunsError(
      "run-deleted",
      `Run ${runLabel(run)} is deleted.`,
      { experimentName: experiment.name, runs: listed },
      { hint: `restore it (mlflow runs restore --run-id ${run.info.run_id}) to read it` },
    );
  }
  if (run.info.experiment_id !== experiment.experiment_id) {
    throw new ForeignRunsError(
      "run-elsewhere",
      `Run ${runLabel(run)} is in another MLflow experiment (id ${run.info.experiment_id}), not in "${experiment.name}".`,
      { experimentName: experiment.name, runs: listed },
      { hint: "name the experiment the run belongs to" },
    );
  }
}
