import { describe, expect, test } from "vitest";
import { createMlflowClient } from "../client/index.js";
import { mlflowStore } from "../index.js";
import { startFaultProxy } from "../test-fixtures/fault-proxy.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { childRuns, firstDifference, generated, tempDir, useMlflowServer } from "./helpers.js";

const gate = await mlflowSuiteGate("storage-mlflow faults");

describe.skipIf(gate.skip)(
  "faults between client and server: every record arrives exactly once",
  () => {
    const mlflow = useMlflowServer();

    test("500s, 429 + Retry-After, connections dropped before and after the server applied, delays", async () => {
      const proxy = await startFaultProxy(mlflow.server.url, {
        seed: 42,
        rates: {
          error500: 0.07,
          rateLimit: 0.03,
          dropBefore: 0.05,
          dropAfter: 0.1,
          delay: 0.05,
          delayMs: [20, 150],
        },
        retryAfterSeconds: 0,
      });
      const store = mlflowStore({
        trackingUri: proxy.url,
        experimentName: "faults",
        spoolDir: tempDir(),
        timeoutMs: 5000,
        maxRetries: 12,
        retryBudgetMs: 60_000,
      });
      const id = "faulty";
      const records = generated(id, 60);
      await store.writeMeta({ experiment_id: id, directive: "through a bad network" } as never);
      for (const r of records) await store.append(r);
      // Anything that ran out of retries went to the spool; sync it through the same proxy.
      const pendingBefore = await store.pending();
      const sync = await store.sync();
      expect(sync.failed).toBe(0);
      const s = proxy.stats;
      const runs = await childRuns(mlflow.server.url, "faults", id);
      console.log(
        `fault test: ${s.requests} requests through the proxy, ${s.faultsInjected} faults injected ${JSON.stringify(s.byKind)}, ` +
          `${store.client.stats.retries} retries, ${pendingBefore} spooled then synced, ${runs.length} child runs for ${records.length} records`,
      );
      expect(s.faultsInjected).toBeGreaterThan(20);
      expect(s.byKind.dropAfter).toBeGreaterThan(3);
      expect(runs).toHaveLength(records.length);
      expect(
        new Set(runs.map((r) => r.data.tags.find((t) => t.key === "converge.iteration")?.value))
          .size,
      ).toBe(60);
      const back = await store.read(id);
      expect(back).toHaveLength(60);
      for (let i = 0; i < 60; i++) expect(firstDifference(back[i], records[i])).toBeUndefined();
      // The parent holds each step's value once (its trajectory is sent in batches: close flushes).
      await store.close();
      const c = createMlflowClient({ trackingUri: mlflow.server.url });
      const parent = (
        await c.searchRuns({
          experimentIds: [(await c.getExperimentByName("faults"))?.experiment_id ?? ""],
          filter: "tags.`converge.kind` = 'experiment'",
        })
      )[0];
      const history = await c.getMetricHistory(parent?.info.run_id ?? "", "m0");
      expect(new Set(history.map((m) => m.step)).size).toBe(60);
      await c.close();
      await store.close();
      await proxy.stop();
    }, 300_000);

    test("a lost runs/create answer does not make a second run", async () => {
      const proxy = await startFaultProxy(mlflow.server.url, {
        sequence: ["dropAfter", "dropAfter"],
        match: (info) => info.path.includes("/runs/create"),
      });
      const store = mlflowStore({
        trackingUri: proxy.url,
        experimentName: "lost-create",
        spoolDir: tempDir(),
      });
      const [r] = generated("lost", 1);
      await store.append(r as never);
      await store.flush();
      expect(proxy.stats.byKind.dropAfter).toBe(2);
      const c = createMlflowClient({ trackingUri: mlflow.server.url });
      const all = await c.searchRuns({
        experimentIds: [(await c.getExperimentByName("lost-create"))?.experiment_id ?? ""],
      });
      expect(all).toHaveLength(2); // one parent, one child
      expect(await store.pending()).toBe(0);
      await c.close();
      await store.close();
      await proxy.stop();
    });

    test("429 with Retry-After is honoured", async () => {
      const proxy = await startFaultProxy(mlflow.server.url, {
        sequence: [{ kind: "rateLimit", retryAfterSeconds: 1 }],
      });
      const c = createMlflowClient({ trackingUri: proxy.url });
      const t0 = Date.now();
      await c.health();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
      expect(c.stats.retries).toBe(1);
      await c.close();
      await proxy.stop();
    });

    test("the retry budget bounds the time spent on a dead server", async () => {
      const proxy = await startFaultProxy(mlflow.server.url, () => "error500");
      const c = createMlflowClient({ trackingUri: proxy.url, retryBudgetMs: 800, maxRetries: 50 });
      const t0 = Date.now();
      const error = await c.health().catch((e: unknown) => e);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect((error as Error).message).toMatch(/HTTP 500.*gave up after \d+ attempts/s);
      await c.close();
      await proxy.stop();
    });
  },
);
