/**
 * `describeMlflowExperiment`: what an MLflow experiment holds, for a caller
 * that found no Converge experiment in it and must tell "no such MLflow
 * experiment" from "an experiment of ordinary runs" (`converge list`).
 */
import type { MlflowClient } from "../client/client.js";
import type { MlflowRunStatus } from "../client/types.js";
import { experimentDescription, someExperimentNames } from "./lookup.js";
import { byStartTime, convergeIdsOf, isConvergeRun } from "./run-values.js";

/** Runs looked at, at most: a description must stay cheap on an experiment of 100,000 runs. */
export const DESCRIBE_RUN_LIMIT = 5000;

/** What an MLflow experiment holds, as far as Converge is concerned. */
export type MlflowExperimentDescription =
  | {
      state: "missing";
      name: string;
      /** A few active experiments of the server, those whose name contains `name` first. */
      others: string[];
      /** How many active experiments the server has. */
      experimentCount: number;
    }
  | { state: "deleted"; name: string; experimentId: string }
  | {
      state: "present";
      name: string;
      experimentId: string;
      /** The experiment's description (`mlflow.note.content`), if any. */
      description: string | null;
      /** Converge experiments in it (ids of the Converge runs' `converge.experiment_id`). */
      convergeExperiments: string[];
      /** Active runs not written by Converge, and how many of each status. */
      ordinaryRuns: number;
      runsByStatus: Partial<Record<MlflowRunStatus, number>>;
      /** Metric names of the ordinary runs, in order of first appearance by start time. */
      metricNames: string[];
      /** True when there were more runs than {@link DESCRIBE_RUN_LIMIT} (the counts are "at least"). */
      capped: boolean;
    };

/**
 * Describes the MLflow experiment `name`: missing (with a few that exist),
 * deleted, or present with its Converge experiments and its ordinary runs
 * counted by status (at most {@link DESCRIBE_RUN_LIMIT} runs are looked at).
 */
export async function describeMlflowExperiment(
  client: MlflowClient,
  name: string,
): Promise<MlflowExperimentDescription> {
  const experiment = await client.getExperimentByName(name);
  if (experiment === null) {
    const { names, total } = await someExperimentNames(client, name);
    return { state: "missing", name, others: names, experimentCount: total };
  }
  if (experiment.lifecycle_stage === "deleted") {
    return { state: "deleted", name, experimentId: experiment.experiment_id };
  }
  const runs = await client.searchRuns({
    experimentIds: [experiment.experiment_id],
    limit: DESCRIBE_RUN_LIMIT + 1,
  });
  const capped = runs.length > DESCRIBE_RUN_LIMIT;
  const seen = runs.slice(0, DESCRIBE_RUN_LIMIT).sort(byStartTime);
  const ordinary = seen.filter((r) => !isConvergeRun(r));
  const runsByStatus: Partial<Record<MlflowRunStatus, number>> = {};
  const metricNames = new Set<string>();
  for (const run of ordinary) {
    runsByStatus[run.info.status] = (runsByStatus[run.info.status] ?? 0) + 1;
    for (const m of run.data.metrics) metricNames.add(m.key);
  }
  return {
    state: "present",
    name: experiment.name,
    experimentId: experiment.experiment_id,
    description: experimentDescription(experiment) ?? null,
    convergeExperiments: convergeIdsOf(seen.filter(isConvergeRun)),
    ordinaryRuns: ordinary.length,
    runsByStatus,
    metricNames: [...metricNames],
    capped,
  };
}
