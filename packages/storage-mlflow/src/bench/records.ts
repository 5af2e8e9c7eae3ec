/**
 * The bench's workload and its check: records shaped like the Python baseline's
 * iterations, and a look at what the server holds afterwards, so that a store that
 * is fast because it lost records cannot pass.
 */
import { type ExperimentRecord, parseRecord, seededRandom } from "@converge/core";
import { createMlflowClient, type MlflowRun } from "../client/index.js";

/** Records shaped like `log_with_python.py`'s: string-valued params, metrics, no code. */
export function benchRecords(
  experimentId: string,
  count: number,
  shape: { params: number; metrics: number },
): ExperimentRecord[] {
  const rnd = seededRandom(1);
  const out: ExperimentRecord[] = [];
  const start = Date.UTC(2026, 0, 18);
  for (let i = 1; i <= count; i++) {
    const parameters: Record<string, string> = {};
    for (let j = 0; j < shape.params; j++) parameters[`param_${j}`] = (rnd() * 100).toFixed(4);
    const metrics: Record<string, number> = {};
    for (let j = 0; j < shape.metrics; j++) metrics[`metric_${j}`] = rnd() * 2 - 1;
    out.push(
      parseRecord({
        experiment_id: experimentId,
        iteration: i,
        timestamp: new Date(start + i * 60_000).toISOString(),
        parameters,
        metrics,
        gate_passed: false,
        gate_score: 0.5,
        action_taken: "refine",
        compute_time: 1,
      }),
    );
  }
  return out;
}

/** What the server holds of one Converge experiment's iterations. */
export interface ServerCheck {
  /** Child runs found (FINISHED or not). */
  runs: number;
  /** Iterations whose child run is FINISHED with exactly the record's params and metrics. */
  exact: number;
  /** The first few differences, for the report. */
  problems: string[];
}

/**
 * Reads the iteration runs of `records`' experiment back with one search (the
 * tracking API, not the store) and compares each with its record: one FINISHED
 * run per iteration, every param and metric equal.
 */
export async function checkOnServer(
  trackingUri: string,
  experimentName: string,
  records: readonly ExperimentRecord[],
): Promise<ServerCheck> {
  const id = records[0]?.experiment_id ?? "";
  const client = createMlflowClient({ trackingUri });
  try {
    const exp = await client.getExperimentByName(experimentName);
    if (!exp) return { runs: 0, exact: 0, problems: [`no MLflow experiment "${experimentName}"`] };
    const runs = await client.searchRuns({
      experimentIds: [exp.experiment_id],
      filter: `tags.\`converge.experiment_id\` = '${id}' and tags.\`converge.kind\` = 'iteration'`,
    });
    const byIteration = new Map<number, MlflowRun[]>();
    for (const run of runs) {
      const n = Number(run.data.tags.find((t) => t.key === "converge.iteration")?.value);
      byIteration.set(n, [...(byIteration.get(n) ?? []), run]);
    }
    const problems: string[] = [];
    let exact = 0;
    for (const record of records) {
      const found = byIteration.get(record.iteration) ?? [];
      const problem = found.length === 1 ? difference(found[0] as MlflowRun, record) : undefined;
      if (found.length !== 1) problems.push(`iteration ${record.iteration}: ${found.length} runs`);
      else if (problem) problems.push(`iteration ${record.iteration}: ${problem}`);
      else exact++;
    }
    return { runs: runs.length, exact, problems: problems.slice(0, 5) };
  } finally {
    await client.close();
  }
}

/** The first way a child run differs from its record, or undefined. */
function difference(run: MlflowRun, record: ExperimentRecord): string | undefined {
  if (run.info.status !== "FINISHED") return `status ${run.info.status}`;
  const params = new Map(run.data.params.map((p) => [p.key, p.value]));
  for (const [key, value] of Object.entries(record.parameters)) {
    if (params.get(key) !== value) return `param ${key} is ${params.get(key)}, not ${value}`;
  }
  const metrics = new Map(run.data.metrics.map((m) => [m.key, m.value]));
  for (const [key, value] of Object.entries(record.metrics)) {
    if (metrics.get(key) !== value) return `metric ${key} is ${metrics.get(key)}, not ${value}`;
  }
  return undefined;
}
