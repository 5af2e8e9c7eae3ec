/**
 * Atomic file writes: the content goes to a temporary file in the target's
 * directory, is flushed to disk (fsync), then renamed over the target, so a
 * reader sees the old file or the new one, never half of one.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Create missing parent directories (default true). */
  mkdirs?: boolean;
}

/**
 * Writes `content` to `path` atomically (temp file in the same directory +
 * fsync + rename, then an fsync of the directory where the platform allows).
 * On failure the temporary file is removed and the previous file, if any, is
 * left as it was.
 *
 * @throws Error naming the path and the cause (e.g. ENOSPC, EACCES) with a hint.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path);
  if (options.mkdirs !== false) await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(temp, "wx", 0o644);
    await handle.writeFile(content);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw writeError(path, error);
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Some platforms and file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function writeError(path: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const hint =
    code === "ENOSPC"
      ? "the disk is full: free some space and write the report again"
      : code === "EACCES" || code === "EPERM"
        ? "no permission to write there: choose another output path or fix the directory's permissions"
        : code === "ENOENT" || code === "ENOTDIR"
          ? "the directory does not exist: create it or choose another output path"
          : code === "EISDIR"
            ? "the path is a directory: give a file name"
            : "check the path and try again";
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`could not write ${path}: ${reason}; ${hint}`, { cause: error });
}
