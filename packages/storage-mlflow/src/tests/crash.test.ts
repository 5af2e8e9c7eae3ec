/**
 * A crash loses nothing acknowledged: a process whose appends all resolved is
 * SIGKILLed while its background sender is still sending (every request held
 * up by a slow proxy); a later store on the same spool sends the rest, and the
 * server holds every record exactly once, the parent's trajectory complete.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serializeRecord } from "@converge/core";
import { describe, expect, test } from "vitest";
import { mlflowKey, mlflowStore } from "../index.js";
import { startFaultProxy } from "../test-fixtures/fault-proxy.js";
import { mlflowSuiteGate } from "../test-fixtures/mlflow-venv.js";
import { childRuns, firstDifference, generated, tempDir, useMlflowServer } from "./helpers.js";

const gate = await mlflowSuiteGate("storage-mlflow crash");
const writer = fileURLToPath(new URL("../test-fixtures/crash-writer.mjs", import.meta.url));

describe.skipIf(gate.skip)(
  "a process killed while its sender works, against a real MLflow server",
  () => {
    const mlflow = useMlflowServer();

    test("every acknowledged record reaches the server exactly once after the next sync", async () => {
      // Every request waits 150-250 ms on the way: the sender is far behind the loop when it dies.
      const proxy = await startFaultProxy(mlflow.server.url, {
        seed: 3,
        rates: { delayMs: [150, 250] },
      });
      const dir = tempDir();
      const spoolDir = join(dir, "spool");
      const id = "crashed";
      const records = generated(id, 40);
      const recordsFile = join(dir, "records.jsonl");
      writeFileSync(recordsFile, `${records.map((r) => serializeRecord(r)).join("\n")}\n`);
      const child = spawn(process.execPath, [writer, proxy.url, "crash", spoolDir, recordsFile], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (c: string) => {
        stderr += c;
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding("utf8").on("data", (c: string) => {
          if (c.includes("acknowledged 40")) resolve();
        });
        child.on("exit", (code) =>
          reject(new Error(`the writer exited (${code}) early:\n${stderr}`)),
        );
      });
      // Killed once part of it is on the server: some runs whole, some half-made, most not begun.
      for (let i = 0; (await childRuns(mlflow.server.url, "crash", id)).length < 8; i++) {
        if (i > 300) throw new Error(`no progress from the writer's sender:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      const before = (await childRuns(mlflow.server.url, "crash", id)).length;
      expect(before).toBeGreaterThanOrEqual(8);
      expect(before).toBeLessThan(40); // it died mid-way

      const later = mlflowStore({
        trackingUri: mlflow.server.url,
        experimentName: "crash",
        spoolDir,
      });
      const result = await later.sync();
      expect(result.failed).toBe(0);
      expect(await later.pending()).toBe(0);
      const back = await later.read(id);
      expect(back).toHaveLength(40);
      for (let i = 0; i < 40; i++) expect(firstDifference(back[i], records[i])).toBeUndefined();
      const runs = await childRuns(mlflow.server.url, "crash", id);
      expect(runs.filter((r) => r.info.status === "FINISHED")).toHaveLength(40);
      expect(new Set(runs.map((r) => r.info.run_name)).size).toBe(runs.length); // no duplicates
      // The parent's trajectory is whole, though the dead process sent only part of it.
      const exp = await later.client.getExperimentByName("crash");
      const [parent] = await later.client.searchRuns({
        experimentIds: [exp?.experiment_id ?? ""],
        filter: `tags.\`converge.kind\` = 'experiment'`,
      });
      const history = await later.client.getMetricHistory(
        parent?.info.run_id ?? "",
        mlflowKey("m0"),
      );
      expect(history.map((m) => m.step).sort((a, b) => a - b)).toEqual(
        records.map((r) => r.iteration),
      );
      expect((await later.readMeta(id))?.directive).toBe("crash mid-send");
      console.log(
        `crash: ${before} of 40 child runs before the kill; sync uploaded ${result.uploaded}, skipped ${result.skipped}`,
      );
      await later.close();
      await proxy.stop();
    }, 180_000);
  },
);
