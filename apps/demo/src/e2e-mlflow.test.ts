/**
 * End to end against a real MLflow server (the storage-mlflow harness: the
 * pinned `mlflow server` from its venv on 127.0.0.1, SQLite in a temp dir):
 * the BUILT demo with `--store mlflow+http://...`, and with
 * MLFLOW_TRACKING_URI instead, reaches the same decision as with the JSONL
 * store; the server then holds every iteration exactly as the loop logged it
 * (read back through `mlflowStore`), and the report beside the runs; and
 * `converge analyze` reads the experiment from the server.
 *
 * Outside CI, a machine without Python or PyPI skips this file loudly; under
 * CI=true it fails instead.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ExperimentRecord } from "@converge/core";
import { mlflowStore } from "@converge/storage-mlflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type MlflowServer,
  startMlflowServer,
} from "../../../packages/storage-mlflow/src/test-fixtures/mlflow-server.js";
import { mlflowSuiteGate } from "../../../packages/storage-mlflow/src/test-fixtures/mlflow-venv.js";
import { DEFAULT_SEED } from "./demo.js";
import {
  cleanEnv,
  ensureBuilt,
  essence,
  experimentIdOf,
  type RunResult,
  readJsonl,
  runConverge,
  runDemoProcess,
  tempDirs,
} from "./test-fixtures/built-demo.js";

const gate = await mlflowSuiteGate("demo against MLflow");

/** The experiment the MLFLOW_TRACKING_URI run writes to (the --store run uses "converge"). */
const ENV_EXPERIMENT = "demo-from-env";

interface DemoRun extends RunResult {
  cwd: string;
  id: string;
}

