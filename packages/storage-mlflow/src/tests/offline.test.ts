import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { MlflowError, type MlflowStoreNotice, mlflowStore } from "../index.js";
import { startFaultProxy } from "../test-fixtures/fault-proxy.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { childRuns, firstDifference, generated, tempDir, useMlflowServer } from "./helpers.js";

const gate = await mlflowSuiteGate("storage-mlflow offline spool");

describe.skipIf(gate.skip)("offline spool and sync against a real MLflow server", () => {
  const mlflow = useMlflowServer();

  test("server killed mid-run: records spool, appends keep resolving; after restart sync leaves exactly the logged set", async () => {
    const spoolDir = tempDir();
    const notices: MlflowStoreNotice[] = [];
    const store = mlflowStore({
      trackingUri: mlflow.server.url,
      experimentName: "offline",
      spoolDir,
      timeoutMs: 2000,
      maxRetries: 3,
      retryBudgetMs: 1500,
      onNotice: (n) => notices.push(n),
    });
    const id = "killed";
    const records = generated(id, 30);
    await store.writeMeta({ experiment_id: id, directive: "survive a dead server" } as never);
    for (const r of records.slice(0, 12)) await store.append(r);
    await store.flush();
    await mlflow.server.kill();
    const t0 = Date.now();
    for (const r of records.slice(12)) await store.append(r); // the loop carries on
    console.log(`18 appends while the server was dead: ${Date.now() - t0} ms`);
    await store.writeMeta({
      experiment_id: id,
      directive: "survive a dead server",
      status: "SUCCESS",
    } as never);
    // The sender tried, found the server gone, and keeps everything in the spool.
    expect(MlflowError.isInstance(await store.flush().catch((e: unknown) => e))).toBe(true);
    expect(await store.pending()).toBe(18);
    expect(notices.filter((n) => n.kind === "spooled")).toHaveLength(1); // once, when the spool starts
    const spoolLines = readFileSync(`${spoolDir}/${id}.jsonl`, "utf8").trim().split("\n");
    expect(spoolLines.map((l) => JSON.parse(l).iteration)).toEqual(
      records.slice(12).map((r) => r.iteration),
    );
    expect((await store.readMeta(id))?.status).toBe("SUCCESS"); // the spooled meta

    // The same iteration appended again while spooled: a no-op; a different one: a conflict.
    await store.append(records[20] as never);
    expect(await store.pending()).toBe(18);

    await mlflow.server.restart();
    const progress: number[] = [];
    const result = await store.sync({ onProgress: (done) => progress.push(done) });
    expect(result).toMatchObject({ failed: 0 });
    expect(result.uploaded + result.skipped).toBe(18);
    expect(progress.at(-1)).toBe(18);
    expect(await store.pending()).toBe(0);
    expect((await store.sync()).uploaded).toBe(0); // nothing left, nothing doubled

    const back = await store.read(id);
    expect(back).toHaveLength(30);
    for (let i = 0; i < 30; i++)
      expect(firstDifference(back[i], records[i]), `iteration ${i + 1}`).toBeUndefined();
    const runs = await childRuns(mlflow.server.url, "offline", id);
    expect(runs).toHaveLength(30);
    expect(new Set(runs.map((r) => r.info.run_name)).size).toBe(30);
    expect((await store.readMeta(id))?.status).toBe("SUCCESS");
    // Later appends go straight to the server again.
    const [next] = generated(id, 31).slice(30);
    await store.append(next as never);
    await store.flush();
    expect(await store.pending()).toBe(0);
    expect(await childRuns(mlflow.server.url, "offline", id)).toHaveLength(31);
    await store.close();
  }, 240_000);

  test("a record whose child run was created but never finished is completed by sync, not duplicated", async () => {
    const proxy = await startFaultProxy(mlflow.server.url, { sequence: [] });
    const store = mlflowStore({
      trackingUri: proxy.url,
      experimentName: "half",
      spoolDir: tempDir(),
      timeoutMs: 2000,
      maxRetries: 2,
      retryBudgetMs: 1000,
    });
    const id = "half";
    const records = generated(id, 6);
    for (const r of records.slice(0, 2)) await store.append(r);
    await store.flush();
    // From now on every runs/update is lost: the child run of iteration 3 exists, unfinished.
    proxy.setPlan((info) => (info.path.includes("/runs/update") ? "dropBefore" : null));
    for (const r of records.slice(2)) await store.append(r);
    expect(MlflowError.isInstance(await store.flush().catch((e: unknown) => e))).toBe(true);
    expect(await store.pending()).toBe(4);
    proxy.setPlan({ sequence: [] });
    const result = await store.sync();
    expect(result.failed).toBe(0);
    expect(result.uploaded).toBe(4);
    const runs = await childRuns(mlflow.server.url, "half", id);
    expect(runs.map((r) => r.info.run_name).sort()).toEqual(
      records.map((r) => `#${r.iteration} · ${id}`).sort(),
    );
    expect(runs.every((r) => r.info.status === "FINISHED")).toBe(true);
    const back = await store.read(id);
    expect(back.map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5, 6]);
    for (let i = 0; i < 6; i++) expect(firstDifference(back[i], records[i])).toBeUndefined();
    await store.close();
    await proxy.stop();
  }, 120_000);
});
