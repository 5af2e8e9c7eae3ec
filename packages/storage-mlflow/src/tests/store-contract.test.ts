import { describeStoreContract } from "@converge/test-kit";
import { describe } from "vitest";
import { mlflowStore } from "../index.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { tempDir, useMlflowServer } from "./helpers.js";

const gate = await mlflowSuiteGate("storage-mlflow store contract");

describe.skipIf(gate.skip)("mlflowStore against a real MLflow server", () => {
  const mlflow = useMlflowServer();
  // One MLflow experiment per store, so every test starts from an empty store.
  let made = 0;
  describeStoreContract(
    () =>
      mlflowStore({
        trackingUri: mlflow.server.url,
        experimentName: `contract-${++made}`,
        spoolDir: tempDir(),
      }),
    {
      name: "meets the Store contract",
      reopen: (store) =>
        mlflowStore({
          trackingUri: store.trackingUri,
          experimentName: store.experimentName,
          spoolDir: store.spoolDir,
        }),
      timeoutMs: 120_000,
    },
  );
});
