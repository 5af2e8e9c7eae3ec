// Child process of crash.test.ts: appends records through the BUILT store, says how many
// were acknowledged, then waits to be killed (SIGKILL) while its sender is still at work.
//   node crash-writer.mjs <trackingUri> <experimentName> <spoolDir> <recordsFile>
import { readFileSync } from "node:fs";
import { deserializeRecord } from "@converge/core";
import { mlflowStore } from "@converge/storage-mlflow";

const [trackingUri, experimentName, spoolDir, recordsFile] = process.argv.slice(2);
const records = readFileSync(recordsFile, "utf8").trim().split("\n").map(deserializeRecord);
const store = mlflowStore({ trackingUri, experimentName, spoolDir });
await store.writeMeta({ experiment_id: records[0]?.experiment_id, directive: "crash mid-send" });
for (const record of records) await store.append(record);
process.stdout.write(`acknowledged ${records.length}\n`);
setInterval(() => undefined, 60_000); // keep sending until the test kills this process
