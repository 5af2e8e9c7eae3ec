/**
 * The outage matrix: the server down when the loop starts, in the middle,
 * and at the end (and only the parent's trajectory refused), then `sync`.
 * After each, the parent run's history of every metric equals the records,
 * step for step, and every iteration is one child run.
 */
import { createTracker, type ExperimentRecord, parseRecord } from "@converge/core";
import { describe, expect, test } from "vitest";
import { createMlflowClient } from "../client/index.js";
import { type MlflowStoreNotice, mlflowKey, mlflowStore } from "../index.js";
import { startFaultProxy } from "../test-fixtures/fault-proxy.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { childRuns, firstDifference, generated, tempDir, useMlflowServer } from "./helpers.js";

const gate = await mlflowSuiteGate("storage-mlflow parent history");

/** Quick to give up while the server is down, so the test spends its time on the outage itself. */
const QUICK = { timeoutMs: 2000, maxRetries: 1, retryBudgetMs: 500 } as const;

/** The parent's history of every metric (and the gate score), as `step value` lines, against the records'. */
async function expectParentEqualsRecords(
  trackingUri: string,
  experimentName: string,
  id: string,
  records: readonly ExperimentRecord[],
): Promise<void> {
  const client = createMlflowClient({ trackingUri });
  const exp = await client.getExperimentByName(experimentName);
  const [parent, ...others] = await client.searchRuns({
    experimentIds: [exp?.experiment_id ?? ""],
    filter: `tags.\`converge.experiment_id\` = '${id}' and tags.\`converge.kind\` = 'experiment'`,
  });
  expect(others).toHaveLength(0);
  const keys = new Set<string>(["gate_score"]);
  for (const r of records) for (const name of Object.keys(r.metrics)) keys.add(name);
  for (const name of keys) {
    const history = await client.getMetricHistory(parent?.info.run_id ?? "", mlflowKey(name));
    const got = history
      .map((m) => `${m.step} ${String(m.value)}`)
      .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
    const want = records
      .filter((r) => (name === "gate_score" ? r.gate_score !== null : name in r.metrics))
      .map(
        (r) => `${r.iteration} ${String(name === "gate_score" ? r.gate_score : r.metrics[name])}`,
      );
    expect(got, `the parent's history of ${name}`).toEqual(want);
  }
  const children = await childRuns(trackingUri, experimentName, id);
  expect(children.map((c) => c.info.run_name).sort()).toEqual(
    records.map((r) => `#${r.iteration} · ${id}`).sort(),
  );
  await client.close();
}

/** Records with a few metrics, NaN and ±Infinity among them. */
function loopRecords(id: string, n: number): ExperimentRecord[] {
  return generated(id, n).map((r) =>
    parseRecord({
      ...r,
      metrics: { sharpe: r.metrics.sharpe, upside: r.metrics.upside, m0: r.metrics.m0 },
    }),
  );
}

