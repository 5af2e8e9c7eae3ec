/** Shared by this package's tests (not part of the build). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ExperimentRecord, parseRecord } from "@converge/core";
import { sampleLogRecords } from "@converge/test-kit";
import { afterAll, beforeAll } from "vitest";
import { createMlflowClient } from "../client/index.js";
import { type MlflowServer, startMlflowServer } from "../test-fixtures/mlflow-server.js";

export { firstDifference } from "@converge/test-kit";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = "converge-mlflow-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** The three records of @converge/test-kit's sample log. */
export function sampleLog(): ExperimentRecord[] {
  return sampleLogRecords();
}

const LONG = "ω".repeat(3000) + "x".repeat(4000); // 7000 chars, over MLflow's 6000

/** A generated experiment: 10 params, 10 metrics, NaN/Infinity, long values, unicode. */
export function generated(id: string, n: number): ExperimentRecord[] {
  const out: ExperimentRecord[] = [];
  for (let i = 1; i <= n; i++) {
    const parameters: Record<string, unknown> = {};
    for (let p = 0; p < 8; p++) parameters[`p${p}`] = p % 2 ? i * 0.01 + p : `v${i % 3}`;
    parameters["α weight"] = i % 5; // an invalid MLflow key: renamed in MLflow, kept in the record
    parameters.long_text = i % 50 === 0 ? `${LONG}${i}` : `short ${i} ✓`;
    const metrics: Record<string, number> = {};
    for (let m = 0; m < 7; m++) metrics[`m${m}`] = Math.sin(i + m) * 10;
    metrics.sharpe = i % 7 === 0 ? Number.NaN : i / 100;
    metrics.upside = i % 11 === 0 ? Number.POSITIVE_INFINITY : i;
    metrics.downside = i % 13 === 0 ? Number.NEGATIVE_INFINITY : -i;
    out.push(
      parseRecord({
        experiment_id: id,
        iteration: i,
        timestamp: new Date(Date.UTC(2026, 0, 18, 14, 0, i)).toISOString(),
        research_directive: "Reach Sharpe ≥ 1 — 日本語 ✓",
        strategy_name: `strat_${i}`,
        strategy_code: `def run():\n    return ${i}  # ünïcödé`,
        strategy_description: i % 2 ? "" : `step ${i}`,
        parameters,
        metrics,
        gate_passed: i === n,
        gate_score: i === 3 ? null : Math.min(1, i / n),
        failed_criteria: [{ metric: "sharpe", op: ">=", threshold: 1 }],
        action_taken: "TUNE_PARAMETERS",
        parameter_changes: { p1: { from: i, to: i + 1 } },
        compute_time: i / 10,
        cost: 0.001 * i,
        llm_usage: [
          { provider: "x", model: "y", input_tokens: i, output_tokens: 2, cost_usd: null },
        ],
        extra_field: { kept: true },
        ...(i % 5 === 0 && {
          advice: {
            after_iteration: i - 1,
            source: "llm:openai/gpt-4.1",
            model: "openai/gpt-4.1",
            prompt_version: "trajectory-v1",
            fallback: i % 10 === 0 ? { from: "llm:openai/gpt-4.1", reason: "HTTP 500 ✗" } : null,
            assessment: {
              convergence_assessment: "CONVERGING",
              gradient_effectiveness: "MIXED",
              likelihood_of_success: "MEDIUM",
              estimated_iterations_needed: i % 3 ? 4 : null,
              key_findings: [`finding ${i} — ✓`],
              parameter_recommendations: { p1: "INCREASE - helps" },
              next_action: "CONTINUE",
              specific_recommendations: [],
              confidence: 0.6,
              reasoning: "steady",
            },
          },
        }),
      }),
    );
  }
  return out;
}

/**
 * A real MLflow server for the enclosing describe block: started before its
 * tests, stopped after them. Read `.server` inside the tests.
 */
export function useMlflowServer(): { readonly server: MlflowServer } {
  let server: MlflowServer | undefined;
  beforeAll(async () => {
    server = await startMlflowServer();
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get server(): MlflowServer {
      if (!server) throw new Error("the MLflow server has not started (beforeAll failed?)");
      return server;
    },
  };
}

/** The iteration (child) runs the store made for one Converge experiment. */
export async function childRuns(trackingUri: string, experimentName: string, id: string) {
  const c = createMlflowClient({ trackingUri });
  const exp = await c.getExperimentByName(experimentName);
  const runs = await c.searchRuns({
    experimentIds: [exp?.experiment_id ?? ""],
    filter: `tags.\`converge.experiment_id\` = '${id}' and tags.\`converge.kind\` = 'iteration'`,
  });
  await c.close();
  return runs;
}
