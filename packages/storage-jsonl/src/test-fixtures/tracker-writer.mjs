// Child process of processes.test.ts: logs <count> iterations through core's
// tracker into a shared experiment, as one of two concurrent writers.
//   node tracker-writer.mjs <dir> <experimentId> <writer> <count>
import { setTimeout as sleep } from "node:timers/promises";
import { createTracker } from "@converge/core";
import { jsonlStore } from "@converge/storage-jsonl";

const [dir, id, writer, countText] = process.argv.slice(2);
const count = Number(countText);
const store = jsonlStore({ dir });
const run = await createTracker({ store }).resume(id);
// Start together: wait for the parent's "go" once both writers are ready.
process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
process.stdin.destroy();
for (let seq = 1; seq <= count; seq++) {
  await run.log({ metrics: { score: seq / count }, parameters: { writer, seq }, writer, seq });
  // Pauses longer than the store's idle release hand the lock to the other writer.
  if (seq % 2_500 === 0) await sleep(500);
}
await store.close();
process.stdout.write(`${JSON.stringify({ writer, logged: count })}\n`);
