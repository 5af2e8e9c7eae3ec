import { outlookText, ruleTable } from "@converge/analyzers";
import { TrajectoryAssessmentSchema } from "@converge/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wrap } from "./analyze-text.js";
import {
  removeTempDirs,
  runCli,
  SAMPLE_LOG,
  tempDir,
  writeExperiment,
} from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

const GATE = { criteria: [{ metric: "sharpe_ratio", op: ">=" as const, threshold: 1.5 }] };

describe("converge advise on the Python logger's sample log", () => {
  it("says CONTINUE first, then recommendations, findings, parameters and the rule", () => {
    const { code, stdout, stderr } = runCli(["advise", SAMPLE_LOG]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^Experiment\s+exp_20260118_143022$/);
    // R1: the gate passes, so the confidence is 1.
    expect(lines[1]).toMatch(/^Next action\s+CONTINUE {2}\(confidence 1\.00, rule advisor\)$/);
    expect(stdout).toMatch(/Convergence\s+CONVERGING\n/);
    // The vocabulary's labels: the assessment's gradient_effectiveness judges the parameter changes.
    expect(stdout).toMatch(/Parameter changes\s+EFFECTIVE\n/);
    expect(stdout).not.toMatch(/Gradient\s+EFFECTIVE/);
    expect(stdout).toMatch(/Likelihood of success\s+HIGH\n/);
    expect(stdout).toMatch(/Iterations needed\s+0\n/);
    // The sample log has no meta, so no budget: the default horizon, and it says so.
    expect(stdout).toMatch(
      /Outlook\s+P\(pass within the next 20 iterations \(no budget known\)\) 1\.00 · passing now\n/,
    );
    expect(stdout).toMatch(
      /Recommendations\n {3}1\. Keep the strategy of iteration 3: it passes the gate\n/,
    );
    expect(stdout).toMatch(
      /Key findings\n {2}- gate score 0\.65 → 0\.75 → 0\.92, \+0\.1\d per iteration \[0\.10, 0\.17\]/,
    );
    expect(stdout).toMatch(/Parameters\n {2}(position_size|rsi_threshold|stop_loss)\s+KEEP - /);
    expect(stdout).toMatch(
      /Reasoning\n {2}Rule R1 \(the last iteration passes the gate → CONTINUE\)/,
    );
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
  });

  it("--json prints the assessment with the Python logger's advisor field names", () => {
    const { code, stdout } = runCli(["advise", SAMPLE_LOG, "--json"]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.experiment_id).toBe("exp_20260118_143022");
    expect(out.source).toBe("rule");
    expect(TrajectoryAssessmentSchema.safeParse(out.assessment).success).toBe(true);
    expect(out.assessment).toMatchObject({
      convergence_assessment: "CONVERGING",
      next_action: "CONTINUE",
      estimated_iterations_needed: 0,
    });
    // The outlook the advice was given with: the same analysis converge analyze prints.
    const analysis = JSON.parse(runCli(["analyze", SAMPLE_LOG, "--json"]).stdout);
    expect(out.success_probability).toEqual(analysis.success_probability);
    expect(out.iterations_to_success).toEqual(analysis.iterations_to_success);
    expect(out.success_probability).toMatchObject({ probability: 1, horizon_source: "default" });
  });
});

