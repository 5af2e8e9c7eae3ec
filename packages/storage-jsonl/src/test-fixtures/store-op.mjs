// Child process of special-files.test.ts: one store call in its own process, so
// a call that blocks (a FIFO opened for reading blocks the whole thread) can be
// killed by the parent's timeout instead of hanging the test run.
//   node store-op.mjs <dir> <list|read|readMeta|append|writeMeta> [experimentId]
// Prints one JSON line: { ok, value | error: { name, code, message, hint }, notices }.
import { parseRecord } from "@converge/core";
import { jsonlStore } from "@converge/storage-jsonl";

const [dir, op, id = "exp"] = process.argv.slice(2);
const store = jsonlStore({ dir, lockTimeoutMs: 200 });
const calls = {
  list: () => store.list(),
  read: () => store.read(id),
  readMeta: () => store.readMeta(id),
  append: () =>
    store.append(parseRecord({ experiment_id: id, iteration: 1, metrics: { score: 1 } })),
  writeMeta: () => store.writeMeta({ experiment_id: id }),
};
let out;
try {
  const value = await calls[op]();
  await store.close();
  out = { ok: true, value: value ?? null };
} catch (error) {
  const { name, code, message, hint } = error;
  out = { ok: false, error: { name, code, message, hint } };
}
process.stdout.write(`${JSON.stringify({ ...out, notices: store.notices })}\n`);
