/**
 * The team deployment: `mlflow server` on PostgreSQL with its artifacts in S3 (moto), with
 * mlflow's default workers. The round trip, the outage and the Python-client cross-check
 * that roundtrip/offline/crosscheck.test.ts run on SQLite + local artifacts, and, on this
 * backend only (it is the long one), 4 loops in separate processes.
 */
import { execFile, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type ExperimentRecord, serializeRecord } from "@converge/core";
import { captureOutput } from "@converge/test-kit";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { canonicalParamValue } from "../client/index.js";
import { mlflowKey, mlflowStore } from "../index.js";
import { type MlflowServer, startMlflowServer } from "../test-fixtures/mlflow-server.js";
import type { MotoS3 } from "../test-fixtures/moto-s3.js";
import { teamSuiteGate } from "../test-fixtures/postgres.js";
import { type ReadBackNumber, type ReadBackRun, readBack } from "../test-fixtures/python.js";
import { firstDifference, generated, tempDir } from "./helpers.js";

const gate = await teamSuiteGate("storage-mlflow on PostgreSQL + S3");

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const writer = fileURLToPath(new URL("../test-fixtures/team-writer.mjs", import.meta.url));

const num = (v: ReadBackNumber | undefined): number =>
  v === "NaN"
    ? Number.NaN
    : v === "Infinity"
      ? Number.POSITIVE_INFINITY
      : v === "-Infinity"
        ? Number.NEGATIVE_INFINITY
        : (v as number);
/** ±Infinity is stored as ±max double; the Python client reads that number. */
const asStored = (v: number): number =>
  Number.isFinite(v) || Number.isNaN(v) ? v : Math.sign(v) * Number.MAX_VALUE;

function expectSameRecords(back: ExperimentRecord[], records: ExperimentRecord[]): void {
  expect(back).toHaveLength(records.length);
  for (let i = 0; i < records.length; i++) {
    expect(firstDifference(back[i], records[i]), `iteration ${i + 1}`).toBeUndefined();
  }
}

/** The iterations of an experiment's child runs, each once, with one parent and no orphan. */
function expectExactlyOnce(runs: ReadBackRun[], parentId: string, n: number): void {
  const iterations = runs.map((run) => Number(run.tags["converge.iteration"]));
  expect(iterations.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(runs.filter((run) => run.parent_run_id !== parentId)).toEqual([]);
}

interface WriterResult {
  ok: boolean;
  id?: string;
  appended?: number;
  appendMs?: number;
  maxAppendMs?: number;
  closeMs?: number;
  pending?: number | null;
  notices?: string[];
  error?: string;
}

/** Runs team-writer.mjs (the built package) and resolves with its JSON line. */
function runWriter(args: string[]): Promise<WriterResult> {
  // A loop's machine has no S3 keys (artifacts go through the server's proxy) and no
  // inherited tracking settings.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(MLFLOW_|AWS_)/.test(key)),
  );
  const out = captureOutput(spawn(process.execPath, [writer, ...args], { env, stdio: "pipe" }));
  return out.closed.then(({ code }) => {
    try {
      return JSON.parse(out.stdout.trim().split("\n").pop() ?? "") as WriterResult;
    } catch {
      throw new Error(`team-writer exited ${code} without a result:\n${out.stdout}\n${out.stderr}`);
    }
  });
}

