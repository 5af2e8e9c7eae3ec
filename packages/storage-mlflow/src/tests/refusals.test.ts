/**
 * A server that refuses part of a write leaves no debris: on a server started
 * with --no-serve-artifacts, records that fit in a tag arrive whole (the
 * copies for people are left out, said once), a record that needs an
 * artifact is refused without leaving a RUNNING run behind, stays in the
 * spool, and `list` keeps working.
 */
import { parseRecord } from "@converge/core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MlflowError, type MlflowStoreNotice, mlflowStore } from "../index.js";
import { type MlflowServer, startMlflowServer } from "../test-fixtures/mlflow-server.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { childRuns, firstDifference, generated, tempDir } from "./helpers.js";

const gate = await mlflowSuiteGate("storage-mlflow refusals");

describe.skipIf(gate.skip)(
  "a server that does not serve artifacts (mlflow server --no-serve-artifacts)",
  () => {
    let server: MlflowServer;
    beforeAll(async () => {
      const artifactRoot = tempDir();
      server = await startMlflowServer({
        extraArgs: ["--no-serve-artifacts", "--default-artifact-root", artifactRoot],
      });
    }, 180_000);
    afterAll(() => server?.stop());

    test("records in tags arrive whole; a record that needs an artifact is refused, its run deleted, kept in the spool; list still works", async () => {
      const notices: MlflowStoreNotice[] = [];
      const store = mlflowStore({
        trackingUri: server.url,
        experimentName: "no-artifacts",
        spoolDir: tempDir(),
        onNotice: (n) => notices.push(n),
      });
      const id = "refused";
      const records = generated(id, 5); // each with strategy code: an artifact copy for people
      await store.writeMeta({ experiment_id: id, directive: "no artifacts here" } as never);
      for (const r of records) await store.append(r);
      await store.flush();
      const back = await store.read(id);
      expect(back).toHaveLength(5);
      for (let i = 0; i < 5; i++) expect(firstDifference(back[i], records[i])).toBeUndefined();
      expect(notices.filter((n) => n.kind === "artifacts-unavailable")).toHaveLength(1);

      // A record too large for a tag needs the record artifact, which this server cannot take.
      const big = parseRecord({
        ...records[4],
        iteration: 6,
        strategy_code: "x = 1\n".repeat(3000),
      });
      await store.append(big); // acknowledged: it is in the spool
      const error = await store.flush().catch((e: unknown) => e);
      expect(MlflowError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/not served by the tracking server/);
      expect(
        notices.some((n) => n.kind === "sync-failed" && /refused iteration 6/.test(n.message)),
      ).toBe(true);
      expect(await store.pending()).toBe(1);
      const runs = await childRuns(server.url, "no-artifacts", id);
      expect(runs.map((r) => r.info.status)).toEqual(Array(5).fill("FINISHED")); // no RUNNING debris
      expect((await store.list()).map((l) => l.experiment_id)).toEqual([id]);
      expect((await store.read(id)).map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5, 6]); // 6 from the spool
      await store.close();
    }, 120_000);
  },
);
