/**
 * Hostile data against a real MLflow server: child runs deleted or added
 * behind the store's back, metric and parameter names that are also names of
 * Object.prototype, and secrets in the tracking URI.
 */
import { inspect } from "node:util";
import {
  ExperimentNotFoundError,
  type ExperimentRecord,
  isIntegrityNotice,
  parseRecord,
  serializeRecord,
} from "@converge/core";
import { describe, expect, test } from "vitest";
import { createMlflowClient } from "../client/index.js";
import { ARTIFACT, MlflowError, type MlflowStoreNotice, mlflowStore, TAG } from "../index.js";
import { recordHash } from "../store/mapping.js";
import { freePort } from "../test-fixtures/mlflow-server.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { childRuns, firstDifference, generated, tempDir, useMlflowServer } from "./helpers.js";

const SECRET = "SENTINEL-pw-51f0c2";
const TOKEN = "SENTINEL-token-a77e19";

/** Every text an error or notice can show: message, stack, inspect (causes included), JSON. */
function everyText(value: unknown): string {
  const parts = [inspect(value, { depth: 8 })];
  try {
    parts.push(JSON.stringify(value) ?? "");
  } catch {
    // circular: inspect covered it
  }
  let e: unknown = value;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    parts.push(e.message, String(e.stack), JSON.stringify(e, Object.getOwnPropertyNames(e)));
    e = e.cause;
  }
  return parts.join("\n");
}

function expectNoSecrets(value: unknown): void {
  const text = everyText(value);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(Buffer.from(`sentinel-user:${SECRET}`).toString("base64"));
}

test("secrets in a tracking URI at an unreachable loopback port: not in notices, errors or the spool", async () => {
  const port = await freePort();
  const notices: MlflowStoreNotice[] = [];
  const store = mlflowStore({
    trackingUri: `http://sentinel-user:${SECRET}@127.0.0.1:${port}/base?token=${TOKEN}`,
    spoolDir: tempDir(),
    retryBudgetMs: 200,
    maxRetries: 1,
    onNotice: (n) => notices.push(n),
  });
  expect(store.trackingUri).toBe(`http://127.0.0.1:${port}/base`);
  const [r] = generated("unreachable", 1);
  await store.append(r as ExperimentRecord);
  expect(notices.map((n) => n.kind)).toEqual(["spooled"]);
  expect(notices[0]?.message).toContain(`MLflow at http://127.0.0.1:${port}/base is unreachable`);
  expect(store.notices).toEqual(notices);
  // Neither the spool nor the server (which does not answer) can say it exists.
  const readError = await store.read("not_spooled").catch((e: unknown) => e);
  expect(ExperimentNotFoundError.isInstance(readError)).toBe(true);
  expect((readError as Error).message).toContain(
    `MLflow at http://127.0.0.1:${port}/base is unreachable`,
  );
  expect((readError as Error).message).toContain("connection refused");
  const sync = await store.sync();
  expect(sync.failed).toBe(1);
  for (const value of [notices, readError, sync, store.name, store.notices]) expectNoSecrets(value);
  await store.close();
});

const gate = await mlflowSuiteGate("storage-mlflow hostile data");

/** Deletes a run through the REST API, as a person cleaning up in MLflow would. */
async function deleteRunByRest(url: string, runId: string): Promise<void> {
  const res = await fetch(`${url}/api/2.0/mlflow/runs/delete`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ run_id: runId }),
  });
  expect(res.status).toBe(200);
}

async function childOf(url: string, experimentName: string, id: string, iteration: number) {
  const runs = await childRuns(url, experimentName, id);
  const run = runs.find((r) =>
    r.data.tags.some((t) => t.key === TAG.iteration && t.value === String(iteration)),
  );
  if (!run) throw new Error(`no child run of iteration ${iteration} of ${id}`);
  return run;
}

