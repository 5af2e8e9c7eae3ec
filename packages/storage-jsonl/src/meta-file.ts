/** `<id>.meta.json`: written atomically (temp file, fsync, rename, fsync of the directory). */
import { fsyncSync, openSync, renameSync } from "node:fs";
import { basename, dirname } from "node:path";
import {
  type ExperimentMeta,
  ExperimentMetaSchema,
  StoreError,
  toValidationIssues,
} from "@converge/core";
import { readSmallFile, refuseLinkOrSpecial, writeNewFile } from "./file-safety.js";
import { metaPath } from "./paths.js";
import { closeQuietly, errorCode, errorMessage, unlinkQuietly, writeHint } from "./sys-error.js";

let tempCounter = 0;

/** Non-finite numbers (metrics in a summary) as the strings the record format reads back. */
function nonFiniteAsText(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  }
  return value;
}

/** Writes a validated meta so a reader sees the old file or the new one, never a mix. */
export function writeMetaFile(dir: string, meta: ExperimentMeta): void {
  const target = metaPath(dir, meta.experiment_id);
  // A leading "." keeps temp files out of list(): ids start with a letter or digit.
  const temp = `${dirname(target)}/.${basename(target)}.${process.pid}.${++tempCounter}.tmp`;
  const bytes = Buffer.from(`${JSON.stringify(meta, nonFiniteAsText, 2)}\n`);
  // rename() would replace a link rather than write through it, but a linked or
  // special meta file is the user's to sort out: refused, not silently replaced.
  refuseLinkOrSpecial(target, `write the meta of "${meta.experiment_id}" to`);
  let written = false;
  try {
    writeNewFile(temp, bytes, true);
    written = true;
    renameSync(temp, target);
  } catch (error) {
    // Only our own temp file is removed (writeNewFile cleans up after itself).
    if (written) unlinkQuietly(temp);
    const code = errorCode(error);
    throw new StoreError(
      `Could not write the meta of "${meta.experiment_id}" to ${target}: ${errorMessage(error)}; the previous meta (if any) is unchanged.`,
      { code, cause: error, hint: writeHint(code) },
    );
  }
  syncDirectory(dirname(target));
}

/** fsync of a directory makes a rename in it durable. */
export function syncDirectory(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch (error) {
    // Some file systems cannot fsync a directory (EINVAL); the rename itself is done.
    if (errorCode(error) !== "EINVAL") {
      throw new StoreError(`Could not sync the directory ${dir}: ${errorMessage(error)}`, {
        code: errorCode(error),
        cause: error,
        hint: writeHint(errorCode(error)),
      });
    }
  } finally {
    if (fd >= 0) closeQuietly(fd);
  }
}

function badMeta(file: string, reason: string, cause?: unknown): StoreError {
  return new StoreError(`${file}: not a valid experiment meta file: ${reason}`, {
    code: "EBADMETA",
    cause,
    hint: `fix or delete ${file} (the records stay readable without it; run.finish() or tracker.start() writes a new one)`,
  });
}

/** An experiment's meta, or null when it has none; a bad file is a `StoreError` naming it. */
export function readMetaFile(dir: string, experimentId: string): ExperimentMeta | null {
  const file = metaPath(dir, experimentId);
  let text: string;
  try {
    // Through a link is fine for a read; a FIFO or device is refused, never waited on.
    text = readSmallFile(file, true);
  } catch (error) {
    if (StoreError.isInstance(error)) throw error;
    const code = errorCode(error);
    if (code === "ENOENT") return null;
    throw new StoreError(`Could not read ${file}: ${errorMessage(error)}`, {
      code,
      cause: error,
      hint: "check the permissions of the store directory",
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badMeta(file, `not JSON (${errorMessage(error)})`, error);
  }
  const result = ExperimentMetaSchema.safeParse(value);
  if (!result.success) {
    const issues = toValidationIssues(result.error)
      .map((i) => `${i.path || "meta"}: ${i.message}`)
      .join("; ");
    throw badMeta(file, issues, result.error);
  }
  if (result.data.experiment_id !== experimentId) {
    throw badMeta(
      file,
      `it holds experiment_id "${result.data.experiment_id}", not "${experimentId}"`,
    );
  }
  return result.data;
}
