// Child process of team-deployment.test.ts: one Converge loop's store in its own process,
// as each machine of a team runs it. Uses the BUILT package (dist), as a user's process would.
//   node team-writer.mjs <trackingUri> <experimentName> <spoolDir> <recordsFile>
// recordsFile: one serializeRecord line per iteration, appended in order, then close().
// Prints one JSON line: { ok: true, id, appended, appendMs, maxAppendMs, closeMs, pending,
// notices } or { ok: false, error }.
import { readFileSync } from "node:fs";
import { deserializeRecord } from "@converge/core";
import { mlflowStore } from "@converge/storage-mlflow";

const [trackingUri, experimentName, spoolDir, recordsFile] = process.argv.slice(2);
const records = readFileSync(recordsFile, "utf8").trim().split("\n").map(deserializeRecord);
const store = mlflowStore({ trackingUri, experimentName, spoolDir });
let out;
try {
  const id = records[0]?.experiment_id;
  await store.writeMeta({ experiment_id: id, directive: `team loop ${id}` });
  const started = performance.now();
  let maxAppendMs = 0;
  for (const record of records) {
    const t0 = performance.now();
    await store.append(record);
    maxAppendMs = Math.max(maxAppendMs, performance.now() - t0);
  }
  const appendMs = performance.now() - started;
  await store.close();
  out = {
    ok: true,
    id,
    appended: records.length,
    appendMs: Math.round(appendMs),
    maxAppendMs: Math.round(maxAppendMs),
    closeMs: Math.round(performance.now() - started - appendMs),
    // What could not be sent stays in the spool (none is expected).
    pending: await store.pending().catch(() => null),
    notices: store.notices.map((notice) => notice.kind),
  };
} catch (error) {
  out = {
    ok: false,
    error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