describe.skipIf(gate.skip)("hostile data in a real MLflow server", () => {
  const mlflow = useMlflowServer();

  test("a child run deleted in MLflow: the read reports the missing iteration instead of passing over it", async () => {
    const notices: MlflowStoreNotice[] = [];
    const store = mlflowStore({
      trackingUri: mlflow.server.url,
      experimentName: "gaps",
      spoolDir: tempDir(),
      onNotice: (n) => notices.push(n),
    });
    const records = generated("gappy", 4);
    for (const r of records) await store.append(r);
    await store.flush();
    const third = await childOf(mlflow.server.url, "gaps", "gappy", 3);
    await deleteRunByRest(mlflow.server.url, third.info.run_id);

    const back = await store.read("gappy");
    expect(back.map((r) => r.iteration)).toEqual([1, 2, 4]);
    const missing = notices.filter((n) => n.kind === "missing-iteration");
    expect(missing).toHaveLength(1);
    expect(missing[0]?.experimentId).toBe("gappy");
    expect(missing[0]?.message).toMatch(
      /^"gappy" in the MLflow experiment "gaps" at http:\/\/127\.0\.0\.1:\d+ is missing iteration 3 \(between 1 and 4\); their child runs were deleted in MLflow or never finished/,
    );
    expect(isIntegrityNotice(missing[0] as never)).toBe(true);
    expect(store.notices).toContain(missing[0]);
    // Still appendable after the gap: the last iteration is 4.
    const [fifth] = generated("gappy", 5).slice(4);
    await store.append(fifth as ExperimentRecord);
    expect((await store.read("gappy")).map((r) => r.iteration)).toEqual([1, 2, 4, 5]);
    await store.close();
  });

  test("several deleted runs are named as compressed ranges", async () => {
    const notices: MlflowStoreNotice[] = [];
    const store = mlflowStore({
      trackingUri: mlflow.server.url,
      experimentName: "gaps",
      spoolDir: tempDir(),
      onNotice: (n) => notices.push(n),
    });
    for (const r of generated("holes", 11)) await store.append(r);
    await store.flush();
    for (const i of [3, 5, 6, 7, 10]) {
      const run = await childOf(mlflow.server.url, "gaps", "holes", i);
      await deleteRunByRest(mlflow.server.url, run.info.run_id);
    }
    expect((await store.read("holes")).map((r) => r.iteration)).toEqual([1, 2, 4, 8, 9, 11]);
    expect(notices.map((n) => n.kind)).toEqual(["missing-iteration"]);
    expect(notices[0]?.message).toMatch(/is missing 5 iterations: 3, 5-7, 10 \(between 1 and 11\)/);
    await store.close();
  });

  test("a second child run for an iteration: the first created is kept, the other dropped with a notice", async () => {
    const notices: MlflowStoreNotice[] = [];
    const store = mlflowStore({
      trackingUri: mlflow.server.url,
      experimentName: "dups",
      spoolDir: tempDir(),
      onNotice: (n) => notices.push(n),
    });
    const records = generated("doubled", 3);
    for (const r of records) await store.append(r);
    await store.flush();
    const client = createMlflowClient({ trackingUri: mlflow.server.url });
    const exp = await client.getExperimentByName("dups");
    // Another writer logs iteration 2 again (created later) and iteration 3 again, dated before the original.
    const extra = async (iteration: number, startTime: number): Promise<string> => {
      const original = records[iteration - 1] as ExperimentRecord;
      const forged = parseRecord({
        ...original,
        metrics: { sharpe: 123 },
        strategy_name: "forged",
      });
      const line = serializeRecord(forged);
      const run = await client.createRun({
        experimentId: exp?.experiment_id ?? "",
        runName: `doubled #${iteration} again`,
        startTime,
        tags: [
          { key: TAG.experimentId, value: "doubled" },
          { key: TAG.iteration, value: String(iteration) },
          { key: TAG.kind, value: "iteration" },
          { key: TAG.recordHash, value: recordHash(line) },
        ],
      });
      await client.uploadArtifact(run.info.artifact_uri, ARTIFACT.record, line);
      await client.updateRun(run.info.run_id, { status: "FINISHED", endTime: startTime + 1 });
      return run.info.run_id;
    };
    const original2 = await childOf(mlflow.server.url, "dups", "doubled", 2);
    const original3 = await childOf(mlflow.server.url, "dups", "doubled", 3);
    const later = await extra(2, Date.parse("2030-01-01T00:00:00Z"));
    const earlier = await extra(3, Date.parse("2000-01-01T00:00:00Z"));

    const back = await store.read("doubled");
    expect(back.map((r) => r.iteration)).toEqual([1, 2, 3]);
    expect(firstDifference(back[1], records[1])).toBeUndefined(); // the original, created first
    expect(back[2]?.strategy_name).toBe("forged"); // dated before the original: first by creation order
    const dups = notices.filter((n) => n.kind === "duplicate-iteration");
    expect(dups).toHaveLength(2);
    expect(dups[0]?.message).toContain(
      `iteration 2 in the MLflow experiment "dups" at ${mlflow.server.url}: kept run ${original2.info.run_id} (created first) and dropped run ${later}`,
    );
    expect(dups[1]?.message).toContain(
      `kept run ${earlier} (created first) and dropped run ${original3.info.run_id}`,
    );
    expect(dups.every((n) => isIntegrityNotice(n as never))).toBe(true);
    await client.close();
    await store.close();
  });

  test("metrics and parameters named like Object.prototype members round-trip", async () => {
    const store = mlflowStore({
      trackingUri: mlflow.server.url,
      experimentName: "proto",
      spoolDir: tempDir(),
    });
    const names = ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"];
    const records: ExperimentRecord[] = [];
    for (let i = 1; i <= 3; i++) {
      // JSON.parse makes "__proto__" an own key, as a log file read from disk would.
      const metrics = `{${names.map((n, k) => `"${n}": ${i * 10 + k}`).join(", ")}}`;
      const parameters = `{${names.map((n, k) => `"${n}": "v${i}${k}"`).join(", ")}}`;
      const r = parseRecord(
        JSON.parse(
          `{"experiment_id": "proto_names", "iteration": ${i}, "metrics": ${i === 1 ? '{"sharpe": 1}' : metrics}, "parameters": ${parameters}}`,
        ),
      );
      records.push(r);
      await store.append(r);
    }
    await store.flush();
    const back = await store.read("proto_names");
    expect(back).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(firstDifference(back[i], records[i])).toBeUndefined();
    // `__proto__` comes back exactly as core's record validation keeps it (firstDifference compares
    // own keys); the others are plain data and must all be there, on MLflow's side too.
    const plain = names.filter((n) => n !== "__proto__").sort();
    const kept = Object.keys(records[2]?.metrics ?? {}).sort();
    expect(kept).toEqual(expect.arrayContaining(plain));
    expect(Object.keys(back[2]?.metrics ?? {}).sort()).toEqual(kept);
    expect(Object.keys(back[2]?.parameters ?? {}).sort()).toEqual(
      Object.keys(records[2]?.parameters ?? {}).sort(),
    );
    expect(back[2]?.metrics.constructor).toBe(31);
    expect(back[2]?.parameters.toString).toBe("v30");
    const third = await childOf(mlflow.server.url, "proto", "proto_names", 3);
    expect(third.data.metrics.map((m) => m.key).sort()).toEqual(kept);
    expect(third.data.params.map((p) => p.key).sort()).toEqual(
      Object.keys(records[2]?.parameters ?? {}).sort(),
    );
    await store.close();
  });

  test("secrets in the tracking URI of a real server with a bad path: in no error or notice", async () => {
    const notices: MlflowStoreNotice[] = [];
    const base = mlflow.server.url.replace("http://", `http://sentinel-user:${SECRET}@`);
    const store = mlflowStore({
      trackingUri: `${base}/nope?token=${TOKEN}`,
      spoolDir: tempDir(),
      onNotice: (n) => notices.push(n),
    });
    const [r] = generated("bad_path", 1);
    const appendError = await store.append(r as ExperimentRecord).catch((e: unknown) => e);
    expect(MlflowError.isInstance(appendError)).toBe(true);
    expect((appendError as MlflowError).status).toBe(404);
    expect((appendError as Error).message).toContain(
      `the server at ${mlflow.server.url}/nope has no such endpoint`,
    );
    const readError = await store.read("bad_path").catch((e: unknown) => e);
    expect(MlflowError.isInstance(readError)).toBe(true);
    expect(await store.pending()).toBe(0);
    for (const value of [appendError, readError, notices, store.notices, store.name])
      expectNoSecrets(value);
    await store.close();
  });
});