describe.skipIf(gate.skip)(
  "the parent run's trajectory after outages, against a real MLflow server",
  () => {
    const mlflow = useMlflowServer();

    test("down when the loop starts: the tracker starts on the spool at once, sync makes the parent and children exactly once", async () => {
      const spoolDir = tempDir();
      const notices: MlflowStoreNotice[] = [];
      await mlflow.server.kill();
      const store = mlflowStore({
        trackingUri: mlflow.server.url,
        experimentName: "outage-start",
        spoolDir,
        ...QUICK,
        onNotice: (n) => notices.push(n),
      });
      const t0 = performance.now();
      const run = await createTracker({ store }).start({
        experimentId: "start",
        directive: "survive a server that is down at start",
        gate: { criteria: [{ metric: "sharpe", op: ">=", threshold: 1 }] },
      });
      const startMs = performance.now() - t0;
      for (let i = 1; i <= 12; i++) {
        await run.log({ parameters: { p: i }, metrics: { sharpe: i / 10, m0: Math.sin(i) } });
      }
      await run.finish("SUCCESS");
      await store.close();
      console.log(`start while the server is down: ${startMs.toFixed(0)} ms`);
      expect(startMs).toBeLessThan(QUICK.timeoutMs + 3000); // no retry budget spent on the way in
      expect(notices.some((n) => n.kind === "offline")).toBe(true);
      expect(
        notices.some((n) => n.kind === "sync-failed" && /stay in the spool/.test(n.message)),
      ).toBe(true);

      await mlflow.server.restart();
      const later = mlflowStore({
        trackingUri: mlflow.server.url,
        experimentName: "outage-start",
        spoolDir,
      });
      expect(await later.pending()).toBe(12);
      const result = await later.sync();
      expect(result).toMatchObject({ uploaded: 12, failed: 0 });
      expect((await later.sync()).uploaded).toBe(0);
      const records = await later.read("start");
      expect(records.map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect((await later.readMeta("start"))?.status).toBe("SUCCESS");
      await later.close();
      await expectParentEqualsRecords(mlflow.server.url, "outage-start", "start", records);
    }, 180_000);

    test("down in the middle and at the end: what the first process could not send, a later sync sends, and the parent's history is exact", async () => {
      for (const when of ["middle", "end"] as const) {
        const spoolDir = tempDir();
        const id = `outage_${when}`;
        const records = loopRecords(id, 40);
        const store = mlflowStore({
          trackingUri: mlflow.server.url,
          experimentName: "outage",
          spoolDir,
          ...QUICK,
        });
        const cut = when === "middle" ? 15 : 40;
        for (const r of records.slice(0, cut)) await store.append(r);
        if (when === "middle") await store.flush();
        // At the end, the server dies while the sender is still at work.
        await mlflow.server.kill();
        for (const r of records.slice(cut)) await store.append(r);
        await store.close(); // what could not be sent stays in the spool
        await mlflow.server.restart();
        const later = mlflowStore({
          trackingUri: mlflow.server.url,
          experimentName: "outage",
          spoolDir,
        });
        const result = await later.sync();
        expect(result.failed, when).toBe(0);
        expect(await later.pending()).toBe(0);
        const back = await later.read(id);
        expect(back).toHaveLength(40);
        for (let i = 0; i < 40; i++)
          expect(firstDifference(back[i], records[i]), `${when} ${i + 1}`).toBeUndefined();
        await later.close();
        await expectParentEqualsRecords(mlflow.server.url, "outage", id, records);
      }
    }, 300_000);

    test("the parent's trajectory lost on the way while children arrive: sync rebuilds it from the records", async () => {
      const proxy = await startFaultProxy(mlflow.server.url, { sequence: [] });
      const spoolDir = tempDir();
      const id = "parent_refused";
      const records = loopRecords(id, 30);
      const store = mlflowStore({
        trackingUri: proxy.url,
        experimentName: "outage",
        spoolDir,
        ...QUICK,
      });
      await store.append(records[0] as ExperimentRecord);
      await store.flush();
      const exp = await store.client.getExperimentByName("outage");
      const [parent] = await store.client.searchRuns({
        experimentIds: [exp?.experiment_id ?? ""],
        filter: `tags.\`converge.experiment_id\` = '${id}' and tags.\`converge.kind\` = 'experiment'`,
      });
      const parentBatch = `"run_id": "${parent?.info.run_id}"`;
      // Every log-batch to the parent is lost on the way; the children's go through.
      proxy.setPlan((info) =>
        info.path.includes("/runs/log-batch") &&
        info.body.replace(/\s/g, "").includes(parentBatch.replace(/\s/g, ""))
          ? "dropBefore"
          : null,
      );
      for (const r of records.slice(1)) await store.append(r);
      // The sender pauses whenever the parent's batch is lost, and goes on with the children after.
      for (
        let waited = 0;
        (await childRuns(mlflow.server.url, "outage", id)).length < 30;
        waited++
      ) {
        if (waited > 120) throw new Error("the children did not all arrive within 60 s");
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await store.close(); // every record is on the server; only the parent's points are not
      expect(proxy.stats.byKind.dropBefore).toBeGreaterThan(0);
      expect(await store.pending()).toBe(0);
      proxy.setPlan({ sequence: [] });
      const notices: MlflowStoreNotice[] = [];
      const later = mlflowStore({
        trackingUri: proxy.url,
        experimentName: "outage",
        spoolDir,
        onNotice: (n) => notices.push(n),
      });
      const result = await later.sync();
      expect(result).toMatchObject({ uploaded: 0, skipped: 0, failed: 0 });
      expect(notices.find((n) => n.kind === "parent-rebuilt")?.message).toMatch(
        /from 30 records: \d+ missing point/,
      );
      await later.close();
      await proxy.stop();
      await expectParentEqualsRecords(mlflow.server.url, "outage", id, records);
    }, 180_000);
  },
);
