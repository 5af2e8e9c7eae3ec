import { statSync } from "node:fs";
import { resolve } from "node:path";
import { StoreError, terminalSafe } from "@converge/core";
import type { CommandContext } from "./context.js";
import { type Progress, startProgress } from "./progress.js";
import { openMlflowStore } from "./store-open-mlflow.js";
import { resolveStoreLocation } from "./store-uri.js";
import type { SyncOptions } from "./sync-command.js";
import { redactingNotices } from "./uri-redaction.js";
import { UsageError } from "./usage-error.js";

/** `converge sync`: loaded when the command runs (see sync-command.ts). */
export async function runSync(options: SyncOptions, ctx: CommandContext): Promise<void> {
  const location = resolveStoreLocation(options, ctx.io);
  if (location.kind !== "mlflow") {
    throw new UsageError(
      `converge sync uploads the offline spool of an MLflow store; ${location.display} has none. ` +
        "Give --store mlflow+http://HOST:PORT (or set MLFLOW_TRACKING_URI).",
    );
  }
  const spoolDir =
    options.spoolDir === undefined
      ? undefined
      : checkSpoolDir(resolve(ctx.io.cwd, options.spoolDir));
  const store = openMlflowStore(location, {
    // "synced" is said by the counts at the end; failures and spooling are warnings.
    onNotice: redactingNotices((n) => {
      if (n.kind !== "synced") ctx.notice(n);
    }),
    env: ctx.io.env,
    ...(spoolDir !== undefined && { spoolDir }),
  });
  let progress: Progress | undefined;
  try {
    const waiting = await store.pending();
    if (waiting === 0)
      ctx.out(`The offline spool is empty: nothing to upload to ${location.display}.`);
    const result = await store.sync({
      onProgress(done: number, total: number) {
        progress ??= startProgress(ctx.io.stderr, {
          label: "sync",
          total,
          unit: "records",
          quiet: options.quiet === true,
        });
        progress.update(done, total);
      },
    });
    progress?.stop();
    progress = undefined;
    const left = await store.pending();
    ctx.out(
      `Uploaded ${result.uploaded}, skipped ${result.skipped} (already on the server), failed ${result.failed}.`,
    );
    if (result.failed > 0 || left > 0) {
      throw new StoreError(
        `${Math.max(left, result.failed)} record(s) are still in the offline spool; run converge sync again when ${location.display} can be reached.`,
      );
    }
  } finally {
    progress?.stop();
    await store.close();
  }
}

/**
 * The spool directory `--spool-dir` names, which must exist: a mistyped path
 * would otherwise read as an empty spool and the records in the real one
 * would never be uploaded.
 */
function checkSpoolDir(dir: string): string {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new StoreError(
        `--spool-dir ${terminalSafe(dir)} does not exist. Give the directory the MLflow store spooled into ` +
          "(its spoolDir option; by default .converge-spool in the directory the loop ran in), or leave --spool-dir out to use that default.",
      );
    }
    throw new StoreError(
      `--spool-dir ${terminalSafe(dir)} cannot be read (${code ?? String(error)}); check its permissions.`,
      { code, cause: error },
    );
  }
  if (!isDirectory) {
    throw new StoreError(
      `--spool-dir ${terminalSafe(dir)} is a file, not a directory. Give the spool directory that holds the <experiment_id>.jsonl files, not one of the files.`,
    );
  }
  return dir;
}
