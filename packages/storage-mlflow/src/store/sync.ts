/**
 * `sync()`: sends every experiment's spool now (records in order, those the
 * server already holds skipped), then its meta, and rebuilds the parent
 * run's trajectory where it is behind. What reached the server leaves the
 * spool.
 */
import { isUnreachable } from "../client/errors.js";
import type { StoreContext } from "./context.js";
import type { Sender } from "./sender.js";

export interface SyncResult {
  /** Records uploaded. */
  uploaded: number;
  /** Records the server already held (sent before a lost answer, or by an earlier sync). */
  skipped: number;
  /** Records left in the spool. */
  failed: number;
  /** Why records were left in the spool. */
  errors: string[];
}

/** Sends every experiment of the spool (and every one this store holds); one that cannot be sent does not stop the others. */
export async function syncSpool(
  ctx: StoreContext,
  sender: Sender,
  opts: { onProgress?: (done: number, total: number) => void },
): Promise<SyncResult> {
  const { client, spool } = ctx;
  const result: SyncResult = { uploaded: 0, skipped: 0, failed: 0, errors: [] };
  const ids = [...new Set([...spool.ids(), ...sender.ids()])].sort();
  const before = new Map(ids.map((id) => [id, sender.counts(id)]));
  const total = ids.reduce((n, id) => n + (before.get(id)?.waiting ?? 0), 0);
  const done = () =>
    ids.reduce((n, id) => {
      const was = before.get(id);
      const now = sender.counts(id);
      return n + now.uploaded - (was?.uploaded ?? 0) + now.skipped - (was?.skipped ?? 0);
    }, 0);
  opts.onProgress?.(0, total);
  const progress = opts.onProgress
    ? setInterval(() => opts.onProgress?.(Math.min(done(), total), total), 200)
    : undefined;
  let unreachable = false;
  try {
    for (const id of ids) {
      if (unreachable) {
        // The server did not answer for the last one: the others would only wait as long.
        result.failed += sender.counts(id).waiting;
        continue;
      }
      const had = (before.get(id)?.waiting ?? 0) > 0 || spool.has(id);
      try {
        await sender.drain(id);
        if (had) {
          ctx.notify({
            kind: "synced",
            experimentId: id,
            message: `synced the spool of "${id}" to MLflow at ${client.trackingUri}`,
          });
        }
      } catch (error) {
        const message = `"${id}": ${error instanceof Error ? error.message : String(error)}`;
        result.errors.push(message);
        if (isUnreachable(error)) unreachable = true;
        ctx.notify({ kind: "sync-failed", experimentId: id, file: spool.recordsFile(id), message });
      }
      const was = before.get(id);
      const now = sender.counts(id);
      result.uploaded += now.uploaded - (was?.uploaded ?? 0);
      result.skipped += now.skipped - (was?.skipped ?? 0);
      result.failed += now.waiting;
    }
  } finally {
    clearInterval(progress);
  }
  opts.onProgress?.(Math.min(done(), total), total);
  return result;
}
