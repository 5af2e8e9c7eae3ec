/**
 * MLflow's own basic-auth app (`mlflow server --app-name basic-auth`): the right
 * password works, a wrong one or none is a 401 with a message that says what
 * to set, the store neither writes nor spools, and no password is ever shown.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMlflowClient } from "../client/index.js";
import { MlflowError, mlflowStore } from "../index.js";
import { type MlflowServer, startMlflowServer } from "../test-fixtures/mlflow-server.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { generated, tempDir } from "./helpers.js";

const ADMIN_PASSWORD = "SENTINEL-ADMIN-PW-789";
const WRONG_PASSWORD = "SENTINEL-WRONG-PW-321";

const gate = await mlflowSuiteGate("MLflow basic-auth");

function textOf(error: unknown): string {
  const e = error as Error;
  return `${e.message}\n${e.stack}\n${JSON.stringify(e, Object.getOwnPropertyNames(e))}\n${String((e.cause as Error | undefined)?.message)}`;
}

describe.skipIf(gate.skip)("a server with MLflow's basic-auth app", () => {
  let server: MlflowServer;
  beforeAll(async () => {
    const dir = tempDir();
    const ini = join(dir, "auth.ini");
    writeFileSync(
      ini,
      [
        "[mlflow]",
        "default_permission = READ",
        `database_uri = sqlite:///${join(dir, "auth.db")}`,
        "admin_username = admin",
        `admin_password = ${ADMIN_PASSWORD}`,
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
        "",
      ].join("\n"),
    );
    server = await startMlflowServer({
      extraArgs: ["--app-name", "basic-auth"],
      env: { MLFLOW_AUTH_CONFIG_PATH: ini, MLFLOW_FLASK_SERVER_SECRET_KEY: "converge-test-secret" },
    });
  }, 150_000);
  afterAll(async () => {
    await server?.stop();
  });

  test("the right password works", async () => {
    const client = createMlflowClient({
      trackingUri: server.url,
      username: "admin",
      password: ADMIN_PASSWORD,
    });
    expect(await client.getExperimentByName("Default")).toMatchObject({ name: "Default" });
    await client.close();
  });

  test("a wrong password is a 401 that names the variables to check, and shows no password", async () => {
    const client = createMlflowClient({
      trackingUri: server.url,
      username: "admin",
      password: WRONG_PASSWORD,
    });
    const error = await client.getExperimentByName("Default").catch((e: unknown) => e);
    expect(MlflowError.isInstance(error)).toBe(true);
    expect((error as MlflowError).status).toBe(401);
    expect((error as Error).message).toMatch(
      /MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD/,
    );
    expect(textOf(error)).not.toContain(WRONG_PASSWORD);
    await client.close();
  });

  test("no credentials: a 401 saying the server needs them", async () => {
    const client = createMlflowClient({ trackingUri: server.url });
    const error = await client.getExperimentByName("Default").catch((e: unknown) => e);
    expect((error as MlflowError).status).toBe(401);
    expect((error as Error).message).toMatch(/needs credentials/);
    await client.close();
  });

  test("the store rejects the append without spooling it (nothing half-written, nothing lost silently)", async () => {
    const spoolDir = tempDir();
    const store = mlflowStore({
      trackingUri: server.url,
      username: "admin",
      password: WRONG_PASSWORD,
      spoolDir,
      experimentName: "auth",
    });
    const [record] = generated("exp_auth", 1);
    const error = await store.append(record as never).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/not written to MLflow \(nor spooled\)/);
    expect(textOf(error)).not.toContain(WRONG_PASSWORD);
    expect(await store.pending()).toBe(0);
    await store.close();
  });
});
