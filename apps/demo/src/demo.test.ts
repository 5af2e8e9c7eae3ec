import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateGate } from "@converge/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  DEMO_GATE,
  demoDir,
  INITIAL_PARAMETERS,
  refineStrategy,
  runDemo,
  toyBacktest,
} from "./index.js";

const created: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "converge-demo-"));
  created.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

describe("toyBacktest", () => {
  it("gives the same metrics for the same parameters and seed", () => {
    const p = { position_size: 0.12, rsi_threshold: 74, stop_loss: 0.1 };
    expect(toyBacktest(p)).toEqual(toyBacktest({ ...p }));
    expect(toyBacktest(p, 7)).toEqual(toyBacktest(p, 7));
  });

  it("changes with the parameters and with the noise seed", () => {
    const p = { ...INITIAL_PARAMETERS };
    expect(toyBacktest({ ...p, rsi_threshold: 78 }).sharpe_ratio).toBeGreaterThan(
      toyBacktest(p).sharpe_ratio,
    );
    expect(toyBacktest({ ...p, position_size: 0.3 }).max_drawdown).toBeGreaterThan(
      toyBacktest(p).max_drawdown,
    );
    expect(toyBacktest(p, 1)).not.toEqual(toyBacktest(p, 2));
  });

  it("fails the gate at the start", () => {
    const result = evaluateGate(toyBacktest(INITIAL_PARAMETERS), DEMO_GATE);
    expect(result.passed).toBe(false);
    expect(result.failed_criteria.map((c) => c.metric)).toEqual([
      "sharpe_ratio",
      "max_drawdown",
      "win_rate",
    ]);
  });
});

describe("refineStrategy", () => {
  it("steps only the parameters of failed criteria, deterministically", () => {
    const strategy = { name: "AAPL_Momentum_v1", parameters: { ...INITIAL_PARAMETERS } };
    const metrics = { sharpe_ratio: 1.2, max_drawdown: 0.1, win_rate: 0.45 };
    const gate = evaluateGate(metrics, DEMO_GATE);
    const context = {
      strategy,
      metrics,
      gate,
      analysis: null,
      advice: null,
      records: [],
      iteration: 1,
    };
    const next = refineStrategy(context);
    expect(next.name).toBe("AAPL_Momentum_v2");
    // Only win_rate failed: its playbook raises the RSI threshold by 1.
    expect(next.parameters).toEqual({ position_size: 0.1, rsi_threshold: 71, stop_loss: 0.15 });
    expect(refineStrategy(context)).toEqual(next);
    expect(strategy.parameters).toEqual(INITIAL_PARAMETERS);
  });
});

describe("runDemo", () => {
  it("passes the gate within the iteration budget and logs every iteration", async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const { loop, file, experimentId } = await runDemo({ dir, write: (l) => lines.push(l) });

    expect(loop.passed).toBe(true);
    expect(loop.summary.status).toBe("SUCCESS");
    expect(loop.summary.total_iterations).toBeGreaterThanOrEqual(4);
    expect(loop.summary.total_iterations).toBeLessThanOrEqual(6);
    expect(experimentId).toMatch(/^exp_\d{8}_\d{6}_[0-9a-f]{4}$/);
    expect(file).toBe(join(dir, `${experimentId}.jsonl`));

    const records = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(records.map((r) => r.iteration)).toEqual(
      Array.from({ length: loop.summary.total_iterations }, (_, i) => i + 1),
    );
    expect(records[0].parameter_changes).toEqual({});
    for (let i = 1; i < records.length; i++) {
      const changes = records[i].parameter_changes as Record<string, { from: number; to: number }>;
      expect(Object.keys(changes).length).toBeGreaterThan(0);
      // Each change is derived from the previous iteration's parameters.
      for (const [name, change] of Object.entries(changes)) {
        expect(change.from).toBe(records[i - 1].parameters[name]);
        expect(change.to).toBe(records[i].parameters[name]);
      }
      expect(records[i].metrics).toEqual(toyBacktest(records[i].parameters));
    }
    expect(records.at(-1).gate_passed).toBe(true);
    expect(records.slice(0, -1).every((r) => r.gate_passed === false)).toBe(true);

    const output = lines.join("\n");
    expect(output).toContain(`[1/8] gate ${records[0].gate_score.toFixed(3)} fail`);
    expect(output).toContain("Summary");
    expect(output).toMatch(/status\s+SUCCESS/);
    expect(output).toMatch(
      new RegExp(`best iteration\\s+${records.length} \\(gate score 1\\.000\\)`),
    );
    expect(output).toContain(`Log written to ${file}`);
    expect(output).toContain(`pnpm -s converge show ${experimentId} --store jsonl:${dir}`);
  });

  it("is reproducible: two runs log the same metrics", async () => {
    const quiet = () => {};
    const a = await runDemo({ dir: tempDir(), write: quiet });
    const b = await runDemo({ dir: tempDir(), write: quiet });
    const metrics = (file: string) =>
      readFileSync(file, "utf8")
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line).metrics);
    expect(metrics(a.file)).toEqual(metrics(b.file));
  });

  it("stops at maxIterations when the budget is too small", async () => {
    const { loop } = await runDemo({ dir: tempDir(), maxIterations: 2, write: () => {} });
    expect(loop.passed).toBe(false);
    expect(loop.summary.status).toBe("MAX_ITERATIONS");
    expect(loop.summary.total_iterations).toBe(2);
  });

  it("uses CONVERGE_DEMO_DIR, else ./experiments", () => {
    expect(demoDir({ cwd: "/w", env: {} })).toBe("/w/experiments");
    expect(demoDir({ cwd: "/w", env: { CONVERGE_DEMO_DIR: "runs" } })).toBe("/w/runs");
    expect(demoDir({ cwd: "/w", env: {}, dir: "/abs" })).toBe("/abs");
  });
});
