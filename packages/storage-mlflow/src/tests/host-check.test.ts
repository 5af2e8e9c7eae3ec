/**
 * MLflow 3's Host-header check: a server started with --allowed-hosts that
 * does not list the name the client uses answers 403 "Invalid Host header".
 * The error must say how to fix it.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMlflowClient } from "../client/index.js";
import { MlflowError } from "../index.js";
import { freePort, type MlflowServer, startMlflowServer } from "../test-fixtures/mlflow-server.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";

const gate = await mlflowSuiteGate("MLflow Host-header check");

describe.skipIf(gate.skip)("a server whose Host check rejects the client's host name", () => {
  let server: MlflowServer;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    // Only "127.0.0.1:<port>" is allowed, so a client that calls the server "localhost" is refused.
    server = await startMlflowServer({ port, extraArgs: ["--allowed-hosts", `127.0.0.1:${port}`] });
  }, 150_000);
  afterAll(async () => {
    await server?.stop();
  });

  test("403 Invalid Host header → an MlflowError that explains --allowed-hosts", async () => {
    const refused = createMlflowClient({ trackingUri: `http://localhost:${port}`, maxRetries: 0 });
    const error = await refused.getExperimentByName("anything").catch((e: unknown) => e);
    expect(MlflowError.isInstance(error)).toBe(true);
    expect((error as MlflowError).status).toBe(403);
    expect((error as Error).message).toContain("Invalid Host header");
    expect((error as Error).message).toContain(`mlflow server --allowed-hosts localhost:${port}`);
    await refused.close();
    // The same server, called by an allowed name, answers.
    const allowed = createMlflowClient({ trackingUri: server.url });
    expect(await allowed.getExperimentByName("Default")).toMatchObject({ name: "Default" });
    await allowed.close();
  });
});
