/**
 * `readMlflowExperiment`: an MLflow experiment of ordinary runs (not written
 * by Converge) read as the records and meta of one Converge experiment, so
 * that the analyzers, advisors and reporters work on a sweep or a training
 * run that was logged with `mlflow.log_params` / `log_metrics`.
 */
import {
  type ExperimentMeta,
  ExperimentMetaSchema,
  type ExperimentRecord,
  type GateSpec,
  type GateSpecInput,
  type MetricSpec,
  type MetricSpecInput,
  MetricSpecsSchema,
  parseGate,
  parseOrThrow,
  summarize,
} from "@converge/core";
import type { MlflowClient } from "../client/client.js";
import type { MlflowExperiment, MlflowRun, MlflowRunStatus } from "../client/types.js";
import { ForeignRunsError } from "./foreign-error.js";
import { fetchHistories, historyAsRecords } from "./history-as-records.js";
import { experimentDescription, findForeignExperiment, findRun } from "./lookup.js";
import { convergeIdFrom, convergeIdsOf, runLabel } from "./run-values.js";
import { type RecordContext, runsAsRecords, selectRuns } from "./runs-as-records.js";

/**
 * How runs become iterations. `runs`: every FINISHED ordinary run is one
 * iteration, in start order. `history`: the metric history of one run (its
 * id or name), one iteration per step.
 */
export type ForeignMode = { kind: "runs" } | { kind: "history"; run: string };

/** What {@link readMlflowExperiment} reads, and the objective MLflow does not know. */
export interface ReadMlflowExperimentOptions {
  /** The MLflow experiment's name, as the MLflow UI shows it. */
  experimentName: string;
  /** Default `{ kind: "runs" }`. */
  mode?: ForeignMode;
  /** Scores every record (`gate_passed`, `gate_score`, `failed_criteria`) and goes into the meta. */
  gate?: GateSpecInput | null;
  /**
   * Metric goals, e.g. `{ val_acc: "maximize", val_loss: "minimize" }`; they go
   * into the meta. Without a gate the analyzers score the first one named.
   */
  metrics?: Record<string, MetricSpecInput>;
  /** The Converge experiment id of the records (default: made from the MLflow names). */
  experimentId?: string;
}

/** Runs left out of the iterations, or a run read while it is not finished. */
export interface ForeignNotice {
  kind:
    | "converge-runs-left-out"
    | "unfinished-runs-left-out"
    | "parent-runs-left-out"
    | "run-not-finished";
  message: string;
  runs: Array<{ run_id: string; run_name: string; status: MlflowRunStatus }>;
}

/** Where the records came from. */
export interface ForeignSource {
  /** The tracking server, without credentials. */
  trackingUri: string;
  /** MLflow's id and name of the experiment. */
  experimentId: string;
  experimentName: string;
  mode: "runs" | "history";
  /** History mode: the run read. */
  run?: { run_id: string; run_name: string; status: MlflowRunStatus };
}

/** What {@link readMlflowExperiment} gives. */
export interface MlflowExperimentRecords {
  /** Valid Converge records (`parseRecord`), iterations 1..n. */
  records: ExperimentRecord[];
  /** A meta made for them: directive, the caller's gate and metrics, times, `mlflow.*` tags. */
  meta: ExperimentMeta;
  source: ForeignSource;
  /** Every metric name in the records, in order of first appearance. */
  metricNames: string[];
  notices: ForeignNotice[];
}

/**
 * Reads an MLflow experiment of ordinary runs as one Converge experiment.
 *
 * - `runs` mode: FINISHED runs, in start order (ties by run id), become
 *   iterations 1..n (see `runsAsRecords`). Deleted runs are not read; runs not
 *   FINISHED (RUNNING, FAILED, KILLED, SCHEDULED), parent runs of other runs
 *   and Converge's own runs are left out, each kind with a notice.
 * - `history` mode: the run of that id (else that name) gives one iteration
 *   per distinct step of its metric history (see `historyAsRecords`); a run
 *   not FINISHED is read as far as it got, with a notice.
 *
 * @throws ForeignRunsError (with `reason`) for a missing or deleted
 *   experiment, an experiment of Converge runs only, a missing, ambiguous,
 *   deleted or Converge-written run, no finished run, a run without metrics,
 *   and a metric named in `gate` or `metrics` that no record has.
 * @throws ValidationError for a bad `gate` or `metrics`; MlflowError when the server fails.
 */
