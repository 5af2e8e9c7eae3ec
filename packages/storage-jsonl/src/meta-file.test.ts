import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExperimentMetaSchema, StoreError, ValidationError } from "@converge/core";
import { describe, expect, it } from "vitest";
import { jsonlStore } from "./index.js";
import { record, rejection, tempDir } from "./test-fixtures/helpers.js";

describe("meta and list", () => {
  it("writes meta atomically and reads it back; list() shows every experiment", async () => {
    const dir = tempDir();
    const store = jsonlStore({ dir });
    expect(await jsonlStore({ dir: join(dir, "absent") }).list()).toEqual([]);

    const meta = ExperimentMetaSchema.parse({
      experiment_id: "b_exp",
      directive: "Sharpe >= 1",
      gate: { criteria: [{ metric: "sharpe_ratio", op: ">=", threshold: 1 }] },
      metrics: { sharpe_ratio: { goal: "maximize" } },
      created_at: "2026-01-18T14:30:22Z",
      tags: { team: "quant" },
      notes: "kept",
    });
    await store.writeMeta(meta);
    expect(await store.readMeta("b_exp")).toEqual(meta);
    await store.writeMeta({ ...meta, status: "SUCCESS" });
    expect((await store.readMeta("b_exp"))?.status).toBe("SUCCESS");
    // Only the meta file itself: no temp file left behind.
    expect(readdirSync(dir)).toEqual(["b_exp.meta.json"]);
    expect(readFileSync(join(dir, "b_exp.meta.json"), "utf8")).toContain(
      '\n  "directive": "Sharpe >= 1"',
    );

    await store.append(record("a_exp", 1));
    await store.append(record("b_exp", 1));
    await store.close();
    writeFileSync(join(dir, "notes.txt"), "not an experiment");
    const listing = await store.list();
    expect(listing.map((l) => l.experiment_id)).toEqual(["a_exp", "b_exp"]);
    expect(listing[0]?.meta).toBeNull();
    expect(listing[1]?.meta?.status).toBe("SUCCESS");
  });

  it("keeps non-finite summary metrics in meta", async () => {
    const dir = tempDir();
    const store = jsonlStore({ dir });
    const summary = {
      experiment_id: "m",
      status: "FAILED",
      total_iterations: 1,
      best_iteration: 1,
      best_metrics: { sharpe_ratio: Number.NaN, profit_factor: Number.POSITIVE_INFINITY },
      final_recommendation: "ABANDON",
      lessons_learned: [],
      total_compute_time: 1,
      total_cost: 0,
    };
    await store.writeMeta(ExperimentMetaSchema.parse({ experiment_id: "m", summary }));
    const back = await store.readMeta("m");
    expect(Number.isNaN(back?.summary?.best_metrics.sharpe_ratio)).toBe(true);
    expect(back?.summary?.best_metrics.profit_factor).toBe(Number.POSITIVE_INFINITY);
  });

  it("rejects invalid meta, and names a corrupt or mismatched meta file", async () => {
    const dir = tempDir();
    const store = jsonlStore({ dir });
    const invalid = await rejection(
      store.writeMeta({ experiment_id: "m", status: "DONE" } as never),
    );
    expect(ValidationError.isInstance(invalid)).toBe(true);
    expect((invalid as Error).message).toContain("meta.status");

    writeFileSync(join(dir, "broken.meta.json"), "{ not json");
    const broken = await rejection(store.readMeta("broken"));
    expect(StoreError.isInstance(broken)).toBe(true);
    expect((broken as StoreError).code).toBe("EBADMETA");
    expect((broken as Error).message).toContain(join(dir, "broken.meta.json"));

    writeFileSync(join(dir, "other.meta.json"), JSON.stringify({ experiment_id: "someone_else" }));
    expect(((await rejection(store.readMeta("other"))) as Error).message).toContain(
      '"someone_else"',
    );
  });
});