describe("converge advise on stored experiments", () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    await writeExperiment(
      dir,
      { experimentId: "exp_flat", gate: GATE, maxIterations: 9 },
      [0.93, 0.931, 0.929, 0.932, 0.93, 0.928, 0.931, 0.93].map((sharpe, i) => ({
        parameters: { position_size: 0.1 + 0.01 * (i % 3) },
        metrics: { sharpe_ratio: sharpe },
      })),
    );
    await writeExperiment(
      dir,
      { experimentId: "exp_rising", gate: GATE },
      [0.6, 0.65, 0.7, 0.74, 0.8, 0.84, 0.9, 0.95].map((sharpe) => ({
        metrics: { sharpe_ratio: sharpe },
      })),
    );
  });

  it("a plateau far from the gate with 1 of its 9 iterations left → PIVOT, with the outlook beside it", () => {
    const { code, stdout } = runCli(["advise", "exp_flat", "--store", dir]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Next action\s+PIVOT/);
    const out = JSON.parse(runCli(["advise", "exp_flat", "--store", dir, "--json"]).stdout);
    // The meta's budget (9) with 8 iterations logged: 1 left, and passing in it unlikely.
    expect(out.success_probability).toMatchObject({ horizon: 1, horizon_source: "budget" });
    expect(out.success_probability.probability).toBeLessThan(0.05);
    const outlook = outlookText(out.success_probability, out.iterations_to_success);
    expect(outlook).toMatch(/^P\(pass within the 1 iteration left\) /);
    // Labels are padded to the longest, "Likelihood of success" (21), plus two spaces.
    const unwrapped = stdout.replace(/\n {23}/g, " ");
    expect(unwrapped).toContain(`\nOutlook${" ".repeat(16)}${outlook}\n`);
    // The rule advisor reasoned from the same analysis: its reasoning quotes the same outlook.
    expect(stdout.replace(/\s+/g, " ")).toContain(`Outlook: ${outlook.replace(/\s+/g, " ")}.`);
    expect(stdout).toMatch(/Recommendations\n {3}1\. /);
    for (const line of stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });

  it("--max-iterations is the budget: too few left → PIVOT, all spent → ABANDON", () => {
    const ample = JSON.parse(runCli(["advise", "exp_rising", "--store", dir, "--json"]).stdout);
    expect(ample.assessment.next_action).toBe("CONTINUE");
    const short = runCli([
      "advise",
      "exp_rising",
      "--store",
      dir,
      "--max-iterations",
      "9",
      "--json",
    ]);
    const shortOut = JSON.parse(short.stdout);
    expect(shortOut.assessment.next_action).toBe("PIVOT");
    // --max-iterations is the budget of the outlook too: 1 of 9 left.
    expect(shortOut.success_probability).toMatchObject({ horizon: 1, horizon_source: "budget" });
    expect(ample.success_probability).toMatchObject({ horizon: 20, horizon_source: "default" });
    const spent = runCli(["advise", "exp_rising", "--store", dir, "--max-iterations", "8"]);
    expect(spent.stdout).toMatch(/Next action\s+ABANDON/);
  });

  it("a bad --max-iterations is a usage error (exit 2)", () => {
    const { code, stderr } = runCli([
      "advise",
      "exp_rising",
      "--store",
      dir,
      "--max-iterations",
      "many",
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain("expected a whole number >= 1");
  });

  it("a directory with several experiments is a usage error (exit 2)", () => {
    const { code, stderr } = runCli(["advise", dir]);
    expect(code).toBe(2);
    expect(stderr).toContain("converge advise takes one experiment");
  });

  it("an unknown experiment exits 1", () => {
    const { code, stderr } = runCli(["advise", "exp_missing", "--store", dir]);
    expect(code).toBe(1);
    expect(stderr).toContain('No experiment "exp_missing"');
  });
});

describe("converge advise --help", () => {
  it("has its options, the rule table and examples", () => {
    const { code, stdout } = runCli(["advise", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: converge advise [options] <experiment>");
    for (const option of [
      "--json",
      "--max-iterations <n>",
      "--gate <file|criteria>",
      "--store <uri>",
    ]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain("R1 the gate passes → CONTINUE");
    expect(stdout).toContain("Outlook line gives P with its");
  });

  it("the rule table in --help follows the rule advisor's: each rule's id with its action", () => {
    const { stdout } = runCli(["advise", "--help"]);
    const help = stdout.replace(/\s+/g, " ");
    const rules = ruleTable({
      patience: 5,
      abandonAfter: 15,
      maxIterations: null,
      minImprovement: null,
      stopBelow: 0.05,
      horizon: 20,
    });
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) {
      expect(help).toMatch(new RegExp(`\\b${rule.id} [^;]*→ ${rule.action}[;.]`));
    }
    expect(stdout).toContain("$ converge advise exp_a --store ./runs --max-iterations 20");
  });

  it("the program's help lists analyze and advise", () => {
    const { stdout } = runCli(["--help"]);
    expect(stdout).toMatch(/analyze \[options\] <experiment\.\.\.>/);
    expect(stdout).toMatch(/advise \[options\] <experiment>/);
  });
});

describe("wrap", () => {
  it("breaks at spaces within the width, keeping the indent", () => {
    expect(wrap("aa bb cc dd", 7, "  ")).toEqual(["  aa bb", "  cc dd"]);
    expect(wrap("", 10)).toEqual([]);
    expect(wrap("averyveryverylongword x", 5)).toEqual(["averyveryverylongword", "x"]);
  });
});