export async function readMlflowExperiment(
  client: MlflowClient,
  options: ReadMlflowExperimentOptions,
): Promise<MlflowExperimentRecords> {
  const gate = options.gate == null ? null : parseGate(options.gate);
  const metrics: Record<string, MetricSpec> = parseOrThrow(
    MetricSpecsSchema,
    options.metrics ?? {},
    "metrics",
  );
  const experiment = await findForeignExperiment(client, options.experimentName);
  const runs = await client.searchRuns({ experimentIds: [experiment.experiment_id] });
  const description = experimentDescription(experiment);
  const mode = options.mode ?? { kind: "runs" };
  const read =
    mode.kind === "runs"
      ? readRuns(experiment, runs, description, gate, options.experimentId)
      : await readHistory(client, experiment, runs, mode.run, description, gate, options);
  const metricNames = namesIn(read.records);
  checkNamedMetrics(experiment.name, metricNames, gate, metrics, read.records.length);
  const meta = metaOf(read.records, read.context, metrics, experiment, client.trackingUri, read);
  return {
    records: read.records,
    meta,
    source: {
      trackingUri: client.trackingUri,
      experimentId: experiment.experiment_id,
      experimentName: experiment.name,
      mode: mode.kind,
      ...(read.run && { run: runInfo(read.run) }),
    },
    metricNames,
    notices: read.notices,
  };
}

interface Read {
  records: ExperimentRecord[];
  context: RecordContext;
  notices: ForeignNotice[];
  run?: MlflowRun;
}

const runInfo = (run: MlflowRun) => ({
  run_id: run.info.run_id,
  run_name: run.info.run_name,
  status: run.info.status,
});

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Up to five runs by label, then how many more. */
function someRuns(runs: readonly MlflowRun[]): string {
  const shown = runs.slice(0, 5).map(runLabel).join(", ");
  return runs.length > 5 ? `${shown} and ${runs.length - 5} more` : shown;
}

function readRuns(
  experiment: MlflowExperiment,
  runs: readonly MlflowRun[],
  description: string | undefined,
  gate: GateSpec | null,
  experimentId: string | undefined,
): Read {
  const name = experiment.name;
  const selection = selectRuns(runs);
  if (selection.iterations.length === 0) throw noRuns(name, selection);
  const notices: ForeignNotice[] = [];
  const notice = (kind: ForeignNotice["kind"], left: MlflowRun[], why: string) => {
    if (left.length === 0) return;
    notices.push({
      kind,
      message: `MLflow experiment "${name}": ${plural(left.length, "run")} left out (${why}): ${someRuns(left)}.`,
      runs: left.map(runInfo),
    });
  };
  const statuses = [...new Set(selection.unfinished.map((r) => r.info.status))].join("/");
  notice(
    "unfinished-runs-left-out",
    selection.unfinished,
    `${statuses}: their metrics are not final`,
  );
  notice(
    "parent-runs-left-out",
    selection.parents,
    "parents of other runs, whose children are the trials",
  );
  notice(
    "converge-runs-left-out",
    selection.converge,
    `written by Converge; read them as Converge experiments ${convergeIdsOf(selection.converge).join(", ")}`,
  );
  const context: RecordContext = {
    experimentId: experimentId ?? convergeIdFrom(name, experiment.experiment_id),
    directive: description || `MLflow experiment "${name}": its runs in start order`,
    gate,
  };
  return { records: runsAsRecords(selection.iterations, context), context, notices };
}

function noRuns(name: string, selection: ReturnType<typeof selectRuns>): ForeignRunsError {
  const { converge, unfinished, parents } = selection;
  if (converge.length > 0 && unfinished.length === 0 && parents.length === 0) {
    const ids = convergeIdsOf(converge);
    return new ForeignRunsError(
      "converge-experiment",
      `MLflow experiment "${name}" holds Converge experiments (${ids.join(", ")}), not ordinary runs.`,
      { experimentName: name, convergeIds: ids },
      {
        hint: `read them as Converge experiments: mlflowStore({ experimentName: "${name}" }).read(id)`,
      },
    );
  }
  const left = [...unfinished, ...parents, ...converge];
  const byStatus = left.length === 0 ? "it has no runs" : `left out: ${someRuns(left)}`;
  return new ForeignRunsError(
    "no-runs",
    `MLflow experiment "${name}" has no FINISHED ordinary run to read as an iteration (${byStatus}).`,
    { experimentName: name, runs: left.map(runInfo) },
    { hint: "log runs into it, or read one run's metric history (mode history)" },
  );
}

