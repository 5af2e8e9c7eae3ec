import { IterationConflictError, parseRecord, serializeRecord } from "@converge/core";
import { describe, expect, test } from "vitest";
import { ARTIFACT, MlflowError, mlflowKey, mlflowStore, TAG } from "../index.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { firstDifference, generated, sampleLog, tempDir, useMlflowServer } from "./helpers.js";

const gate = await mlflowSuiteGate("storage-mlflow round trip");

describe.skipIf(gate.skip)("mlflowStore round trip against a real MLflow server", () => {
  const mlflow = useMlflowServer();

  test("the Python logger's sample log comes back field by field, with meta and list", async () => {
    const store = mlflowStore({
      trackingUri: mlflow.server.url,
      experimentName: "seed",
      spoolDir: tempDir(),
    });
    const records = sampleLog();
    expect(records).toHaveLength(3);
    const id = "exp_20260118_143022";
    await store.writeMeta({
      experiment_id: id,
      directive: "AAPL momentum with Sharpe >= 1",
    } as never);
    for (const r of records) await store.append(r);
    await store.flush();
    const back = await store.read(id);
    expect(back).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(firstDifference(back[i], records[i])).toBeUndefined();
    const meta = await store.readMeta(id);
    expect(meta?.directive).toBe("AAPL momentum with Sharpe >= 1");
    const list = await store.list();
    expect(list.map((l) => l.experiment_id)).toEqual([id]);
    expect(await store.pending()).toBe(0);
    // The MLflow side: a parent run and three children with params, metrics and tags.
    const exp = await store.client.getExperimentByName("seed");
    const runs = await store.client.searchRuns({ experimentIds: [exp?.experiment_id ?? ""] });
    expect(runs).toHaveLength(4);
    const parent = runs.find((r) => r.info.run_name === id);
    const child = runs.find((r) => r.info.run_name === `#2 · ${id}`);
    expect(parent?.data.tags.find((t) => t.key === TAG.note)?.value).toBe(
      "AAPL momentum with Sharpe >= 1",
    );
    expect(child?.data.tags.find((t) => t.key === TAG.parentRunId)?.value).toBe(
      parent?.info.run_id,
    );
    expect(child?.data.params).toEqual(
      expect.arrayContaining([
        { key: "position_size", value: "0.15" },
        { key: "rsi_threshold", value: "70" },
      ]),
    );
    // Who and what logged it, as MLflow's Python client sets them ("Created by", "Source").
    for (const run of [parent, child]) {
      const tags = Object.fromEntries((run?.data.tags ?? []).map((t) => [t.key, t.value]));
      expect(tags["mlflow.user"]).toMatch(/\S/);
      expect(tags["mlflow.source.name"]).toBe(process.argv[1]);
      expect(tags["mlflow.source.type"]).toBe("LOCAL");
    }
    // The record rides in a tag (no artifact to download); the experiment's description is the directive.
    expect(child?.data.tags.find((t) => t.key === TAG.record)?.value).toBe(
      serializeRecord(records[1] as never),
    );
    expect(exp?.tags?.find((t) => t.key === TAG.note)?.value).toBe(
      "AAPL momentum with Sharpe >= 1",
    );
    const history = await store.client.getMetricHistory(parent?.info.run_id ?? "", "sharpe_ratio");
    expect(history.map((m) => [m.step, m.value])).toEqual([
      [1, 0.75],
      [2, 0.85],
      [3, 1.05],
    ]);
    // The parent shows the starting parameters and the best iteration's metrics.
    const parentNow = await store.client.getRun(parent?.info.run_id ?? "");
    expect(parentNow.data.params).toEqual(
      expect.arrayContaining(
        Object.entries(records[0]?.parameters ?? {}).map(([key, value]) => ({
          key,
          value: typeof value === "string" ? value : JSON.stringify(value),
        })),
      ),
    );
    const best = records.reduce((b, r) => ((r.gate_score ?? -1) > (b.gate_score ?? -1) ? r : b));
    const latest = Object.fromEntries(parentNow.data.metrics.map((m) => [m.key, m.value]));
    expect(latest.best_sharpe_ratio).toBe(best.metrics.sharpe_ratio);
    expect(parentNow.data.tags.find((t) => t.key === "converge.best_iteration")?.value).toBe(
      String(best.iteration),
    );
    await store.close();
  });

  test("a generated 200-iteration experiment (NaN, ±Infinity, long values, unicode) comes back identical", async () => {
    const store = mlflowStore({
      trackingUri: mlflow.server.url,
      experimentName: "gen",
      spoolDir: tempDir(),
    });
    const id = "gen_200";
    const records = generated(id, 200);
    const t0 = Date.now();
    for (const r of records) await store.append(r);
    await store.flush();
    const ms = Date.now() - t0;
    const requests = store.client.stats.requests;
    console.log(
      `200 iterations: ${ms} ms, ${requests} requests (${(requests / 200).toFixed(1)} per iteration)`,
    );
    const back = await store.read(id);
    expect(back).toHaveLength(200);
    for (let i = 0; i < 200; i++) {
      expect(firstDifference(back[i], records[i]), `iteration ${i + 1}`).toBeUndefined();
    }
    expect(Number.isNaN(back[6]?.metrics.sharpe)).toBe(true);
    expect(back[10]?.metrics.upside).toBe(Number.POSITIVE_INFINITY);
    expect(back[12]?.metrics.downside).toBe(Number.NEGATIVE_INFINITY);

    // In MLflow: the renamed key, the truncated long value with its artifact, ±Infinity in the history.
    const exp = await store.client.getExperimentByName("gen");
    const [child] = await store.client.searchRuns({
      experimentIds: [exp?.experiment_id ?? ""],
      filter: "tags.`converge.iteration` = '50' and tags.`converge.kind` = 'iteration'",
    });
    expect(child).toBeDefined();
    if (!child) return;
    const renamed = mlflowKey("α weight");
    expect(renamed).toMatch(/^_ weight_[0-9a-f]{8}$/);
    expect(child.data.params.find((p) => p.key === renamed)?.value).toBe("0");
    const long = child.data.params.find((p) => p.key === "long_text")?.value ?? "";
    expect(long.length).toBeLessThanOrEqual(6000);
    const file = /full value in artifact (\S+)\]$/.exec(long)?.[1] ?? "";
    expect(file).toMatch(/^converge\/params\//);
    const full = (await store.client.downloadArtifact(child.info.artifact_uri, file)).toString(
      "utf8",
    );
    expect(full).toBe(records[49]?.parameters.long_text);
    const code = (
      await store.client.downloadArtifact(child.info.artifact_uri, ARTIFACT.code)
    ).toString("utf8");
    expect(code).toBe(records[49]?.strategy_code);
    const [c11] = await store.client.searchRuns({
      experimentIds: [exp?.experiment_id ?? ""],
      filter: "tags.`converge.iteration` = '11' and tags.`converge.kind` = 'iteration'",
    });
    const upside = await store.client.getMetricHistory(c11?.info.run_id ?? "", "upside");
    expect(upside.map((m) => m.value)).toEqual([Number.POSITIVE_INFINITY]);
    await store.close();
  }, 300_000);

  test("idempotent: the same record twice is one child run; a different one is an IterationConflictError", async () => {
    const store = mlflowStore({
      trackingUri: mlflow.server.url,
      experimentName: "idem",
      spoolDir: tempDir(),
    });
    const [a, b] = generated("idem", 2);
    if (!a || !b) throw new Error("no records");
    await store.append(a);
    await store.append(a); // a retry after a lost answer: no-op
    await store.append(b);
    await store.append(a); // an older identical record: no-op
    await store.flush();
    const changed = parseRecord({ ...b, metrics: { ...b.metrics, m0: 42 } });
    const error = await store.append(changed).catch((e: unknown) => e);
    expect(IterationConflictError.isInstance(error)).toBe(true);
    expect((error as IterationConflictError).lastIteration).toBe(2);
    // A second store (another process) sees the same and also refuses an older iteration.
    const other = mlflowStore({
      trackingUri: mlflow.server.url,
      experimentName: "idem",
      spoolDir: tempDir(),
    });
    await other.append(b);
    const older = parseRecord({ ...a, iteration: 1, cost: 5 });
    expect(
      IterationConflictError.isInstance(await other.append(older).catch((e: unknown) => e)),
    ).toBe(true);
    await other.flush();
    const exp = await store.client.getExperimentByName("idem");
    const runs = await store.client.searchRuns({
      experimentIds: [exp?.experiment_id ?? ""],
      filter: "tags.`converge.kind` = 'iteration'",
    });
    expect(runs).toHaveLength(2);
    expect((await store.read("idem")).map((r) => r.iteration)).toEqual([1, 2]);
    await store.close();
    await other.close();
  });

  test("the client refuses invalid keys and over-long values with errors naming them; parameter values are canonical", async () => {
    const store = mlflowStore({
      trackingUri: mlflow.server.url,
      experimentName: "keys",
      spoolDir: tempDir(),
    });
    const c = store.client;
    const exp = await c.getOrCreateExperiment("keys");
    const run = await c.createRun({ experimentId: exp.experiment_id, runName: "k" });
    const bad = await c
      .logBatch(run.info.run_id, { params: [{ key: "a+b", value: "1" }] })
      .catch((e: unknown) => e);
    expect(MlflowError.isInstance(bad)).toBe(true);
    expect((bad as Error).message).toContain('"a+b"');
    expect((bad as Error).message).toContain("^[/\\w.\\- :]*$");
    const dotdot = await c.setTag(run.info.run_id, "a/../b", "x").catch((e: unknown) => e);
    expect((dotdot as Error).message).toMatch(/'\.\.' segments/);
    const tooLong = await c
      .logBatch(run.info.run_id, { params: [{ key: "k", value: "x".repeat(6001) }] })
      .catch((e: unknown) => e);
    expect((tooLong as Error).message).toMatch(/6001 characters.*at most 6000/);
    // Splitting: 2,500 metrics and 250 params in one call.
    const metrics = Array.from({ length: 2500 }, (_, i) => ({
      key: `m${i % 5}`,
      value: i,
      timestamp: 1,
      step: i,
    }));
    const params = Array.from({ length: 250 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const before = c.stats.requests;
    await c.logBatch(run.info.run_id, { metrics, params });
    expect(c.stats.requests - before).toBeGreaterThanOrEqual(3);
    const got = await c.getRun(run.info.run_id);
    expect(got.data.params).toHaveLength(250);
    expect(await c.getMetricHistory(run.info.run_id, "m0")).toHaveLength(500);
    // A record whose keys MLflow refuses is stored with renamed keys; the record keeps the originals.
    const r = parseRecord({
      experiment_id: "keys1",
      iteration: 1,
      parameters: {
        "bad+name": 7,
        ["x".repeat(300)]: 1.5,
        n: 7,
        f: 0.1,
        t: true,
        o: { b: 1, a: [1, 2] },
      },
      metrics: { "sharpe (ann.)%": 1.25, "a/../b": 2 },
    });
    await store.append(r);
    await store.append(r);
    await store.flush();
    expect(firstDifference((await store.read("keys1"))[0], r)).toBeUndefined();
    const [child] = await c.searchRuns({
      experimentIds: [exp.experiment_id],
      filter: "tags.`converge.experiment_id` = 'keys1' and tags.`converge.kind` = 'iteration'",
    });
    const params2 = Object.fromEntries((child?.data.params ?? []).map((p) => [p.key, p.value]));
    expect(params2[mlflowKey("bad+name")]).toBe("7");
    expect(params2.n).toBe("7");
    expect(params2.f).toBe("0.1");
    expect(params2.t).toBe("true");
    expect(params2.o).toBe('{"a":[1,2],"b":1}');
    expect(mlflowKey("x".repeat(300)).length).toBe(250);
    expect(child?.data.metrics.map((m) => m.key).sort()).toEqual(
      [mlflowKey("a/../b"), mlflowKey("sharpe (ann.)%")].sort(),
    );
    await store.close();
  });
});
