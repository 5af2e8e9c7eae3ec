/**
 * Emptying the spool: its records uploaded in order (those the server already
 * holds are skipped, their points still sent to the parent's trajectory),
 * then the spooled meta. What was uploaded leaves the spool.
 */
import { deserializeRecord } from "@converge/core";
import { MlflowError } from "../client/errors.js";
import type { StoreContext } from "./context.js";
import { flushParent, uploadMeta, uploadRecord } from "./upload.js";

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

/** The spool is rewritten after this many records uploaded by `sync`. */
const SYNC_CHECKPOINT = 25;

/** Uploads every experiment's spool; after the server proves unreachable the rest are counted as failed. */
export async function syncSpool(
  ctx: StoreContext,
  opts: { onProgress?: (done: number, total: number) => void },
): Promise<SyncResult> {
  const { client, spool } = ctx;
  const result: SyncResult = { uploaded: 0, skipped: 0, failed: 0, errors: [] };
  const ids = spool.ids();
  const total = ids.reduce((n, id) => n + spool.lines(id).length, 0);
  let done = 0;
  opts.onProgress?.(0, total);
  let unreachable = false;
  for (const id of ids) {
    await ctx.serial(id, async () => {
      const lines = spool.lines(id);
      if (unreachable) {
        result.failed += lines.length;
        return;
      }
      let i = 0;
      try {
        for (; i < lines.length; i++) {
          const line = lines[i] as string;
          const outcome = await uploadRecord(ctx, deserializeRecord(line), line);
          result[outcome]++;
          opts.onProgress?.(++done, total);
          if ((i + 1) % SYNC_CHECKPOINT === 0 && i + 1 < lines.length)
            spool.rewrite(id, lines.slice(i + 1));
        }
        spool.rewrite(id, []);
        ctx.stateOf(id).spoolLast = undefined;
        await flushParent(ctx, id);
        const meta = spool.readMeta(id);
        if (meta) {
          await uploadMeta(ctx, meta);
          spool.removeMeta(id);
        }
        ctx.notify({
          kind: "synced",
          experimentId: id,
          message: `synced the spool of "${id}" to MLflow at ${client.trackingUri}`,
        });
      } catch (error) {
        spool.rewrite(id, lines.slice(i));
        result.failed += lines.length - i;
        const message = `"${id}": ${error instanceof Error ? error.message : String(error)}`;
        result.errors.push(message);
        if (MlflowError.isInstance(error) && error.unreachable) unreachable = true;
        ctx.notify({ kind: "sync-failed", experimentId: id, file: spool.recordsFile(id), message });
      }
    });
  }
  return result;
}
