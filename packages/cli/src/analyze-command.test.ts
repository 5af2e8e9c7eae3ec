import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { outlookText } from "@converge/analyzers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  removeTempDirs,
  runCli,
  SAMPLE_LOG,
  tempDir,
  writeExperiment,
} from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

const GATE = { criteria: [{ metric: "sharpe_ratio", op: ">=" as const, threshold: 1.5 }] };

/** A store with two experiments: one converging (with a NaN metric, a budget of 9), one flat. */
async function twoExperiments(): Promise<string> {
  const dir = tempDir();
  await writeExperiment(
    dir,
    { experimentId: "exp_rising", gate: GATE, maxIterations: 9 },
    [0.6, 0.7, 0.75, 0.85, 0.95].map((sharpe, i) => ({
      parameters: { position_size: 0.1 + 0.01 * i * i },
      metrics: { sharpe_ratio: sharpe, profit: i === 2 ? Number.NaN : 10 * i },
    })),
  );
  await writeExperiment(
    dir,
    { experimentId: "exp_flat", gate: GATE },
    [0.9, 0.901, 0.899, 0.9, 0.902, 0.9].map((sharpe, i) => ({
      parameters: { position_size: 0.1 + 0.01 * (i % 2) },
      metrics: { sharpe_ratio: sharpe },
    })),
  );
  return dir;
}

/** The value of a header line such as "Status  CONVERGING ...". */
function field(stdout: string, label: string): string {
  const line = stdout.split("\n").find((l) => l.startsWith(`${label} `));
  if (line === undefined) throw new Error(`no "${label}" line in:\n${stdout}`);
  return line.slice(label.length).trim();
}

/** A header row's value with the lines wrapped under it (value or note) joined back. */
function block(stdout: string, label: string): string {
  const lines = stdout.split("\n");
  const at = lines.findIndex((l) => l.startsWith(`${label} `));
  if (at < 0) throw new Error(`no "${label}" line in:\n${stdout}`);
  const rest = lines.slice(at + 1);
  const end = rest.findIndex((l) => !l.startsWith("   "));
  return [lines[at] as string, ...rest.slice(0, end < 0 ? rest.length : end)]
    .join(" ")
    .slice(label.length)
    .replace(/\s+/g, " ")
    .trim();
}

