/**
 * readMlflowExperiment and describeMlflowExperiment against a real MLflow
 * server, on an experiment logged by the official Python client
 * (scripts/log_sweep.py): a sweep of trial runs, a training run with a
 * 50-step history, a deleted, a FAILED and a RUNNING run.
 */
import { createTracker } from "@converge/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMlflowClient, type MlflowClient } from "../client/index.js";
import {
  describeMlflowExperiment,
  ForeignRunsError,
  mlflowStore,
  readMlflowExperiment,
} from "../index.js";
import { type MlflowServer, startMlflowServer } from "../test-fixtures/mlflow-server.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { readBackNumber, runPython } from "../test-fixtures/python.js";
import { tempDir } from "../tests/helpers.js";

type Logged = number | "NaN" | "Infinity" | "-Infinity";
interface LoggedRun {
  run_id: string;
  run_name: string;
  kind: "trial" | "history" | "deleted" | "failed" | "running";
  status: string;
  deleted: boolean;
  start_time: number;
  end_time: number | null;
  params: Record<string, string>;
  metrics: Record<string, Logged>;
  history?: Record<string, Array<{ step: number; value: Logged; timestamp: number }>>;
}
interface LoggedSweep {
  experiment_id: string;
  experiment_name: string;
  description: string;
  runs: LoggedRun[];
}

const num = readBackNumber;

/** The order the reader must give: start time, then run id. */
const startOrder = (a: LoggedRun, b: LoggedRun) =>
  a.start_time - b.start_time || (a.run_id < b.run_id ? -1 : 1);

async function reason(promise: Promise<unknown>): Promise<ForeignRunsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!ForeignRunsError.isInstance(error))
    throw new Error(`expected a ForeignRunsError, got ${error}`);
  return error;
}

const gate = await mlflowSuiteGate("reading ordinary MLflow runs as Converge records");

