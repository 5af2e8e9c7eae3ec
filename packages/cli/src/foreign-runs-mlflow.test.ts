/**
 * `converge analyze | advise | report --runs | --history` and `converge list`
 * on MLflow experiments of ordinary runs, logged by the official Python client
 * (storage-mlflow's scripts/log_sweep.py) into a real MLflow server: the
 * built binary, as a user runs it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createTracker } from "@converge/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlflowStore } from "../../storage-mlflow/src/index.js";
import { startFaultProxy } from "../../storage-mlflow/src/test-fixtures/fault-proxy.js";
import {
  type MlflowServer,
  startMlflowServer,
} from "../../storage-mlflow/src/test-fixtures/mlflow-server.js";
import { mlflowSuiteGate } from "../../storage-mlflow/src/test-fixtures/mlflow-venv.js";
import { runPython } from "../../storage-mlflow/src/test-fixtures/python.js";
import { removeTempDirs, runCli, runCliAsync, tempDir } from "./test-fixtures/run-cli.js";

type Logged = number | "NaN" | "Infinity" | "-Infinity";
interface LoggedSweep {
  experiment_id: string;
  runs: Array<{
    run_id: string;
    run_name: string;
    status: string;
    deleted: boolean;
    start_time: number;
    metrics: Record<string, Logged>;
    history?: Record<string, Array<{ step: number; value: Logged }>>;
  }>;
}

/** The value of a "Label   value" line of the text output. */
const field = (stdout: string, label: string) =>
  new RegExp(`^${label}\\s{2,}(.*)$`, "m").exec(stdout)?.[1]?.trim();
/** The text output with wrapped lines joined back (each continuation is indented). */
const unwrapped = (stdout: string) => stdout.replace(/\n {2,}/g, " ");

/** Credentials that must never be printed or written (the test server ignores them). */
const SENTINELS = {
  MLFLOW_TRACKING_TOKEN: "sentinel-token-4e1d",
  MLFLOW_TRACKING_USERNAME: "sentinel-user-9a2c",
  MLFLOW_TRACKING_PASSWORD: "sentinel-password-77f0",
};
const leaks = (text: string) => Object.values(SENTINELS).filter((s) => text.includes(s));

const gate = await mlflowSuiteGate("converge on MLflow experiments of ordinary runs");