describe("converge analyze on the Python logger's sample log", () => {
  it("prints a readable summary: CONVERGING with its reason, tables of metrics and parameters", () => {
    // The log has no meta: max_drawdown's direction comes from --minimize (else it has no goal).
    const { code, stdout, stderr } = runCli(["analyze", SAMPLE_LOG, "--minimize", "max_drawdown"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(field(stdout, "Experiment")).toBe("exp_20260118_143022");
    expect(field(stdout, "Iterations")).toBe("3");
    expect(field(stdout, "Score")).toBe("gate score (higher is better)");
    expect(field(stdout, "Convergence")).toBe("CONVERGING");
    expect(stdout).toMatch(/Convergence\s+CONVERGING\n\s+every step goes the same way/);
    expect(field(stdout, "Gradient")).toBe("ASCENDING  +0.135 per iteration [0.1, 0.17]");
    // The gradient's meaning from the vocabulary (docs/vocabulary.md), then the statistics.
    expect(block(stdout, "Gradient")).toContain(
      "a real trend toward the goal; Theil–Sen slope of the gate score with Sen's 95% interval; Mann–Kendall p = 0.3333",
    );
    expect(field(stdout, "Distance")).toBe("0 (passing)");
    // No budget recorded (a log without a meta): the default horizon, said so; passing now.
    expect(field(stdout, "Outlook")).toBe(
      "P(pass within the next 20 iterations (no budget known)) 1.00 · passing now",
    );
    expect(field(stdout, "ETA")).toBe("0 (the last iteration passes the gate)");
    expect(field(stdout, "Best")).toBe("iteration 3, score 0.92");
    expect(field(stdout, "Overfitting")).toMatch(/^risk MEDIUM {2}DSR 0\.\d+, PSR 0\.85\d*$/);
    expect(stdout.replace(/\s+/g, " ")).toContain(
      "best sharpe_ratio 1.05 at iteration 3 after 3 trials, 252 return observations; assumed: 252",
    );
    expect(field(stdout, "Efficiency")).toBe("+0.135 per iteration; no cost recorded");
    expect(stdout).toContain("Metrics with a goal");
    expect(stdout).toMatch(
      /METRIC\s+DIRECTION\s+OLS SLOPE\s+THEIL–SEN \[95% CI\]\s+MK p\s+IMPROVEMENT\s+CONVERGENCE/,
    );
    // max_drawdown falls: raw slopes are negative, the signed rate positive; its direction beside the verdict.
    expect(stdout).toMatch(
      /max_drawdown\s+lower is better\s+-0\.02\s+-0\.02 \[-0\.02, -0\.02\]\s+0\.3333\s+\+0\.02\s+CONVERGING/,
    );
    // The metrics with no goal stated: one line each, first → last, no direction, no verdict.
    const info = stdout.slice(stdout.indexOf("Informational metrics (no goal: not judged)"));
    expect(info).toMatch(/\n {2}win_rate\s+0\.48 → 0\.52\n/);
    expect(info.split("\n\n")[0]).not.toMatch(/CONVERGING|STAGNANT|OSCILLATING|better/);
    const bare = runCli(["analyze", SAMPLE_LOG]).stdout;
    expect(bare).toMatch(
      /Informational metrics[^\n]*\n[\s\S]*\n {2}max_drawdown\s+0\.22 → 0\.18\n/,
    );
    expect(stdout).toMatch(/Parameter impact on the gate score per unit increase \(ridge/);
    expect(stdout).toMatch(/PARAMETER\s+IMPACT ± SE\s+IMPORTANCE\s+DIRECTION\s+CHANGES/);
    expect(stdout).toMatch(/skipped position_size: changed by the same step/);
    for (const line of stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });

  it("--json prints one JSON line with experiment_id and the Python logger's field names", () => {
    const { code, stdout } = runCli(["analyze", SAMPLE_LOG, "--json"]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const t = JSON.parse(lines[0] as string);
    expect(Object.keys(t)[0]).toBe("experiment_id");
    expect(t.experiment_id).toBe("exp_20260118_143022");
    expect(t).toMatchObject({
      total_iterations: 3,
      convergence_status: "CONVERGING",
      gradient_direction: "ASCENDING",
      distance_to_goal: 0,
      estimated_iterations_to_success: 0,
      metric_history: { sharpe_ratio: [0.75, 0.85, 1.05] },
    });
    for (const key of ["improvement_rates", "parameter_impact", "metric_trends", "score_trend"]) {
      expect(t).toHaveProperty(key);
    }
    expect(t.success_probability).toMatchObject({
      probability: 1,
      horizon: 20,
      horizon_source: "default",
    });
    expect(t.iterations_to_success).toMatchObject({ estimate: 0, level: 0.8 });
    expect(t.improvement_rates.sharpe_ratio).toBeCloseTo(0.15, 9);
  });
});

describe("converge analyze on a directory", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await twoExperiments();
  });

  it("--json gives one line per experiment; NaN is written as the string", () => {
    const { code, stdout, stderr } = runCli(["analyze", dir, "--json"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    const [flat, rising] = lines.map((l) => JSON.parse(l));
    expect(flat.experiment_id).toBe("exp_flat");
    expect(flat.convergence_status).toBe("STAGNANT");
    expect(rising.experiment_id).toBe("exp_rising");
    expect(rising.convergence_status).toBe("CONVERGING");
    expect(rising.metric_history.profit).toEqual([0, 10, "NaN", 30, 40]);
    expect(rising.distance_by_criterion).toHaveProperty("sharpe_ratio");
  });

  it("the outlook is over the budget the meta records, the ETA consistent with it", () => {
    const json = runCli(["analyze", join(dir, "exp_rising.jsonl"), "--json"]);
    const t = JSON.parse(json.stdout);
    // A budget of 9 with 5 iterations logged: 4 left.
    expect(t.success_probability).toMatchObject({ horizon: 4, horizon_source: "budget" });
    const e = t.iterations_to_success;
    expect(e).toMatchObject({ level: 0.8, model: "predictive" });
    expect(e.estimate).toBeGreaterThan(0);
    const text = runCli(["analyze", join(dir, "exp_rising.jsonl")]);
    expect(text.code).toBe(0);
    const outlook = outlookText(t.success_probability, e);
    expect(outlook).toMatch(/^P\(pass within the 4 iterations left\) /);
    expect(block(text.stdout, "Outlook")).toBe(outlook);
    expect(block(text.stdout, "ETA")).toBe(
      `median ${e.estimate} more iteration${e.estimate === 1 ? "" : "s"}, 80% range ${e.low}–${e.high} (predictive model) ${e.reason}`,
    );
    for (const line of text.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });

  it("without a budget the outlook says so, and where one would come from", () => {
    const { code, stdout } = runCli(["analyze", join(dir, "exp_flat.jsonl")]);
    expect(code).toBe(0);
    const t = JSON.parse(runCli(["analyze", join(dir, "exp_flat.jsonl"), "--json"]).stdout);
    expect(t.success_probability).toMatchObject({ horizon: 20, horizon_source: "default" });
    expect(block(stdout, "Outlook")).toBe(
      `${outlookText(t.success_probability, t.iterations_to_success)} no iteration budget recorded (the meta's max_iterations, which runGateLoop writes), so P looks 20 iterations ahead`,
    );
  });

  it("prints both summaries as text, and a relative directory works too", () => {
    const { code, stdout } = runCli(["analyze", "."], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/Experiment\s+exp_flat[\s\S]+Experiment\s+exp_rising/);
    expect(stdout).toMatch(/Gate\s+sharpe_ratio >= 1\.5\n/);
    expect(stdout).toMatch(/Convergence\s+STAGNANT/);
    expect(stdout).toMatch(/ {2}per criterion\s+sharpe_ratio 0\.\d+/);
  });

  it("reads ids from --store, and --minimize changes a metric's direction", () => {
    const { code, stdout } = runCli([
      "analyze",
      "exp_rising",
      "--store",
      `jsonl:${dir}`,
      "--minimize",
      "profit",
      "--json",
    ]);
    expect(code).toBe(0);
    const t = JSON.parse(stdout);
    expect(t.metric_trends.profit.goal).toBe("minimize");
    expect(t.metric_trends.profit.improvement_rate).toBeLessThan(0);
    expect(t.metric_trends.sharpe_ratio.goal).toBe("maximize");
  });

  it("--gate re-scores the records against another gate", () => {
    const gateFile = join(tempDir(), "gate.json");
    writeFileSync(
      gateFile,
      JSON.stringify({ criteria: [{ metric: "sharpe_ratio", op: ">=", threshold: 0.9 }] }),
    );
    const json = runCli(["analyze", join(dir, "exp_rising.jsonl"), "--gate", gateFile, "--json"]);
    expect(json.code).toBe(0);
    const t = JSON.parse(json.stdout);
    expect(t.distance_to_goal).toBe(0);
    expect(t.score_trend.history.at(-1)).toBe(1);
    const text = runCli(["analyze", join(dir, "exp_rising.jsonl"), "--gate", gateFile]);
    expect(text.stdout).toMatch(/Gate\s+sharpe_ratio >= 0\.9 \(from --gate; records re-scored\)/);
  });
});

describe("converge analyze errors", () => {
  it("a --gate file with a bad criterion: exit 1 and the field named", () => {
    const gateFile = join(tempDir(), "gate.json");
    writeFileSync(
      gateFile,
      JSON.stringify({
        criteria: [
          { metric: "sharpe_ratio", op: ">=", threshold: 1 },
          { metric: "max_drawdown", op: "=<", threshold: 0.2 },
        ],
      }),
    );
    const { code, stdout, stderr } = runCli(["analyze", SAMPLE_LOG, "--gate", gateFile]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain(gateFile);
    expect(stderr).toContain("gate.criteria[1].op");
    expect(stderr).toMatch(/Fix: each criterion is/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("a --gate file that is not JSON, or missing: exit 1", () => {
    const gateFile = join(tempDir(), "gate.json");
    writeFileSync(gateFile, "{criteria: ");
    const bad = runCli(["analyze", SAMPLE_LOG, "--gate", gateFile]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("is not valid JSON");
    const missing = runCli(["analyze", SAMPLE_LOG, "--gate", "./nowhere.json"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Cannot read the gate file");
  });

  it("the same metric in --maximize and --minimize is a usage error (exit 2)", () => {
    const { code, stderr } = runCli([
      "analyze",
      SAMPLE_LOG,
      "--maximize",
      "win_rate,sharpe_ratio",
      "--minimize",
      "win_rate",
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain("win_rate cannot be both --maximize and --minimize");
  });

  it("an unknown id or a missing directory: exit 1; no argument: exit 2", async () => {
    const dir = await twoExperiments();
    const unknown = runCli(["analyze", "exp_missing", "--store", dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No experiment "exp_missing"');
    const nowhere = runCli(["analyze", "./no/such/dir"]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain("No such file or directory");
    const empty = runCli(["analyze", tempDir()]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("No experiments found");
    const none = runCli(["analyze"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("missing required argument 'experiment'");
  });

  it("with several experiments, one unreadable one is reported and the rest analysed (exit 1)", async () => {
    const dir = await twoExperiments();
    const { code, stdout, stderr } = runCli(["analyze", dir, "exp_missing", "--json"], {
      env: { CONVERGE_STORE: dir },
    });
    expect(code).toBe(1);
    expect(stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(stderr).toContain("error: exp_missing:");
    expect(stderr).toContain("1 experiment(s) could not be read");
  });
});

describe("converge analyze --help", () => {
  it("has its options and examples", () => {
    const { code, stdout } = runCli(["analyze", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: converge analyze [options] <experiment...>");
    for (const option of [
      "--json",
      "--gate <file|criteria>",
      "--maximize [metric]",
      "--metric <name>",
      "--runs",
      "--history <run>",
      "--minimize [metric]",
      "--store <uri>",
      "--lenient",
    ]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).not.toContain("preset"); // the bare --maximize's internal value stays internal
    expect(stdout).toContain("Examples:");
    expect(stdout).toContain("$ converge analyze ./experiments --json > trajectories.jsonl");
    expect(stdout).toContain(
      "$ converge analyze my-sweep --store mlflow+http://127.0.0.1:5000 --runs --maximize val_acc",
    );
    expect(stdout).toContain('"NaN"');
    expect(stdout).toContain("success_probability (probability,");
    expect(stdout).toMatch(/The ETA is the\s+median and the 80% range/);
  });
});