describe.skipIf(gate.skip)("an MLflow experiment of ordinary runs, read as records", () => {
  let server: MlflowServer;
  let client: MlflowClient;
  let sweep: LoggedSweep;
  const name = `sweep-${Date.now().toString(36)}`;

  beforeAll(async () => {
    server = await startMlflowServer();
    client = createMlflowClient({ trackingUri: server.url });
    sweep = await runPython<LoggedSweep>(server.python, "log_sweep.py", [
      "--tracking-uri",
      server.url,
      "--experiment-name",
      name,
      "--running",
    ]);
  }, 180_000);
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it("runs mode: every FINISHED run is an iteration, in start order, with what was logged", async () => {
    const read = await readMlflowExperiment(client, { experimentName: name });
    const expected = sweep.runs
      .filter((r) => !r.deleted && r.status === "FINISHED")
      .sort(startOrder);
    expect(expected).toHaveLength(13); // 12 trials + the training run
    expect(read.records.map((r) => r.strategy_name)).toEqual(expected.map((r) => r.run_name));
    // Trials 02 and 03 started in the same millisecond: run id decides, not creation order.
    const tied = expected.filter((r) => r.run_name === "trial-02" || r.run_name === "trial-03");
    expect(tied[0]?.start_time).toBe(tied[1]?.start_time);
    for (const [i, run] of expected.entries()) {
      const r = read.records[i];
      expect(r).toBeDefined();
      if (!r) continue;
      expect(r.iteration).toBe(i + 1);
      expect(r.experiment_id).toBe(name);
      expect(r.mlflow_run_id).toBe(run.run_id);
      expect(r.timestamp).toBe(new Date(run.start_time).toISOString());
      expect(r.compute_time).toBe(((run.end_time ?? 0) - run.start_time) / 1000);
      expect(r.research_directive).toBe(sweep.description);
      expect(Object.keys(r.metrics).sort()).toEqual(Object.keys(run.metrics).sort());
      for (const [key, value] of Object.entries(run.metrics))
        expect(r.metrics[key]).toBe(num(value));
      expect(Object.keys(r.parameters).sort()).toEqual(Object.keys(run.params).sort());
      for (const [key, text] of Object.entries(run.params)) {
        const value = r.parameters[key];
        // Numeric text is a number of the same value; anything else stays the logged text.
        if (typeof value === "number") expect(value).toBe(Number(text));
        else expect(value).toBe(text);
      }
      expect(r.gate_score).toBeNull();
    }
    const trial1 = read.records.find((r) => r.strategy_name === "trial-01");
    expect(trial1?.metrics.grad_norm).toBe(Number.POSITIVE_INFINITY);
    expect(trial1?.parameters).toMatchObject({
      learning_rate: 0.07,
      batch_size: 64,
      optimizer: "sgd",
    });
    expect(trial1?.parameters.run_tag).toBe("01"); // a leading zero: kept as text
    expect(read.records[1]?.parameter_changes).toMatchObject({
      learning_rate: { from: 0.1, to: 0.07 },
    });

    expect(read.notices.map((n) => n.kind)).toEqual(["unfinished-runs-left-out"]);
    expect(read.notices[0]?.runs.map((r) => r.run_name).sort()).toEqual([
      "trial-failed",
      "trial-running",
    ]);
    expect(read.notices[0]?.message).toContain(
      "2 runs left out (FAILED/RUNNING: their metrics are not final)",
    );
    expect(read.meta).toMatchObject({
      experiment_id: name,
      directive: sweep.description,
      gate: null,
      status: "IN_PROGRESS",
      tags: {
        "converge.source": "mlflow-runs",
        "mlflow.experiment_id": sweep.experiment_id,
        "mlflow.experiment_name": name,
        "mlflow.tracking_uri": server.url,
      },
    });
    expect(read.metricNames.slice(0, 3)).toEqual(["val_acc", "val_loss", "train_loss"]);
    expect(read.source).toMatchObject({ mode: "runs", experimentId: sweep.experiment_id });
  });

  it("a gate and metric goals from the caller score the records and go into the meta", async () => {
    const read = await readMlflowExperiment(client, {
      experimentName: name,
      gate: { criteria: [{ metric: "val_acc", op: ">=", threshold: 0.88 }] },
      metrics: { val_acc: "maximize", val_loss: "minimize" },
    });
    const trials = read.records.filter((r) => r.strategy_name.startsWith("trial-"));
    for (const r of trials) {
      expect(r.gate_passed).toBe((r.metrics.val_acc ?? 0) >= 0.88);
      expect(r.gate_score).toBeGreaterThan(0);
    }
    expect(trials.some((r) => r.gate_passed)).toBe(true);
    // The training run has no val_acc: its criterion fails with a score of 0.
    expect(read.records.find((r) => r.strategy_name === "train-long")?.gate_score).toBe(0);
    expect(read.meta.metrics).toEqual({
      val_acc: { goal: "maximize" },
      val_loss: { goal: "minimize" },
    });
    expect(read.meta.status).toBe("SUCCESS");

    const missing = await reason(
      readMlflowExperiment(client, { experimentName: name, metrics: { val_accuracy: "maximize" } }),
    );
    expect(missing.reason).toBe("metric-not-found");
    expect(missing.message).toContain('No metric "val_accuracy"');
    expect(missing.message).toContain("val_acc, val_loss, train_loss");
    expect(missing.details).toMatchObject({ metric: "val_accuracy", namedIn: "metrics" });
    const inGate = await reason(
      readMlflowExperiment(client, {
        experimentName: name,
        gate: { criteria: [{ metric: "f1", op: ">=", threshold: 1 }] },
      }),
    );
    expect(inGate.details).toMatchObject({ metric: "f1", namedIn: "gate" });
  });

  it("history mode: one iteration per step with the metrics at that step, by run name or id", async () => {
    const logged = sweep.runs.find((r) => r.kind === "history");
    const history = logged?.history;
    if (!logged || !history) throw new Error("the script logged no history run");
    const byName = await readMlflowExperiment(client, {
      experimentName: name,
      mode: { kind: "history", run: "train-long" },
    });
    const byId = await readMlflowExperiment(client, {
      experimentName: name,
      mode: { kind: "history", run: logged.run_id },
    });
    expect(byId.records).toEqual(byName.records);
    const records = byName.records;
    expect(records).toHaveLength(50);
    expect(records.map((r) => r.mlflow_step)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(records.map((r) => r.iteration)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (const r of records) {
      const step = r.mlflow_step as number;
      const at = (key: string) => history[key]?.filter((m) => m.step === step).at(-1)?.value;
      expect(r.metrics.accuracy).toBe(num(at("accuracy") as Logged));
      expect(r.metrics.loss).toBe(num(at("loss") as Logged));
      // lr was logged every 10 steps only: absent elsewhere, not NaN.
      if (step % 10 === 0) expect(r.metrics.lr).toBe(num(at("lr") as Logged));
      else expect(Object.hasOwn(r.metrics, "lr")).toBe(false);
      expect(r.parameters).toEqual({ learning_rate: 0.003, epochs: 50, model: "cnn-small" });
      expect(r.strategy_name).toBe("train-long");
    }
    // loss was logged twice at the last step: the later value is the step's.
    expect(records[49]?.metrics.loss).toBe(0.14);
    expect(records[0]?.compute_time).toBe(1);
    expect(records[0]?.experiment_id).toBe(`${name}.train-long`);
    expect(byName.meta.tags["converge.source"]).toBe("mlflow-history");
    expect(byName.meta.tags["mlflow.run_id"]).toBe(logged.run_id);
    expect(byName.source.run).toMatchObject({ run_name: "train-long", status: "FINISHED" });
    expect(byName.notices).toEqual([]);

    const running = await readMlflowExperiment(client, {
      experimentName: name,
      mode: { kind: "history", run: "trial-running" },
    });
    expect(running.records).toHaveLength(1);
    expect(running.notices[0]?.kind).toBe("run-not-finished");
    expect(running.notices[0]?.message).toContain("is RUNNING");
  });

  it("unknown, ambiguous, deleted and foreign runs, and a missing experiment, are errors that say what exists", async () => {
    const unknown = await reason(
      readMlflowExperiment(client, {
        experimentName: name,
        mode: { kind: "history", run: "nope" },
      }),
    );
    expect(unknown.reason).toBe("run-not-found");
    expect(unknown.message).toContain(`No run "nope" in MLflow experiment "${name}"`);
    expect(unknown.message).toContain('"train-long"');

    const deleted = sweep.runs.find((r) => r.deleted);
    const gone = await reason(
      readMlflowExperiment(client, {
        experimentName: name,
        mode: { kind: "history", run: deleted?.run_id ?? "" },
      }),
    );
    expect(gone.reason).toBe("run-deleted");

    const other = `other-${name}`;
    const otherId = await client.createExperiment(other);
    const twin = { experimentId: otherId, runName: "twin" };
    const [a] = await Promise.all([client.createRun(twin), client.createRun(twin)]);
    const ambiguous = await reason(
      readMlflowExperiment(client, {
        experimentName: other,
        mode: { kind: "history", run: "twin" },
      }),
    );
    expect(ambiguous.reason).toBe("run-ambiguous");
    expect(ambiguous.details.runs).toHaveLength(2);
    const elsewhere = await reason(
      readMlflowExperiment(client, {
        experimentName: name,
        mode: { kind: "history", run: a.info.run_id },
      }),
    );
    expect(elsewhere.reason).toBe("run-elsewhere");
    // Two RUNNING runs and nothing finished: nothing to read as iterations.
    const none = await reason(readMlflowExperiment(client, { experimentName: other }));
    expect(none.reason).toBe("no-runs");
    expect(none.message).toContain("has no FINISHED ordinary run");

    // Names are case-sensitive; the names that contain it (in any case) are offered first.
    const wrongCase = name.toUpperCase();
    const missing = await reason(readMlflowExperiment(client, { experimentName: wrongCase }));
    expect(missing.reason).toBe("experiment-not-found");
    expect(missing.message).toContain(`No MLflow experiment "${wrongCase}" at ${server.url}`);
    expect(missing.details.others?.slice(0, 2).sort()).toEqual([name, other].sort());

    await client.deleteExperiment(otherId);
    const deleted2 = await reason(readMlflowExperiment(client, { experimentName: other }));
    expect(deleted2.reason).toBe("experiment-deleted");
    expect(deleted2.message).toContain(`mlflow experiments restore --experiment-id ${otherId}`);
    expect(await describeMlflowExperiment(client, other)).toEqual({
      state: "deleted",
      name: other,
      experimentId: otherId,
    });
  });

  it("Converge's own runs are not foreign: said clearly, and left out of a mixed experiment", async () => {
    const mixed = `mixed-${name}`;
    const store = mlflowStore({
      trackingUri: server.url,
      experimentName: mixed,
      spoolDir: tempDir(),
    });
    const run = await createTracker({ store }).start({ experimentId: "conv_exp", directive: "d" });
    await run.log({ parameters: { a: 1 }, metrics: { score: 0.5 } });
    await run.finish();
    await store.close();

    const only = await reason(readMlflowExperiment(client, { experimentName: mixed }));
    expect(only.reason).toBe("converge-experiment");
    expect(only.message).toContain("holds Converge experiments (conv_exp)");
    const exp = await client.getExperimentByName(mixed);
    const [child] = await client.searchRuns({
      experimentIds: [exp?.experiment_id ?? ""],
      filter: "tags.`converge.kind` = 'iteration'",
    });
    const childRun = await reason(
      readMlflowExperiment(client, {
        experimentName: mixed,
        mode: { kind: "history", run: child?.info.run_id ?? "" },
      }),
    );
    expect(childRun.reason).toBe("converge-run");
    expect(childRun.message).toContain('written by Converge (experiment "conv_exp"');

    // An ordinary run beside them, and a tuner's parent with two child trials.
    const expId = exp?.experiment_id ?? "";
    const ordinary = await client.createRun({
      experimentId: expId,
      runName: "by-hand",
      startTime: 1000,
    });
    await client.logBatch(ordinary.info.run_id, {
      metrics: [{ key: "score", value: 0.7, timestamp: 1000, step: 0 }],
    });
    await client.updateRun(ordinary.info.run_id, { status: "FINISHED", endTime: 2000 });
    const tuner = await client.createRun({ experimentId: expId, runName: "tuner", startTime: 500 });
    await client.updateRun(tuner.info.run_id, { status: "FINISHED", endTime: 9000 });
    for (const [i, t] of [3000, 4000].entries()) {
      const trial = await client.createRun({
        experimentId: expId,
        runName: `tuned-${i}`,
        startTime: t,
        tags: [{ key: "mlflow.parentRunId", value: tuner.info.run_id }],
      });
      await client.logBatch(trial.info.run_id, {
        metrics: [{ key: "score", value: i, timestamp: t, step: 0 }],
      });
      await client.updateRun(trial.info.run_id, { status: "FINISHED", endTime: t + 10 });
    }
    const read = await readMlflowExperiment(client, { experimentName: mixed });
    expect(read.records.map((r) => r.strategy_name)).toEqual(["by-hand", "tuned-0", "tuned-1"]);
    expect(read.notices.map((n) => n.kind).sort()).toEqual([
      "converge-runs-left-out",
      "parent-runs-left-out",
    ]);
    expect(read.notices.find((n) => n.kind === "converge-runs-left-out")?.message).toContain(
      "conv_exp",
    );
  });

  it("describeMlflowExperiment tells a missing experiment from one of ordinary runs", async () => {
    const missing = await describeMlflowExperiment(client, "no-such-sweep");
    expect(missing.state).toBe("missing");
    if (missing.state === "missing") {
      expect(missing.others.length).toBeGreaterThan(0);
      expect(missing.others.length).toBeLessThanOrEqual(5);
      expect(missing.experimentCount).toBeGreaterThanOrEqual(missing.others.length);
    }
    const present = await describeMlflowExperiment(client, name);
    expect(present).toMatchObject({
      state: "present",
      name,
      experimentId: sweep.experiment_id,
      description: sweep.description,
      convergeExperiments: [],
      ordinaryRuns: 15, // 12 trials, the training run, FAILED, RUNNING; the deleted one is not counted
      runsByStatus: { FINISHED: 13, FAILED: 1, RUNNING: 1 },
      capped: false,
    });
    if (present.state === "present") {
      expect(present.metricNames.slice(0, 3)).toEqual(["val_acc", "val_loss", "train_loss"]);
    }
  });
});
