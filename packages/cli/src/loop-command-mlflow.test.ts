/**
 * `converge loop` into a real MLflow server: the Python example's records,
 * meta and report land on the server and read back through the store.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlflowStore } from "../../storage-mlflow/src/index.js";
import {
  type MlflowServer,
  startMlflowServer,
} from "../../storage-mlflow/src/test-fixtures/mlflow-server.js";
import { mlflowSuiteGate } from "../../storage-mlflow/src/test-fixtures/mlflow-venv.js";
import { removeTempDirs, runCliAsync, tempDir } from "./test-fixtures/run-cli.js";

const EXAMPLE = join(import.meta.dirname, "../../../examples/python-backtest");
const gate = await mlflowSuiteGate("converge loop into MLflow");

describe.skipIf(gate.skip)("converge loop through MLflow", () => {
  let server: MlflowServer;
  beforeAll(async () => {
    server = await startMlflowServer();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    removeTempDirs();
  });

  it("logs the Python example's iterations, meta and report to the server", async () => {
    const dir = tempDir("converge-loop-mlflow-");
    cpSync(join(EXAMPLE, "backtest.py"), join(dir, "backtest.py"));
    const loop = JSON.parse(readFileSync(join(EXAMPLE, "loop.json"), "utf8"));
    loop.store = `mlflow+${server.url}`;
    writeFileSync(join(dir, "loop.json"), JSON.stringify(loop));
    const experimentName = `loop-${Date.now().toString(36)}`;
    const r = await runCliAsync(["loop", "loop.json", "--experiment-id", "py_mlflow"], {
      cwd: dir,
      env: { MLFLOW_EXPERIMENT_NAME: experimentName },
      timeout: 120_000,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("status          SUCCESS");
    expect(r.stdout).toContain(
      `--store mlflow+${server.url} --mlflow-experiment ${experimentName}`,
    );

    const store = mlflowStore({ trackingUri: server.url, experimentName });
    try {
      const records = await store.read("py_mlflow");
      expect(records).toHaveLength(4);
      expect(records.at(-1)?.gate_passed).toBe(true);
      expect((await store.readMeta("py_mlflow"))?.status).toBe("SUCCESS");
      const exp = await store.client.getExperimentByName(experimentName);
      const parents = await store.client.searchRuns({
        experimentIds: [exp?.experiment_id ?? ""],
        filter: "tags.`converge.kind` = 'experiment'",
      });
      expect(parents).toHaveLength(1);
    } finally {
      await store.close();
    }
    // The report is written locally too (beside the working directory for MLflow).
    expect(readFileSync(join(dir, "py_mlflow.html"), "utf8")).toContain("py_mlflow");
  }, 240_000);
});