describe.skipIf(gate.skip)("mlflowStore on PostgreSQL + S3 (mlflow's default workers)", () => {
  let server: MlflowServer;
  const s3 = (): MotoS3 => server.s3 as MotoS3;

  beforeAll(async () => {
    // The concurrent loops import the built package: bring dist up to date (a no-op when
    // it is; tsc -b is incremental) while the servers start.
    const tsc = join(packageDir, "../../node_modules/typescript/bin/tsc");
    const build = promisify(execFile)(process.execPath, [tsc, "-b", packageDir]);
    build.catch(() => undefined); // awaited below; not unhandled if the servers fail first
    server = await startMlflowServer({ backend: "postgres", artifacts: "s3", workers: "default" });
    await build;
    console.info(
      `[team] postgres ${server.postgres?.startMs} ms, moto ${server.s3?.startMs} ms, mlflow /health ${server.startMs} ms`,
    );
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  describe("a 60-iteration experiment", () => {
    const experimentName = "team-roundtrip";
    const id = "team_rt";
    const records = generated(id, 60);
    const report = "<html><body>report ✓ 日本語</body></html>";

    beforeAll(async () => {
      const store = mlflowStore({ trackingUri: server.url, experimentName, spoolDir: tempDir() });
      await store.writeMeta({ experiment_id: id, directive: "Reach Sharpe ≥ 1 — team" } as never);
      for (const r of records) await store.append(r);
      await store.writeMeta({
        experiment_id: id,
        directive: "Reach Sharpe ≥ 1 — team",
        status: "SUCCESS",
      } as never);
      await store.logArtifact(id, "report.html", report);
      await store.close();
    }, 180_000);

    test("comes back identical, field for field, in a fresh store (meta and list too)", async () => {
      const store = mlflowStore({ trackingUri: server.url, experimentName, spoolDir: tempDir() });
      expectSameRecords(await store.read(id), records);
      const meta = await store.readMeta(id);
      expect(meta?.directive).toBe("Reach Sharpe ≥ 1 — team");
      expect(meta?.status).toBe("SUCCESS");
      expect((await store.list()).map((listing) => listing.experiment_id)).toEqual([id]);
      expect(await store.pending()).toBe(0);
      await store.close();
    }, 120_000);

    test("the official Python client reads the params, metrics and tags; every artifact is an object in S3", async () => {
      const back = await readBack(server, {
        experimentName,
        convergeExperimentId: id,
        readArtifacts: ["report.html"],
      });
      const parent = back.parent;
      expect(parent).not.toBeNull();
      if (!parent) return;
      expect(back.orphans).toEqual([]);
      expect(parent.status).toBe("FINISHED");
      expect(parent.tags["converge.kind"]).toBe("experiment");
      expect(parent.artifact_contents?.["report.html"]).toBe(report);
      const m0 = parent.metric_history?.m0 ?? [];
      expect(m0.map((point) => [point.step, point.value])).toEqual(
        records.map((r) => [r.iteration, r.metrics.m0]),
      );
      expect(back.children).toHaveLength(60);
      expectExactlyOnce(back.children, parent.run_id, 60);
      // They are rows of PostgreSQL's tables: the parent and its 60 children.
      const rows = await server.postgres?.psql(
        `SELECT count(*) FROM runs WHERE experiment_id = ${Number(parent.experiment_id)}`,
        "mlflow",
      );
      expect(rows?.trim()).toBe("61");
      for (const child of back.children) {
        const r = records[Number(child.tags["converge.iteration"]) - 1] as ExperimentRecord;
        expect(child.status).toBe("FINISHED");
        expect(child.tags).toMatchObject({
          "converge.experiment_id": id,
          "converge.kind": "iteration",
        });
        expect(Object.keys(child.params).sort()).toEqual(
          Object.keys(r.parameters).map(mlflowKey).sort(),
        );
        for (const [name, value] of Object.entries(r.parameters)) {
          const text = canonicalParamValue(value);
          const got = child.params[mlflowKey(name)] ?? "";
          if (text.length <= 6000) expect(got, `${name} of ${r.iteration}`).toBe(text);
          else expect(got).toMatch(/full value in artifact converge\/params\//);
        }
        for (const [name, value] of Object.entries(r.metrics)) {
          const got = num(child.metrics[mlflowKey(name)]);
          expect(Object.is(got, asStored(value)), `${name} of ${r.iteration}`).toBe(true);
        }
      }
      // The artifacts went through the server's proxy into the bucket: every file the
      // client lists is an object of the same size under s3://<bucket>/<prefix>/<exp>/<run>/,
      // and the bucket holds nothing else for this experiment.
      const runs = [parent, ...back.children];
      const expected = runs.flatMap((run) =>
        (run.artifacts ?? []).map((file) => ({
          key: `${s3().prefix}/${run.experiment_id}/${run.run_id}/artifacts/${file.path}`,
          size: file.file_size,
        })),
      );
      const objects = await s3().listObjects(`${s3().prefix}/${parent.experiment_id}/`);
      expect(objects.sort((a, b) => a.key.localeCompare(b.key))).toEqual(
        expected.sort((a, b) => a.key.localeCompare(b.key)),
      );
      const long = back.children.find((run) => run.tags["converge.iteration"] === "50");
      const longFile = (long?.artifacts ?? []).find((file) =>
        file.path.startsWith("converge/params/"),
      );
      expect(longFile).toBeDefined();
      const longKey = `${s3().prefix}/${parent.experiment_id}/${long?.run_id}/artifacts/${longFile?.path}`;
      expect(await s3().getObject(longKey)).toBe(records[49]?.parameters.long_text);
      expect(
        await s3().getObject(
          `${s3().prefix}/${parent.experiment_id}/${parent.run_id}/artifacts/report.html`,
        ),
      ).toBe(report);
    }, 120_000);
  });

  test("on S3, an experiment without converge/meta.json: readMeta gives null and list lists it", async () => {
    // Records appended without writeMeta (or imported from a JSONL directory without a meta
    // file) leave a parent run with no meta. With S3, mlflow answers the download of a missing
    // artifact with 500 INTERNAL_ERROR "(404) when calling the HeadObject operation"
    // (team-harness.test.ts), so the store lists the directory before it downloads.
    const experimentName = "team-no-meta";
    const id = "team_no_meta";
    const store = mlflowStore({
      trackingUri: server.url,
      experimentName,
      spoolDir: tempDir(),
      maxRetries: 0,
    });
    for (const r of generated(id, 2)) await store.append(r);
    await store.flush();
    expect((await store.read(id)).map((r) => r.iteration)).toEqual([1, 2]);
    const fresh = mlflowStore({
      trackingUri: server.url,
      experimentName,
      spoolDir: tempDir(),
      maxRetries: 0,
    });
    expect(await fresh.readMeta(id)).toBeNull();
    expect((await fresh.list()).map((l) => l.experiment_id)).toEqual([id]);
    await fresh.close();
    await store.close();
  }, 120_000);

  test("outage: mlflow killed mid-loop, appends go on; after restart sync leaves exactly the logged set", async () => {
    const experimentName = "team-outage";
    const id = "team_outage";
    const records = generated(id, 40);
    const options = {
      trackingUri: server.url,
      experimentName,
      timeoutMs: 2000,
      maxRetries: 3,
      retryBudgetMs: 1500,
    };
    const store = mlflowStore({ ...options, spoolDir: tempDir() });
    await store.writeMeta({ experiment_id: id, directive: "survive a dead server" } as never);
    for (const r of records.slice(0, 15)) await store.append(r);
    await server.kill();
    const t0 = Date.now();
    for (const r of records.slice(15)) await store.append(r); // the loop carries on
    console.info(`[team] 25 appends while mlflow was down: ${Date.now() - t0} ms`);
    expect(await store.pending()).toBeGreaterThan(0); // they waited in the spool
    // Only mlflow died: the database and the object store kept running.
    expect(server.postgres?.running && server.s3?.running).toBe(true);
    await server.restart();
    const result = await store.sync();
    expect(result.failed).toBe(0);
    expect(await store.pending()).toBe(0);
    await store.close();

    // A fresh store with the default timeouts: the restarted workers' first S3 downloads
    // (boto3 starting up in each) can take longer than the 2 s the loop's store allows.
    const fresh = mlflowStore({ trackingUri: server.url, experimentName, spoolDir: tempDir() });
    expectSameRecords(await fresh.read(id), records);
    await fresh.close();
    const back = await readBack(server, {
      experimentName,
      convergeExperimentId: id,
      history: "none",
      artifacts: false,
    });
    expect(back.parents).toHaveLength(1);
    expect(back.orphans).toEqual([]);
    expect(back.children).toHaveLength(40);
    expectExactlyOnce(back.children, back.parent?.run_id ?? "", 40);
    expect(back.children.every((run) => run.status === "FINISHED")).toBe(true);
  }, 240_000);

  test("4 loops in separate processes × 200 iterations into one MLflow experiment: every record lands exactly once", async () => {
    const experimentName = "team-concurrency";
    const loops = [0, 1, 2, 3].map((k) => {
      const id = `team_loop_${k}`;
      const records = generated(id, 200);
      const file = join(tempDir(), "records.jsonl");
      writeFileSync(file, `${records.map(serializeRecord).join("\n")}\n`);
      return { id, records, file };
    });
    const t0 = Date.now();
    const results = await Promise.all(
      loops.map((loop) => runWriter([server.url, experimentName, tempDir(), loop.file])),
    );
    const wallMs = Date.now() - t0;
    console.info(
      `[team] 4 processes × 200 iterations: ${wallMs} ms wall; per process ${JSON.stringify(
        results.map(({ appendMs, maxAppendMs, closeMs }) => ({ appendMs, maxAppendMs, closeMs })),
      )}`,
    );
    for (const result of results) {
      expect(result.error).toBeUndefined();
      expect(result).toMatchObject({ ok: true, appended: 200, pending: 0 });
    }

    const back = await readBack(server, { experimentName, history: "none", artifacts: false });
    expect(back.orphans).toEqual([]);
    expect(back.children).toHaveLength(800);
    for (const loop of loops) {
      const parents = back.parents.filter((run) => run.tags["converge.experiment_id"] === loop.id);
      expect(parents, loop.id).toHaveLength(1);
      const children = back.children.filter(
        (run) => run.tags["converge.experiment_id"] === loop.id,
      );
      expect(children, loop.id).toHaveLength(200);
      expectExactlyOnce(children, parents[0]?.run_id ?? "", 200);
    }
    const store = mlflowStore({ trackingUri: server.url, experimentName, spoolDir: tempDir() });
    for (const loop of loops) expectSameRecords(await store.read(loop.id), loop.records);
    expect((await store.list()).map((listing) => listing.experiment_id).sort()).toEqual(
      loops.map((loop) => loop.id),
    );
    await store.close();
  }, 600_000);
});
