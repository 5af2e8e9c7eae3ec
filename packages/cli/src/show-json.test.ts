import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { serializeRecord } from "@converge/core";
import { jsonlStore } from "@converge/storage-jsonl";
import { afterAll, describe, expect, it } from "vitest";
import { toJson } from "./format.js";
import { loadExperiment } from "./load-experiment.js";
import { runMain } from "./test-fixtures/capture-io.js";
import { removeTempDirs, tempDir, writeExperiment } from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

/** What `show --json` printed before it was streamed: one toJson of the whole. */
async function wholeDocument(dir: string, id: string): Promise<string> {
  const store = jsonlStore({ dir });
  try {
    const x = await loadExperiment(store, id);
    const records = x.records.map((r) => JSON.parse(serializeRecord(r)) as unknown);
    return `${toJson({ meta: x.meta, records, summary: x.summary })}\n`;
  } finally {
    await store.close();
  }
}

describe("converge show --json written in chunks", () => {
  it("is the same text as the whole document, across batch boundaries and with NaN", async () => {
    const dir = tempDir();
    const lines = Array.from({ length: 4_501 }, (_, i) =>
      JSON.stringify({
        experiment_id: "exp_batches",
        iteration: i + 1,
        metrics: { sharpe_ratio: i % 3 === 0 ? "NaN" : i / 1000, loss: i === 7 ? "-Infinity" : 1 },
        parameters: { note: i === 5 ? "a\u2028b\u202ec" : "plain" },
        gate_score: 0.5,
      }),
    );
    writeFileSync(join(dir, "exp_batches.jsonl"), `${lines.join("\n")}\n`);
    const { code, stdout } = await runMain(["show", join(dir, "exp_batches.jsonl"), "--json"], dir);
    expect(code).toBe(0);
    expect(stdout).toBe(await wholeDocument(dir, "exp_batches"));
    const out = JSON.parse(stdout) as { records: { metrics: Record<string, unknown> }[] };
    expect(out.records).toHaveLength(4_501);
    expect(out.records[0]?.metrics.sharpe_ratio).toBe("NaN");
    expect(out.records[7]?.metrics.loss).toBe("-Infinity");
    expect(stdout).toContain(String.raw`"note": "a\u2028b\u202ec"`);
  });

  it("writes an empty records array for an experiment with a meta and no iteration", async () => {
    const dir = tempDir();
    await writeExperiment(dir, { experimentId: "exp_empty", directive: "nothing yet" }, [], {
      finish: false,
    });
    const { code, stdout } = await runMain(["show", "exp_empty", "--store", dir, "--json"], dir);
    expect(code).toBe(0);
    expect(stdout).toBe(await wholeDocument(dir, "exp_empty"));
    expect(stdout).toContain('\n  "records": [],\n');
    expect((JSON.parse(stdout) as { records: unknown[] }).records).toEqual([]);
  });
});
