import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultKind, type FaultProxy, startFaultProxy } from "./fault-proxy.js";
import { type MlflowServer, processGroupMembers, startMlflowServer } from "./mlflow-server.js";
import { MLFLOW_VERSION, mlflowSuiteGate } from "./mlflow-venv.js";
import { logWithPython, readBack } from "./python.js";
import { groupTcpSockets, isLocal } from "./sockets.js";

const gate = await mlflowSuiteGate("MLflow test harness");

const API = "/api/2.0/mlflow";

async function post(base: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${base}${API}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${response.url}: ${text}`);
  return JSON.parse(text) as T;
}

async function experimentByName(base: string, name: string): Promise<Response> {
  return fetch(`${base}${API}/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
}

describe.skipIf(gate.skip)("MLflow test harness", () => {
  let server: MlflowServer;
  let experimentId: string;
  const name = `harness-${Date.now()}`;

  beforeAll(async () => {
    server = await startMlflowServer();
    console.info(
      `[harness] mlflow ${server.version} on ${server.url}: /health after ${server.startMs} ms`,
    );
  }, 150_000);
  afterAll(async () => {
    await server?.stop();
  }, 30_000);

  it("answers /health and /version on 127.0.0.1, pinned version", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect((await health.text()).trim()).toBe("OK");
    const version = await fetch(`${server.url}/version`);
    expect(version.status).toBe(200);
    expect((await version.text()).trim()).toBe(MLFLOW_VERSION);
  });

  it("holds no TCP connection to anything but loopback", () => {
    const remotes = groupTcpSockets(server.pid as number).map((socket) => socket.remote);
    expect(remotes.length).toBeGreaterThan(0); // at least the listening socket
    expect(remotes.filter((address) => !isLocal(address))).toEqual([]);
  });

  it("creates an experiment with a plain fetch", async () => {
    const created = await json<{ experiment_id: string }>(
      await post(server.url, "experiments/create", { name }),
    );
    experimentId = created.experiment_id;
    expect(experimentId).toMatch(/^\d+$/);
    const duplicate = await post(server.url, "experiments/create", { name });
    expect(duplicate.status).toBe(400);
    expect(((await duplicate.json()) as { error_code: string }).error_code).toBe(
      "RESOURCE_ALREADY_EXISTS",
    );
  });

  describe("fault proxy", () => {
    let proxy: FaultProxy;
    afterAll(async () => {
      await proxy?.stop();
    });

    it("injects each fault kind once, in plan order", async () => {
      proxy = await startFaultProxy(server.url, {
        sequence: [
          "error500",
          { kind: "rateLimit", retryAfterSeconds: 1 },
          "dropBefore",
          "dropAfter",
          { kind: "delay", ms: 400 },
        ],
      });
      const observed: Array<string | number> = [];
      const headers: Array<string | null> = [];
      const took: number[] = [];
      for (let k = 0; k < 6; k++) {
        const started = Date.now();
        try {
          const response = await post(proxy.url, "experiments/create", {
            name: `${name}-fault-${k}`,
          });
          await response.arrayBuffer();
          observed.push(response.status);
          headers.push(response.headers.get("retry-after"));
        } catch {
          observed.push("connection error");
          headers.push(null);
        }
        took.push(Date.now() - started);
      }
      expect(observed).toEqual([500, 429, "connection error", "connection error", 200, 200]);
      expect(headers[1]).toBe("1");
      expect(took[4]).toBeGreaterThanOrEqual(390);
      expect(proxy.stats.requests).toBe(6);
      expect(proxy.stats.faultsInjected).toBe(5);
      expect(proxy.stats.forwarded).toBe(3);
      const kinds: FaultKind[] = ["error500", "rateLimit", "dropBefore", "dropAfter", "delay"];
      for (const kind of kinds) expect(proxy.stats.byKind[kind]).toBe(1);
      expect(proxy.stats.log.map((entry) => entry.action)).toEqual([...kinds, "pass"]);

      // What reached the server: only the forwarded ones. dropAfter is the lost response:
      // the server created the experiment although the client saw a connection error.
      const exists = await Promise.all(
        [0, 1, 2, 3, 4, 5].map(
          async (k) => (await experimentByName(server.url, `${name}-fault-${k}`)).status,
        ),
      );
      expect(exists).toEqual([404, 404, 404, 200, 200, 200]);
    });

    it("a seeded plan is deterministic and hits its rates roughly", async () => {
      const plan = {
        seed: 42,
        rates: {
          error500: 0.2,
          rateLimit: 0.1,
          dropBefore: 0.1,
          dropAfter: 0.1,
          delay: 0.1,
          delayMs: 5,
        },
      } as const;
      const actions: string[][] = [];
      for (let round = 0; round < 2; round++) {
        const seeded = await startFaultProxy(server.url, { ...plan, rates: { ...plan.rates } });
        for (let k = 0; k < 60; k++) {
          try {
            await (await fetch(`${seeded.url}/health`)).arrayBuffer();
          } catch {
            // dropped
          }
        }
        actions.push(seeded.stats.log.map((entry) => entry.action));
        expect(seeded.stats.requests).toBe(60);
        await seeded.stop();
      }
      expect(actions[0]).toEqual(actions[1]);
      const faults = (actions[0] ?? []).filter((action) => action !== "pass").length;
      expect(faults).toBeGreaterThan(20); // 60% of 60 expected
      expect(faults).toBeLessThan(52);
    });
  });

  it("keeps the data across kill() and restart() on the same port", async () => {
    const port = server.port;
    const pid = server.pid as number;
    await server.kill();
    expect(server.running).toBe(false);
    expect(processGroupMembers(pid)).toEqual([]);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    await server.restart();
    expect(server.port).toBe(port);
    expect(server.running).toBe(true);
    const found = await json<{ experiment: { experiment_id: string; name: string } }>(
      await experimentByName(server.url, name),
    );
    expect(found.experiment.experiment_id).toBe(experimentId);
  }, 150_000);

  it("the official Python client reads back runs, params, NaN metrics, tags, artifacts", async () => {
    const now = Date.now();
    const parent = await json<{ run: { info: { run_id: string } } }>(
      await post(server.url, "runs/create", {
        experiment_id: experimentId,
        run_name: "parent",
        start_time: now,
        tags: [{ key: "converge.experiment_id", value: "exp-1" }],
      }),
    );
    const parentId = parent.run.info.run_id;
    const child = await json<{ run: { info: { run_id: string; artifact_uri: string } } }>(
      await post(server.url, "runs/create", {
        experiment_id: experimentId,
        run_name: "iteration 1",
        start_time: now,
        tags: [
          { key: "mlflow.parentRunId", value: parentId },
          { key: "converge.iteration", value: "1" },
        ],
      }),
    );
    const childId = child.run.info.run_id;
    await json(
      await post(server.url, "runs/log-batch", {
        run_id: childId,
        params: [{ key: "lookback", value: "20" }],
        metrics: [
          { key: "sharpe_ratio", value: 1.25, timestamp: now, step: 0 },
          { key: "win_rate", value: "NaN", timestamp: now, step: 0 },
        ],
      }),
    );
    await json(
      await post(server.url, "runs/log-batch", {
        run_id: parentId,
        metrics: [1, 2, 3].map((step) => ({
          key: "sharpe_ratio",
          value: step / 2,
          timestamp: now,
          step,
        })),
      }),
    );
    expect(child.run.info.artifact_uri).toMatch(/^mlflow-artifacts:\//);
    const artifactPath = child.run.info.artifact_uri.replace(/^mlflow-artifacts:\/*/, "");
    const put = await fetch(
      `${server.url}/api/2.0/mlflow-artifacts/artifacts/${artifactPath}/record.json`,
      { method: "PUT", body: '{"iteration":1}' },
    );
    expect(put.status).toBe(200);

    const result = await readBack(server, {
      experimentName: name,
      convergeExperimentId: "exp-1",
      readArtifacts: ["record.json"],
    });
    expect(result.mlflow_version).toBe(MLFLOW_VERSION);
    expect(result.experiment?.experiment_id).toBe(experimentId);
    expect(result.parent?.run_id).toBe(parentId);
    expect(result.parent?.metric_history?.sharpe_ratio?.map((m) => [m.step, m.value])).toEqual([
      [1, 0.5],
      [2, 1],
      [3, 1.5],
    ]);
    expect(result.children).toHaveLength(1);
    const [readChild] = result.children;
    expect(readChild?.parent_run_id).toBe(parentId);
    expect(readChild?.params).toEqual({ lookback: "20" });
    expect(readChild?.metrics).toEqual({ sharpe_ratio: 1.25, win_rate: "NaN" });
    expect(readChild?.tags["converge.iteration"]).toBe("1");
    expect(readChild?.artifacts).toEqual([{ path: "record.json", file_size: 15 }]);
    expect(readChild?.artifact_contents).toEqual({ "record.json": '{"iteration":1}' });
  }, 120_000);

  it("the Python baseline logger runs and counts its requests", async () => {
    const result = await logWithPython(server, {
      experimentName: `${name}-python`,
      iterations: 3,
    });
    expect(result.iterations).toBe(3);
    expect(result.requests_per_iteration).toBeGreaterThanOrEqual(4);
    const back = await readBack(server, { experimentName: `${name}-python`, artifacts: false });
    expect(back.children).toHaveLength(3);
    expect(Object.keys(back.children[0]?.params ?? {})).toHaveLength(10);
    expect(Object.keys(back.parent?.metric_history ?? {})).toHaveLength(10);
  }, 120_000);

  it("stop() leaves no process and no data behind", async () => {
    const pid = server.pid as number;
    const dir = server.dir;
    expect(processGroupMembers(pid).length).toBeGreaterThan(0);
    await server.stop();
    expect(processGroupMembers(pid)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    await server.stop(); // idempotent
  }, 30_000);
});