async function readHistory(
  client: MlflowClient,
  experiment: MlflowExperiment,
  runs: readonly MlflowRun[],
  wanted: string,
  description: string | undefined,
  gate: GateSpec | null,
  options: ReadMlflowExperimentOptions,
): Promise<Read> {
  const run = await findRun(client, experiment, runs, wanted);
  const histories = await fetchHistories(client, run);
  if (histories.size === 0) {
    throw new ForeignRunsError(
      "no-history",
      `Run ${runLabel(run)} of MLflow experiment "${experiment.name}" has no metrics: there is no history to read.`,
      { experimentName: experiment.name, runs: [runInfo(run)] },
      { hint: "choose a run that logged metrics over steps" },
    );
  }
  const runName = run.info.run_name || run.info.run_id;
  const about = `run "${runName}" of MLflow experiment "${experiment.name}": its metric history over steps`;
  const context: RecordContext = {
    experimentId:
      options.experimentId ??
      convergeIdFrom(
        `${experiment.name}.${runName}`,
        `${experiment.experiment_id}.${run.info.run_id}`,
      ),
    directive: description ? `${description} (${about})` : `The ${about}`,
    gate,
  };
  const notices: ForeignNotice[] = [];
  if (run.info.status !== "FINISHED") {
    notices.push({
      kind: "run-not-finished",
      message: `Run ${runLabel(run)} is ${run.info.status}: its history is read as far as it got.`,
      runs: [runInfo(run)],
    });
  }
  return { records: historyAsRecords(run, histories, context), context, notices, run };
}

/** Every metric name in the records, in order of first appearance. */
function namesIn(records: readonly ExperimentRecord[]): string[] {
  const names = new Set<string>();
  for (const r of records) for (const name of Object.keys(r.metrics)) names.add(name);
  return [...names];
}

/** A metric the caller named (a gate criterion, a goal) must be in some record. */
function checkNamedMetrics(
  experimentName: string,
  present: readonly string[],
  gate: GateSpec | null,
  metrics: Readonly<Record<string, MetricSpec>>,
  count: number,
): void {
  const have = new Set(present);
  const named: Array<[string, "gate" | "metrics"]> = [
    ...(gate?.criteria ?? []).map((c): [string, "gate"] => [c.metric, "gate"]),
    ...Object.keys(metrics).map((m): [string, "metrics"] => [m, "metrics"]),
  ];
  for (const [metric, namedIn] of named) {
    if (have.has(metric)) continue;
    throw new ForeignRunsError(
      "metric-not-found",
      `No metric "${metric}" in the ${plural(count, "iteration")} read from MLflow experiment "${experimentName}" (named in ${namedIn === "gate" ? "the gate" : "the metric goals"}). Its metrics: ${present.join(", ") || "none"}.`,
      { experimentName, metric, namedIn, available: [...present] },
      { hint: "name one of the metrics listed (MLflow metric names are case-sensitive)" },
    );
  }
}

function metaOf(
  records: readonly ExperimentRecord[],
  context: RecordContext,
  metrics: Record<string, MetricSpec>,
  experiment: MlflowExperiment,
  trackingUri: string,
  read: Read,
): ExperimentMeta {
  const tags: Record<string, string> = {
    "converge.source": read.run ? "mlflow-history" : "mlflow-runs",
    "mlflow.experiment_id": experiment.experiment_id,
    "mlflow.experiment_name": experiment.name,
    "mlflow.tracking_uri": trackingUri,
  };
  if (read.run) tags["mlflow.run_id"] = read.run.info.run_id;
  return ExperimentMetaSchema.parse({
    experiment_id: context.experimentId,
    directive: context.directive,
    gate: context.gate,
    metrics,
    status: summarize(records).status,
    created_at: records[0]?.timestamp ?? null,
    updated_at: records.at(-1)?.timestamp ?? null,
    tags,
  });
}