describe.skipIf(gate.skip)("the built demo against a real MLflow server", () => {
  const dirs = tempDirs("converge-demo-mlflow-");
  let server: MlflowServer;
  let jsonl: DemoRun & { records: ExperimentRecord[] };
  let byStore: DemoRun;
  let byEnv: DemoRun;

  const demo = async (args: string[], extraEnv: Record<string, string> = {}): Promise<DemoRun> => {
    const cwd = dirs.make();
    const run = await runDemoProcess(["--seed", String(DEFAULT_SEED), ...args], {
      cwd,
      env: cleanEnv(extraEnv),
      timeout: 90_000,
    });
    return { ...run, cwd, id: experimentIdOf(run) };
  };
  const storeAt = (experimentName: string) =>
    mlflowStore({ trackingUri: server.url, experimentName, spoolDir: join(dirs.make(), "spool") });

  beforeAll(async () => {
    [server] = await Promise.all([startMlflowServer(), ensureBuilt()]);
    // The three runs at once: JSONL (the reference), --store, and MLFLOW_TRACKING_URI.
    let jsonlRun: DemoRun;
    [jsonlRun, byStore, byEnv] = await Promise.all([
      demo(["--store", "jsonl:runs"]),
      demo(["--store", `mlflow+${server.url}`]),
      demo(["--quiet"], {
        MLFLOW_TRACKING_URI: server.url,
        MLFLOW_EXPERIMENT_NAME: ENV_EXPERIMENT,
      }),
    ]);
    jsonl = { ...jsonlRun, records: readJsonl(join(jsonlRun.cwd, "runs", `${jsonlRun.id}.jsonl`)) };
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    dirs.dispose();
  });

  it("--store mlflow+http://... reaches the JSONL run's decision, and says where the log is", () => {
    expect(jsonl.code, jsonl.stderr).toBe(0);
    expect(jsonl.stdout).toContain("status          SUCCESS");
    expect(byStore.stderr).toBe(""); // no spooling, no failed upload
    expect(byStore.code).toBe(0);
    expect(byStore.stdout).toContain("status          SUCCESS");
    const iterations = `iterations      ${jsonl.records.length} of at most 15`;
    expect(byStore.stdout).toContain(iterations);
    expect(byStore.stdout).toContain(
      `store           mlflow+${server.url} (experiment "converge")`,
    );
    expect(byStore.stdout).toContain(
      `log             mlflow+${server.url} (experiment "converge")`,
    );
    expect(byStore.stdout).toContain(`report          ${join(byStore.cwd, `${byStore.id}.html`)}`);
    expect(byStore.stdout).toContain(
      `pnpm -s converge analyze ${byStore.id} --store mlflow+${server.url}`,
    );
  });

  it("the server holds every iteration as the loop logged it: metrics, parameters, advice", async () => {
    const store = storeAt("converge");
    try {
      const records = await store.read(byStore.id);
      expect(records).toHaveLength(jsonl.records.length);
      expect(records.map((r) => r.iteration)).toEqual(jsonl.records.map((_, i) => i + 1));
      for (const [i, record] of records.entries()) {
        const reference = jsonl.records[i] as ExperimentRecord;
        expect(record.experiment_id).toBe(byStore.id);
        expect(record.metrics, `#${i + 1} metrics`).toEqual(reference.metrics);
        expect(record.parameters, `#${i + 1} parameters`).toEqual(reference.parameters);
        expect(record.advice, `#${i + 1} advice`).toEqual(reference.advice);
        expect(essence(record), `#${i + 1}`).toEqual(essence(reference));
      }
      // Advice from iteration 2 on (the rule advisor), carried by the record it produced.
      expect(records[0]?.advice).toBeUndefined();
      expect(records.slice(2).every((r) => r.advice?.source === "rule")).toBe(true);
      expect(records.at(-1)?.gate_passed).toBe(true);

      const meta = await store.readMeta(byStore.id);
      expect(meta?.status).toBe("SUCCESS");
      expect(meta?.summary?.total_iterations).toBe(records.length);
      const listed = await store.list();
      expect(listed.map((l) => l.experiment_id)).toContain(byStore.id);

      // The report the demo wrote is also the parent run's artifact.
      const experiment = await store.client.getExperimentByName("converge");
      const runs = await store.client.searchRuns({
        experimentIds: [experiment?.experiment_id ?? ""],
      });
      expect(runs).toHaveLength(records.length + 1); // a parent and a child per iteration
      const parent = runs.find((r) => r.info.run_name === byStore.id);
      const uploaded = await store.client.downloadArtifact(
        parent?.info.artifact_uri ?? "",
        "report.html",
      );
      expect(uploaded.equals(readFileSync(join(byStore.cwd, `${byStore.id}.html`)))).toBe(true);
      expect(await store.pending()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it("MLFLOW_TRACKING_URI (and MLFLOW_EXPERIMENT_NAME) instead of --store", async () => {
    expect(byEnv.stderr).toBe("");
    expect(byEnv.code).toBe(0);
    expect(byEnv.stdout).toContain("status          SUCCESS");
    expect(byEnv.stdout).toContain(
      `log             mlflow+${server.url} (experiment "${ENV_EXPERIMENT}")`,
    );
    expect(byEnv.stdout).not.toContain("[ 1/15]"); // --quiet
    const store = storeAt(ENV_EXPERIMENT);
    try {
      const records = await store.read(byEnv.id);
      expect(records.map(essence)).toEqual(jsonl.records.map(essence));
      expect((await store.readMeta(byEnv.id))?.status).toBe("SUCCESS");
    } finally {
      await store.close();
    }
    // Not in the --store run's experiment.
    const other = storeAt("converge");
    try {
      expect((await other.list()).map((l) => l.experiment_id)).not.toContain(byEnv.id);
    } finally {
      await other.close();
    }
  });

  it("converge analyze reads the experiment from the server", async () => {
    const analyze = await runConverge(["analyze", byStore.id, "--store", `mlflow+${server.url}`], {
      cwd: byStore.cwd,
      timeout: 60_000,
    });
    expect(analyze.stderr).toBe("");
    expect(analyze.code).toBe(0);
    expect(analyze.stdout).toContain(byStore.id);
    expect(analyze.stdout).toMatch(/Overfitting\s+risk/);
    expect(analyze.stdout).toMatch(new RegExp(`Iterations\\s+${jsonl.records.length}\\b`));
  });
});
