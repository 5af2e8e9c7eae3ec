/**
 * The CLI against a real MLflow server (the storage-mlflow harness): import the
 * Python logger's sample log, read it back with every command, export it to JSONL,
 * re-import as a no-op, sync the offline spool; credentials never printed.
 */
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlflowStore } from "../../storage-mlflow/src/index.js";
import {
  freePort,
  type MlflowServer,
  startMlflowServer,
} from "../../storage-mlflow/src/test-fixtures/mlflow-server.js";
import { mlflowSuiteGate } from "../../storage-mlflow/src/test-fixtures/mlflow-venv.js";
import { removeTempDirs, runCli, SAMPLE_LOG, tempDir } from "./test-fixtures/run-cli.js";

const SAMPLE_ID = "exp_20260118_143022";
const SENTINELS = {
  MLFLOW_TRACKING_TOKEN: "sentinel-token-7f3a9c",
  MLFLOW_TRACKING_USERNAME: "sentinel-user-51be",
  MLFLOW_TRACKING_PASSWORD: "sentinel-password-c0de",
};

const gate = await mlflowSuiteGate("converge CLI against MLflow");

describe.skipIf(gate.skip)("converge with an mlflow+http store", () => {
  let server: MlflowServer;
  let sampleDir: string;
  let store: string;
  const experiment = `cli-${Date.now().toString(36)}`;
  const opts = () => ["--store", store, "--mlflow-experiment", experiment];
  // Long enough for the server's SQLite writes on a busy machine.
  const run = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, { env, timeout: 120_000 });

  beforeAll(async () => {
    server = await startMlflowServer();
    store = `mlflow+${server.url}`;
    sampleDir = tempDir();
    copyFileSync(SAMPLE_LOG, join(sampleDir, `${SAMPLE_ID}.jsonl`));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    removeTempDirs();
  });

  it("imports the Python logger's sample log, then list / show / analyze / advise / report read it from MLflow", () => {
    const imported = run([
      "import",
      `jsonl:${sampleDir}`,
      store,
      "--mlflow-experiment",
      experiment,
    ]);
    expect(imported.stderr).not.toContain("error");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`${SAMPLE_ID}: 3 records copied`);
    expect(imported.stdout).toContain(
      `Imported 1 experiment into ${store} (experiment "${experiment}"): 3 records copied, 0 already there.`,
    );

    const list = run(["list", ...opts(), "--json"]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        experiment_id: SAMPLE_ID,
        iterations: 3,
        best_gate_score: 0.92,
        status: "SUCCESS",
      }),
    ]);
    const table = run(["list", ...opts()]);
    expect(table.stdout).toContain(`1 experiment in ${store} (experiment "${experiment}")`);

    const fromMlflow = run(["show", SAMPLE_ID, ...opts(), "--json"]);
    const fromFile = run(["show", join(sampleDir, `${SAMPLE_ID}.jsonl`), "--json"]);
    expect(fromMlflow.code).toBe(0);
    expect(JSON.parse(fromMlflow.stdout).records).toEqual(JSON.parse(fromFile.stdout).records);
    const text = run(["show", SAMPLE_ID, ...opts()]);
    expect(text.stdout).toContain(`Store         ${store} (experiment "${experiment}")`);

    const analyze = run(["analyze", SAMPLE_ID, ...opts(), "--json"]);
    expect(analyze.code).toBe(0);
    expect(JSON.parse(analyze.stdout).experiment_id).toBe(SAMPLE_ID);
    expect(run(["advise", SAMPLE_ID, ...opts(), "--json"]).code).toBe(0);
    const out = join(tempDir(), "r.html");
    expect(run(["report", SAMPLE_ID, ...opts(), "-o", out]).code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it("MLFLOW_TRACKING_URI (and MLFLOW_EXPERIMENT_NAME) pick the store when --store and CONVERGE_STORE are not set", () => {
    const env = { MLFLOW_TRACKING_URI: server.url, MLFLOW_EXPERIMENT_NAME: experiment };
    const list = run(["list", "--json"], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).map((e: { experiment_id: string }) => e.experiment_id)).toEqual([
      SAMPLE_ID,
    ]);
    // CONVERGE_STORE wins over MLFLOW_TRACKING_URI.
    const empty = tempDir();
    const jsonl = run(["list", "--json"], { ...env, CONVERGE_STORE: `jsonl:${empty}` });
    expect(JSON.parse(jsonl.stdout)).toEqual([]);
  });

  it("re-importing is a no-op", () => {
    const again = run(["import", sampleDir, store, "--mlflow-experiment", experiment, "-q"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe("");
    expect(again.stdout).toContain(`${SAMPLE_ID}: 0 records copied, 3 already there`);
    const list = run(["list", ...opts(), "--json"]);
    expect(JSON.parse(list.stdout)[0].iterations).toBe(3);
  });

  it("exports back to a new JSONL directory with the same records", () => {
    const back = tempDir();
    const exported = run([
      "export",
      SAMPLE_ID,
      "--from",
      store,
      "--to",
      `jsonl:${back}`,
      "--mlflow-experiment",
      experiment,
    ]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`Exported 1 experiment into jsonl:${back}: 3 records copied`);
    const a = JSON.parse(run(["show", join(sampleDir, `${SAMPLE_ID}.jsonl`), "--json"]).stdout);
    const b = JSON.parse(run(["show", join(back, `${SAMPLE_ID}.jsonl`), "--json"]).stdout);
    expect(b.records).toEqual(a.records);
    expect(
      readFileSync(join(back, `${SAMPLE_ID}.jsonl`), "utf8")
        .trim()
        .split("\n"),
    ).toHaveLength(3);
  });

  it("sync with an empty spool uploads nothing and exits 0", () => {
    const spool = tempDir();
    const { code, stdout } = run(["sync", ...opts(), "--spool-dir", spool]);
    expect(code).toBe(0);
    expect(stdout).toContain("The offline spool is empty");
    expect(stdout).toContain("Uploaded 0, skipped 0 (already on the server), failed 0.");
  });

  it("sync uploads what a store spooled while the server was unreachable", async () => {
    const spoolDir = tempDir();
    const deadPort = await freePort();
    const offline = mlflowStore({
      trackingUri: `http://127.0.0.1:${deadPort}`,
      experimentName: experiment,
      spoolDir,
      maxRetries: 0,
    });
    const records = JSON.parse(
      run(["show", join(sampleDir, `${SAMPLE_ID}.jsonl`), "--json"]).stdout,
    ).records;
    for (const r of records) await offline.append({ ...r, experiment_id: "exp_offline" });
    expect(await offline.pending()).toBe(3);
    await offline.close();

    const synced = run(["sync", ...opts(), "--spool-dir", spoolDir]);
    expect(synced.stderr).not.toContain("error");
    expect(synced.code).toBe(0);
    expect(synced.stdout).toContain("Uploaded 3, skipped 0 (already on the server), failed 0.");
    expect(synced.stderr).toContain("sync: 3/3 records (100%)");
    const show = run(["show", "exp_offline", ...opts(), "--json"]);
    expect(JSON.parse(show.stdout).records).toHaveLength(3);
    const again = run(["sync", ...opts(), "--spool-dir", spoolDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Uploaded 0");
  }, 120_000);

  it("never prints credentials from the environment, nor from a URI", () => {
    const results = [
      run(["list", ...opts()], SENTINELS),
      run(["show", SAMPLE_ID, ...opts()], SENTINELS),
      run(["show", "exp_nowhere", ...opts()], SENTINELS),
      run(["import", sampleDir, store, "--mlflow-experiment", experiment], SENTINELS),
      run(
        [
          "list",
          "--store",
          `mlflow+http://${SENTINELS.MLFLOW_TRACKING_USERNAME}:${SENTINELS.MLFLOW_TRACKING_PASSWORD}@127.0.0.1:1`,
        ],
        SENTINELS,
      ),
      run(["list", "--help"], SENTINELS),
    ];
    expect(results.map((r) => r.code)).toEqual([0, 0, 1, 0, 2, 0]);
    expect(results[4]?.stderr).toContain("MLFLOW_TRACKING_USERNAME");
    for (const r of results) {
      for (const secret of Object.values(SENTINELS)) {
        expect(r.stdout).not.toContain(secret);
        expect(r.stderr).not.toContain(secret);
      }
    }
  });

  it("an unknown scheme is still a usage error", () => {
    const { code, stderr } = run(["list", "--store", "mlflow+ftp://127.0.0.1:21"]);
    expect(code).toBe(2);
    expect(stderr).toContain("names no HTTP tracking server");
    expect(run(["import", sampleDir, "s3://bucket/x"]).code).toBe(2);
  });
});
