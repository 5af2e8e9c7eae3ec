/**
 * Mode "history": one run's metric history over steps as the iterations of a
 * Converge experiment (a training run read as a trajectory).
 */
import { type ExperimentRecord, nameMap, parseRecord } from "@converge/core";
import type { MlflowClient } from "../client/client.js";
import type { MlflowMetric, MlflowRun } from "../client/types.js";
import { TAG } from "../store/mapping.js";
import { isoTime, parametersOf, secondsBetween, tagValue } from "./run-values.js";
import { gateFields, type RecordContext } from "./runs-as-records.js";

/** Histories fetched at once: a few requests in flight, not one per metric at the same time. */
const HISTORY_CONCURRENCY = 4;

/**
 * Every value of every metric the run has (one `metrics/get-history` per
 * metric key, a few at a time), keyed by metric name in the run's order.
 */
export async function fetchHistories(
  client: Pick<MlflowClient, "getMetricHistory">,
  run: MlflowRun,
): Promise<Map<string, MlflowMetric[]>> {
  const keys = [...new Set(run.data.metrics.map((m) => m.key))];
  const out = new Map<string, MlflowMetric[]>(keys.map((k) => [k, []]));
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      out.set(key, await client.getMetricHistory(run.info.run_id, key));
    }
  };
  await Promise.all(Array.from({ length: Math.min(HISTORY_CONCURRENCY, keys.length) }, worker));
  return out;
}

/** One step's value of a metric: the latest logged at that step (by timestamp, then as listed). */
interface StepValue {
  value: number;
  timestamp: number;
}

/** step → metric → value, the steps ascending. */
function byStep(histories: ReadonlyMap<string, readonly MlflowMetric[]>) {
  const steps = new Map<number, Map<string, StepValue>>();
  for (const [key, history] of histories) {
    for (const m of history) {
      let at = steps.get(m.step);
      if (!at) {
        at = new Map();
        steps.set(m.step, at);
      }
      const seen = at.get(key);
      if (seen === undefined || m.timestamp >= seen.timestamp) {
        at.set(key, { value: m.value, timestamp: m.timestamp });
      }
    }
  }
  return [...steps.entries()].sort(([a], [b]) => a - b);
}

/**
 * The records of a run's metric history: each distinct step (ascending) is
 * one iteration, numbered 1, 2, ... whatever the steps are (`mlflow_step`
 * keeps the step). A record holds the metrics logged at that step (a metric
 * logged twice at one step counts with its later value; a metric not logged
 * at that step is absent), the run's params (the same in every record), the
 * latest of its metrics' timestamps, and the seconds since the step before
 * (the first step: since the run started) as compute time.
 */
export function historyAsRecords(
  run: MlflowRun,
  histories: ReadonlyMap<string, readonly MlflowMetric[]>,
  context: RecordContext,
): ExperimentRecord[] {
  let previousTime = run.info.start_time;
  return byStep(histories).map(([step, values], i) => {
    const metrics = nameMap<number>();
    let time = 0;
    for (const [key, v] of values) {
      metrics[key] = v.value;
      time = Math.max(time, v.timestamp);
    }
    const record = parseRecord({
      experiment_id: context.experimentId,
      iteration: i + 1,
      timestamp: isoTime(time),
      research_directive: context.directive,
      strategy_iteration: 1,
      strategy_name: run.info.run_name,
      strategy_description: tagValue(run, TAG.note) ?? "",
      parameters: parametersOf(run),
      metrics,
      ...gateFields(metrics, context.gate),
      compute_time: secondsBetween(previousTime, time),
      mlflow_run_id: run.info.run_id,
      mlflow_step: step,
    });
    previousTime = time;
    return record;
  });
}
