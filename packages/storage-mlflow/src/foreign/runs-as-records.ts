/**
 * Mode "runs": the runs of an MLflow experiment, in start order, as the
 * iterations of one Converge experiment (a hyper-parameter sweep read as a
 * search that went somewhere).
 */
import {
  deriveParameterChanges,
  type ExperimentRecord,
  evaluateGate,
  type GateSpec,
  type JsonValue,
  parseRecord,
} from "@converge/core";
import type { MlflowRun } from "../client/types.js";
import { TAG } from "../store/mapping.js";
import {
  byStartTime,
  isConvergeRun,
  isoTime,
  latestMetricsOf,
  parametersOf,
  secondsBetween,
  tagValue,
} from "./run-values.js";

/** What every record of a foreign experiment shares. */
export interface RecordContext {
  /** The Converge experiment id of the records. */
  experimentId: string;
  /** `research_directive` of every record. */
  directive: string;
  /** Scores each record when given (`gate_passed`, `gate_score`, `failed_criteria`). */
  gate: GateSpec | null;
}

/** The runs of an experiment sorted into those that become iterations and those left out. */
export interface RunSelection {
  /** FINISHED ordinary runs, in start order (ties by run id). */
  iterations: MlflowRun[];
  /** Runs Converge wrote (tag `converge.kind`): read them as Converge experiments instead. */
  converge: MlflowRun[];
  /** Ordinary runs not FINISHED (RUNNING, FAILED, KILLED, SCHEDULED): their metrics are not final. */
  unfinished: MlflowRun[];
  /** Ordinary runs that other runs name as their parent (a tuner's parent run): their children are the trials. */
  parents: MlflowRun[];
}

/**
 * Which runs become iterations: FINISHED runs not written by Converge and
 * not the parent of another run. Deleted runs are not searched at all.
 */
export function selectRuns(runs: readonly MlflowRun[]): RunSelection {
  const parentIds = new Set<string>();
  for (const run of runs) {
    const parent = tagValue(run, TAG.parentRunId);
    if (parent !== undefined && !isConvergeRun(run)) parentIds.add(parent);
  }
  const selection: RunSelection = { iterations: [], converge: [], unfinished: [], parents: [] };
  for (const run of [...runs].sort(byStartTime)) {
    if (isConvergeRun(run)) selection.converge.push(run);
    else if (parentIds.has(run.info.run_id)) selection.parents.push(run);
    else if (run.info.status !== "FINISHED") selection.unfinished.push(run);
    else selection.iterations.push(run);
  }
  return selection;
}

/** `gate_passed`, `gate_score` and `failed_criteria` of metrics against a gate (none without one). */
export function gateFields(metrics: Record<string, number>, gate: GateSpec | null) {
  if (gate === null) return { gate_passed: false, gate_score: null, failed_criteria: [] };
  const result = evaluateGate(metrics, gate);
  return {
    gate_passed: result.passed,
    gate_score: result.score,
    failed_criteria: result.failed_criteria,
  };
}

/**
 * The records of runs already selected and ordered: run `i` (0-based) is
 * iteration `i + 1`, with its params as parameters (numeric text as numbers),
 * its latest metric values, its start time as timestamp, its name as
 * strategy name, its description (`mlflow.note.content`) as strategy
 * description, end minus start as compute time, and what changed since the
 * run before as parameter changes. `mlflow_run_id` keeps the run's id.
 */
export function runsAsRecords(
  runs: readonly MlflowRun[],
  context: RecordContext,
): ExperimentRecord[] {
  let previous: Record<string, JsonValue> | undefined;
  return runs.map((run, i) => {
    const parameters = parametersOf(run);
    const metrics = latestMetricsOf(run);
    const record = parseRecord({
      experiment_id: context.experimentId,
      iteration: i + 1,
      timestamp: isoTime(run.info.start_time),
      research_directive: context.directive,
      strategy_iteration: i + 1,
      strategy_name: run.info.run_name,
      strategy_description: tagValue(run, TAG.note) ?? "",
      parameters,
      parameter_changes: deriveParameterChanges(previous, parameters),
      metrics,
      ...gateFields(metrics, context.gate),
      compute_time: secondsBetween(run.info.start_time, run.info.end_time),
      mlflow_run_id: run.info.run_id,
    });
    previous = parameters;
    return record;
  });
}
