/**
 * The team deployment's fixtures: mlflow on a throwaway PostgreSQL cluster with its
 * artifacts in moto's S3, all on 127.0.0.1, all gone after stop().
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type MlflowServer, processGroupMembers, startMlflowServer } from "./mlflow-server.js";
import type { MotoS3 } from "./moto-s3.js";
import { type PostgresCluster, teamSuiteGate } from "./postgres.js";
import { readBack } from "./python.js";
import { groupTcpSockets, isLocal, isLoopback, socketPort } from "./sockets.js";

const gate = await teamSuiteGate("MLflow test harness on PostgreSQL + S3");

const API = "/api/2.0/mlflow";

async function call<T>(base: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${API}/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${path}: ${text}`);
  return JSON.parse(text) as T;
}

describe.skipIf(gate.skip)("MLflow test harness: PostgreSQL + moto S3", () => {
  let server: MlflowServer;
  let pg: PostgresCluster;
  let s3: MotoS3;
  const name = `team-harness-${Date.now()}`;
  const content = '{"iteration":1,"note":"ünïcödé ✓"}';
  let experimentId = "";
  let runId = "";

  beforeAll(async () => {
    server = await startMlflowServer({ backend: "postgres", artifacts: "s3", workers: "default" });
    pg = server.postgres as PostgresCluster;
    s3 = server.s3 as MotoS3;
    console.info(
      `[team-harness] postgres ready in ${pg.startMs} ms, moto in ${s3.startMs} ms, mlflow /health after ${server.startMs} ms`,
    );
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  it("PostgreSQL, moto and mlflow listen on 127.0.0.1 only, each on its own port", async () => {
    expect(server.backend).toBe("postgres");
    expect(server.artifacts).toBe("s3");
    expect(server.backendUri).toBe(
      `postgresql+psycopg2://mlflow:${pg.password}@127.0.0.1:${pg.port}/mlflow`,
    );
    expect(server.artifactsDestination).toBe("s3://converge-artifacts/mlflow");
    // workers: "default" leaves --workers out: mlflow 3.x starts 4 uvicorn workers (the
    // first one up answers /health; the others may still be starting).
    await vi.waitFor(
      () => expect(server.output().match(/Started server process/g)).toHaveLength(4),
      { timeout: 60_000, interval: 200 },
    );
    expect((await pg.psql("SHOW listen_addresses")).trim()).toBe("127.0.0.1");
    const groups = [
      ["mlflow", server.pid, server.port],
      ["postgres", pg.pid, pg.port],
      ["moto", s3.pid, s3.port],
    ] as const;
    for (const [what, pid, port] of groups) {
      const listening = groupTcpSockets(pid as number).filter((socket) => socket.state === "0A");
      expect(
        listening.map((socket) => socketPort(socket.local)),
        what,
      ).toContain(port);
      expect(
        listening.filter((socket) => !isLoopback(socket.local)),
        `${what} listens beyond loopback`,
      ).toEqual([]);
    }
  }, 90_000);

  it("a run lands in PostgreSQL and its artifact in the S3 bucket", async () => {
    ({ experiment_id: experimentId } = await call<{ experiment_id: string }>(
      server.url,
      "experiments/create",
      { name },
    ));
    const created = await call<{ run: { info: { run_id: string; artifact_uri: string } } }>(
      server.url,
      "runs/create",
      { experiment_id: experimentId, run_name: "r1", start_time: Date.now() },
    );
    runId = created.run.info.run_id;
    await call(server.url, "runs/log-batch", {
      run_id: runId,
      params: [{ key: "lookback", value: "20" }],
      metrics: [{ key: "sharpe", value: 1.25, timestamp: Date.now(), step: 0 }],
    });
    expect(created.run.info.artifact_uri).toBe(
      `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
    );
    const put = await fetch(
      `${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/notes/record.json`,
      { method: "PUT", body: content },
    );
    expect(put.status).toBe(200);

    // In PostgreSQL's tables, as the server wrote them.
    expect(
      (await pg.psql(`SELECT value FROM params WHERE run_uuid = '${runId}'`, "mlflow")).trim(),
    ).toBe("20");
    expect(
      (await pg.psql(`SELECT name FROM experiments WHERE name = '${name}'`, "mlflow")).trim(),
    ).toBe(name);
    // In the bucket, under the destination's prefix, byte for byte.
    const key = `mlflow/${experimentId}/${runId}/artifacts/notes/record.json`;
    const objects = await s3.listObjects();
    expect(objects).toContainEqual({ key, size: Buffer.byteLength(content) });
    expect(await s3.getObject(key)).toBe(content);
    // And as the official Python client reads it back through the server.
    const back = await readBack(server, {
      experimentName: name,
      readArtifacts: ["notes/record.json"],
    });
    expect(back.parents.map((run) => run.run_id)).toEqual([runId]);
    expect(back.parent?.params).toEqual({ lookback: "20" });
    expect(back.parent?.metrics).toEqual({ sharpe: 1.25 });
    expect(back.parent?.artifact_contents).toEqual({ "notes/record.json": content });
  }, 120_000);

  it("a missing artifact: mlflow answers 500 INTERNAL_ERROR naming S3's 404, not a 404 as with local artifacts", async () => {
    // A fact of mlflow 3.17.2 with an S3 destination that a client must live with: the
    // proxy's download of a key that does not exist fails in boto3's HeadObject.
    const response = await fetch(
      `${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/missing.json`,
    );
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error_code: string; message: string };
    expect(body.error_code).toBe("INTERNAL_ERROR");
    expect(body.message).toMatch(/\(404\) when calling the HeadObject operation: Not Found/);
  });

  it("no process of the three holds a TCP connection to anything but loopback", () => {
    for (const pid of [server.pid, pg.pid, s3.pid]) {
      const remotes = groupTcpSockets(pid as number).map((socket) => socket.remote);
      expect(remotes.filter((address) => !isLocal(address))).toEqual([]);
    }
  });

  it("the database password and the dummy S3 keys appear in no output and no run", async () => {
    const secrets = {
      "PostgreSQL password": pg.password,
      "S3 secret key": s3.serverEnv.AWS_SECRET_ACCESS_KEY ?? "",
      "S3 access key id": s3.serverEnv.AWS_ACCESS_KEY_ID ?? "",
    };
    for (const value of Object.values(secrets)) expect(value.length).toBeGreaterThanOrEqual(16);
    // A download through mlflow's artifact proxy: mlflow fetches it from S3 with a presigned
    // URL, whose query string holds the access key id (moto's request log would show it).
    const download = await fetch(
      `${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/notes/record.json`,
    );
    expect(await download.text()).toBe(content);
    const places = {
      "mlflow's output": server.output(),
      "PostgreSQL's output": pg.output(),
      "moto's output": s3.output(),
      "the run": JSON.stringify(await call(server.url, `runs/get?run_id=${runId}`)),
      "the experiment": JSON.stringify(
        await call(server.url, `experiments/get?experiment_id=${experimentId}`),
      ),
    };
    for (const [where, text] of Object.entries(places)) {
      for (const [what, value] of Object.entries(secrets)) {
        expect(text.includes(value), `${what} in ${where}`).toBe(false);
      }
    }
  });

  it("kill() and restart() take down mlflow only: PostgreSQL and moto keep running with the data", async () => {
    const mlflowPid = server.pid as number;
    const [pgPid, s3Pid] = [pg.pid, s3.pid];
    await server.kill();
    expect(processGroupMembers(mlflowPid)).toEqual([]);
    expect(pg.running && s3.running).toBe(true);
    await server.restart();
    expect([pg.pid, s3.pid]).toEqual([pgPid, s3Pid]);
    const got = await call<{ run: { data: { params: unknown[] } } }>(
      server.url,
      `runs/get?run_id=${runId}`,
    );
    expect(got.run.data.params).toEqual([{ key: "lookback", value: "20" }]);
    const artifact = await fetch(
      `${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/notes/record.json`,
    );
    expect(await artifact.text()).toBe(content);
  }, 150_000);

  it("stop() leaves no process and no directory behind", async () => {
    const pids = [server.pid, pg.pid, s3.pid] as number[];
    const dirs = [server.dir, pg.dir, s3.dir];
    for (const pid of pids) expect(processGroupMembers(pid).length).toBeGreaterThan(0);
    await server.stop();
    for (const pid of pids) expect(processGroupMembers(pid)).toEqual([]);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    expect(pg.running || s3.running || server.running).toBe(false);
    await server.stop(); // idempotent
  }, 60_000);
});