describe.skipIf(gate.skip)("converge on an MLflow experiment you already have", () => {
  let server: MlflowServer;
  let store: string;
  let sweep: LoggedSweep;
  let training: LoggedSweep;
  const tag = Date.now().toString(36);
  const sweepName = `lr-sweep-${tag}`;
  const trainingName = `training ${tag}`; // a space: shown quoted in suggested commands
  const convergeName = `loops-${tag}`;
  const run = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, { env, timeout: 120_000 });
  const log = (name: string, args: string[]) =>
    runPython<LoggedSweep>(server.python, "log_sweep.py", [
      "--tracking-uri",
      server.url,
      "--experiment-name",
      name,
      ...args,
    ]);

  beforeAll(async () => {
    server = await startMlflowServer();
    store = `mlflow+${server.url}`;
    sweep = await log(sweepName, ["--history-steps", "0", "--running"]);
    training = await log(trainingName, [
      "--runs",
      "0",
      "--no-deleted",
      "--no-failed",
      "--description",
      "Training of a small CNN",
    ]);
    const loops = mlflowStore({
      trackingUri: server.url,
      experimentName: convergeName,
      spoolDir: tempDir(),
    });
    const loop = await createTracker({ store: loops }).start({
      experimentId: "loop_a",
      directive: "a Converge loop",
    });
    await loop.log({ parameters: { x: 1 }, metrics: { score: 0.4 } });
    await loop.finish();
    await loops.close();
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    removeTempDirs();
  });

  it("analyze --runs: the sweep's trend, outlook and parameter impact, from what was logged", () => {
    const text = run(["analyze", sweepName, "--store", store, "--runs", "--maximize", "val_acc"]);
    expect(text.code).toBe(0);
    expect(unwrapped(text.stdout)).toMatch(
      new RegExp(
        `\\nSource +MLflow experiment "${sweepName}" at ${server.url}: 12 FINISHED runs in start order\\n`,
      ),
    );
    expect(field(text.stdout, "Iterations")).toBe("12");
    expect(field(text.stdout, "Score")).toMatch(/^val_acc \(higher is better; no gate score/);
    expect(field(text.stdout, "Convergence")).toBe("CONVERGING");
    expect(field(text.stdout, "Gradient")).toMatch(/^ASCENDING/);
    expect(text.stdout).toMatch(/Parameter impact on the score per unit increase/);
    expect(text.stdout).toMatch(/^\s+learning_rate\s/m);
    expect(text.stderr).toContain(
      `warning: MLflow experiment "${sweepName}": 2 runs left out (FAILED/RUNNING: their metrics are not final)`,
    );

    // The iterations are the FINISHED runs in start order (ties by run id), with their values.
    const json = run([
      "analyze",
      sweepName,
      "--store",
      store,
      "--runs",
      "--maximize",
      "val_acc",
      "--json",
    ]);
    expect(json.code).toBe(0);
    const trajectory = JSON.parse(json.stdout);
    const expected = sweep.runs
      .filter((r) => !r.deleted && r.status === "FINISHED")
      .sort((a, b) => a.start_time - b.start_time || (a.run_id < b.run_id ? -1 : 1));
    expect(trajectory.experiment_id).toBe(sweepName);
    expect(trajectory.metric_history.val_acc).toEqual(expected.map((r) => r.metrics.val_acc));
    expect(trajectory.metric_history.val_loss).toEqual(expected.map((r) => r.metrics.val_loss));
    expect(trajectory.score_trend.source).toBe("objective:val_acc");

    const gated = run([
      "analyze",
      sweepName,
      "--store",
      store,
      "--runs",
      "--gate",
      "val_acc>=0.91",
    ]);
    expect(gated.code).toBe(0);
    expect(field(gated.stdout, "Gate")).toBe("val_acc >= 0.91 (from --gate)");
    expect(field(gated.stdout, "Outlook")).toMatch(/^P\(pass within the next 20 iterations/);
    expect(field(gated.stdout, "ETA")).toMatch(/^median \d+ more iterations?, 80% range/);
  });

  it("analyze --history: one run's steps as the trajectory", () => {
    const logged = training.runs[0];
    const args = ["analyze", trainingName, "--store", store, "--history", "train-long"];
    const json = run([...args, "--metric", "loss", "--minimize", "--json"]);
    expect(json.stderr).toBe("");
    expect(json.code).toBe(0);
    const trajectory = JSON.parse(json.stdout);
    expect(trajectory.total_iterations).toBe(50);
    const byStep = new Map(logged?.history?.loss?.map((m) => [m.step, m.value]));
    expect(trajectory.metric_history.loss).toEqual([...byStep.values()]); // the later value of step 49
    expect(trajectory.metric_history.loss.at(-1)).toBe(0.14);
    expect(trajectory.score_trend.source).toBe("objective:loss");

    const byId = run([...args.slice(0, -1), logged?.run_id ?? "", "--minimize", "loss"]);
    expect(byId.code).toBe(0);
    expect(unwrapped(byId.stdout)).toContain(
      `run "train-long" (${logged?.run_id}, FINISHED) of MLflow experiment "${trainingName}" at ${server.url}: 50 steps of its metric history\n`,
    );
    expect(field(byId.stdout, "Convergence")).toBe("CONVERGING");
  });

  it("advise and report, in both modes", () => {
    const advice = run(["advise", sweepName, "--store", store, "--runs", "--maximize", "val_acc"]);
    expect(advice.code).toBe(0);
    expect(field(advice.stdout, "Next action")).toMatch(/^(CONTINUE|PIVOT|ABANDON)\s+\(confidence/);
    expect(advice.stdout).toContain("Recommendations");
    const history = run([
      "advise",
      trainingName,
      "--store",
      store,
      "--history",
      "train-long",
      "--minimize",
      "loss",
      "--json",
    ]);
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout)).toMatchObject({
      source: "rule",
      assessment: { convergence_assessment: "CONVERGING" },
    });

    const dir = tempDir();
    const html = join(dir, "sweep.html");
    const report = run(
      [
        "report",
        sweepName,
        "--store",
        store,
        "--runs",
        "--maximize",
        "val_acc",
        "--gate",
        "val_acc>=0.91",
        "-o",
        html,
      ],
      SENTINELS,
    );
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/^Wrote .*sweep\.html \(\d+ KB, 1 experiment\)\./);
    const page = readFileSync(html, "utf8");
    expect(leaks(page + report.stdout + report.stderr)).toEqual([]);
    expect(page).toContain("Learning-rate sweep of a small CNN"); // the experiment's description
    expect(page).toContain("trial-11");
    const md = join(dir, "training.md");
    const mdRun = run([
      "report",
      trainingName,
      "--store",
      store,
      "--history",
      "train-long",
      "--minimize",
      "loss",
      "--format",
      "md",
      "-o",
      md,
    ]);
    expect(mdRun.code).toBe(0);
    expect(readFileSync(md, "utf8")).toMatch(
      /^# Training of a small CNN \(run "train-long" of MLflow experiment/,
    );
    expect(existsSync(join(dir, "training-charts"))).toBe(true);
  });

  it("converge list: a missing MLflow experiment, one of ordinary runs, one of Converge experiments", () => {
    const missing = run(["list", "--store", store, "--mlflow-experiment", sweepName.toUpperCase()]);
    expect(missing.code).toBe(0);
    expect(missing.stdout).toContain(
      `No MLflow experiment "${sweepName.toUpperCase()}" at ${server.url}.`,
    );
    expect(missing.stdout).toMatch(new RegExp(`Experiments there: "${sweepName}"`)); // the close name first
    expect(missing.stdout).toContain("names are case-sensitive");

    const ordinary = run(["list", "--store", store, "--mlflow-experiment", sweepName]);
    expect(ordinary.code).toBe(0);
    expect(ordinary.stdout).toContain(
      `No Converge experiments in ${store} (experiment "${sweepName}"): it holds 14 ordinary runs (12 FINISHED, 1 FAILED, 1 RUNNING), not written by Converge.`,
    );
    expect(ordinary.stdout).toContain(
      `  converge analyze ${sweepName} --store ${store} --runs --maximize val_acc`,
    );
    expect(ordinary.stdout).toContain("Their metrics: val_acc, val_loss, train_loss, grad_norm.");
    const quoted = run(["list", "--store", store, "--mlflow-experiment", trainingName]);
    expect(quoted.stdout).toContain(
      `  converge analyze '${trainingName}' --store ${store} --runs --minimize loss`,
    );

    const json = run(["list", "--store", store, "--mlflow-experiment", sweepName, "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(json.stderr).toContain("note: No Converge experiments in");

    const loops = run(["list", "--store", store, "--mlflow-experiment", convergeName]);
    expect(loops.code).toBe(0);
    expect(loops.stdout).toMatch(/^loop_a\s+/m);
    expect(loops.stdout).toContain(`1 experiment in ${store} (experiment "${convergeName}")`);

    // An id that is not a Converge experiment but an MLflow experiment of ordinary runs.
    const notConverge = run(["analyze", sweepName, "--store", store, "--maximize", "val_acc"]);
    expect(notConverge.code).toBe(1);
    expect(notConverge.stderr).toContain(
      `but the MLflow experiment "${sweepName}" holds 14 ordinary runs (12 FINISHED, 1 FAILED, 1 RUNNING)`,
    );
    expect(notConverge.stderr).toContain(`--runs --maximize val_acc`);
  });

  it("bad input: each error names the option and the fix, with the CLI's exit codes", () => {
    const base = ["analyze", sweepName, "--store", store];
    const none = run([...base, "--runs"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      `error: MLflow has no objective for "${sweepName}": say which metric is better which way, or give a gate. Its metrics: val_acc, val_loss, train_loss, grad_norm.`,
    );
    expect(none.stderr).toContain(
      'Fix: add --maximize val_acc (or --metric NAME with --maximize / --minimize), and/or --gate "val_acc>=TARGET"',
    );

    // With several experiments too: a usage error stops the command (exit 2).
    const several = run(["analyze", sweepName, trainingName, "--store", store, "--runs"]);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain(`error: MLflow has no objective for "${sweepName}"`);

    const metric = run([...base, "--runs", "--metric", "accuracy", "--maximize"]);
    expect(metric.code).toBe(2);
    expect(metric.stderr).toContain(
      'error: --metric names a metric that is not there. No metric "accuracy"',
    );
    expect(metric.stderr).toContain(
      "Fix: give --metric one of the metrics listed, e.g. --metric val_acc",
    );
    const inGate = run([...base, "--runs", "--gate", "f1>=0.5"]);
    expect(inGate.code).toBe(2);
    expect(inGate.stderr).toContain("error: --gate names a metric that is not there.");

    const unknownRun = run([
      "analyze",
      trainingName,
      "--store",
      store,
      "--history",
      "train-short",
      "--minimize",
      "loss",
    ]);
    expect(unknownRun.code).toBe(1);
    expect(unknownRun.stderr).toContain(
      `error: No run "train-short" in MLflow experiment "${trainingName}". Its runs (latest first): "train-long"`,
    );
    expect(unknownRun.stderr).toContain(
      "Fix: give --history a run id, or a run name exactly as listed",
    );

    const missing = run(
      ["analyze", "no-such-sweep", "--store", store, "--runs", "--maximize", "val_acc"],
      SENTINELS,
    );
    expect(missing.code).toBe(1);
    expect(leaks(missing.stdout + missing.stderr)).toEqual([]);
    expect(missing.stderr).toContain(
      `error: No MLflow experiment "no-such-sweep" at ${server.url}.`,
    );

    const convergeRuns = run([
      "analyze",
      convergeName,
      "--store",
      store,
      "--runs",
      "--maximize",
      "score",
    ]);
    expect(convergeRuns.code).toBe(2);
    expect(convergeRuns.stderr).toContain(`holds Converge experiments (loop_a), not ordinary runs`);
    expect(convergeRuns.stderr).toContain(
      `Fix: Converge's experiments are read without --runs / --history: converge analyze loop_a --store ${store} --mlflow-experiment ${convergeName}`,
    );

    const jsonl = runCli([
      "analyze",
      sweepName,
      "--store",
      tempDir(),
      "--runs",
      "--maximize",
      "val_acc",
    ]);
    expect(jsonl.code).toBe(2);
    expect(jsonl.stderr).toContain("--runs reads MLflow experiments, and the store is jsonl:");
    expect(jsonl.stderr).toContain("Give --store mlflow+http://HOST:PORT");
    const both = run([
      ...base,
      "--runs",
      "--mlflow-experiment",
      sweepName,
      "--maximize",
      "val_acc",
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("Drop --mlflow-experiment.");
  });

  it("list keeps its plain message when the server cannot say what the experiment holds", async () => {
    // experiments/search fails: the listing (get-by-name) works, the description of a missing experiment cannot.
    const proxy = await startFaultProxy(server.url, (info) =>
      info.path.includes("/experiments/search") ? "error500" : null,
    );
    try {
      const list = await runCliAsync(
        ["list", "--store", `mlflow+${proxy.url}`, "--mlflow-experiment", "nowhere"],
        { timeout: 60_000 },
      );
      expect(list.code).toBe(0);
      expect(list.stdout).toContain(
        `No experiments found in mlflow+${proxy.url} (experiment "nowhere").`,
      );
      expect(list.stdout).toContain("(The server could not say what the MLflow experiment holds:");
      expect(proxy.stats.byKind.error500).toBeGreaterThan(0);
    } finally {
      await proxy.stop();
    }
  });
});
