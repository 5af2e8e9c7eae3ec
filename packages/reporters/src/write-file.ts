/**
 * Writing a report where the user pointed: a regular file is replaced
 * atomically (temporary file in the same directory, fsync, rename), so a
 * reader sees the old file or the new one, never half of one. A target that
 * is not a regular file (`/dev/null`, a terminal, a FIFO, `/dev/stdout`) is
 * written into in place: renaming over it would replace a device node with a
 * regular file (as root, `-o /dev/null` would break the machine's
 * `/dev/null`). A symbolic link to a regular file keeps being a link: its
 * target file is replaced atomically.
 */
import { randomBytes } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { lstat, mkdir, open, realpath, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ReportWriteError } from "./errors.js";

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Create missing parent directories (default true). */
  mkdirs?: boolean;
  /**
   * Refuse a path that is a symbolic link or anything but a regular file,
   * instead of following it (default false). For files the caller owns, such
   * as the chart files in a report's own directory: nothing is written
   * through a link someone placed there.
   */
  noFollow?: boolean;
  /**
   * How long a write into a FIFO may wait for its reader to take more data
   * before it fails (default 30,000 ms).
   */
  stallTimeoutMs?: number;
}

type FileHandle = Awaited<ReturnType<typeof open>>;

/** What an output path is, after following symbolic links. */
export type OutputTarget =
  | { kind: "missing" }
  | { kind: "file"; real: string }
  | { kind: "in-place"; real: string; what: "character device" | "FIFO" | "block device" }
  | { kind: "refused"; reason: string };

function nodeKind(stats: Stats): "file" | "directory" | "socket" | "in-place" {
  if (stats.isFile()) return "file";
  if (stats.isDirectory()) return "directory";
  if (stats.isSocket()) return "socket";
  return "in-place";
}

/**
 * What `path` is: missing, a regular file (`real`: the file a link resolves
 * to), a node written into in place (device, FIFO), or refused with a reason.
 *
 * @throws the file system's error when `path` cannot be examined (EACCES, ENOTDIR)
 */
export async function outputTarget(path: string): Promise<OutputTarget> {
  let link: Stats;
  try {
    link = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    throw error;
  }
  let stats = link;
  let real = path;
  if (link.isSymbolicLink()) {
    try {
      real = await realpath(path);
      stats = await stat(real);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ELOOP") {
        return {
          kind: "refused",
          reason: `it is a symbolic link that leads nowhere (${code}); point -o at a file name, or fix or remove the link`,
        };
      }
      throw error;
    }
  }
  switch (nodeKind(stats)) {
    case "file":
      return { kind: "file", real };
    case "directory":
      return {
        kind: "refused",
        reason: "it is a directory (EISDIR); give a file name, e.g. <dir>/report.html",
      };
    case "socket":
      return {
        kind: "refused",
        reason: "it is a socket, which cannot be written as a file; choose a file name",
      };
    default:
      return {
        kind: "in-place",
        real,
        what: stats.isFIFO() ? "FIFO" : stats.isBlockDevice() ? "block device" : "character device",
      };
  }
}

/**
 * Writes `content` to `path`, atomically where `path` is (or will be) a
 * regular file:
 *
 * - missing or a regular file: temp file in the same directory + fsync +
 *   rename, then an fsync of the directory where the platform allows. On
 *   failure the temporary file is removed and the previous file is left as it was.
 * - a symbolic link to a regular file: the link stays; the file it resolves
 *   to is replaced atomically (temp file in that file's own directory).
 * - a character device, FIFO or block device, directly or through a link
 *   (`/dev/null`, a terminal, `/dev/stdout`): written into in place (no
 *   temporary file, no rename, no truncation). A FIFO is opened
 *   non-blocking, so one nobody reads fails at once (ENXIO: "no reader")
 *   instead of hanging; a reader that stops taking data for
 *   `stallTimeoutMs` fails the write too.
 * - a directory, a socket or a link that leads nowhere: refused.
 *
 * @throws ReportWriteError naming the path, the cause (e.g. ENOSPC, EACCES, ENXIO) and a fix.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  let target: OutputTarget;
  try {
    target = options.noFollow === true ? await ownTarget(path) : await outputTarget(path);
  } catch (error) {
    throw writeError(path, error);
  }
  if (target.kind === "refused") {
    throw new ReportWriteError(`could not write ${path}: ${target.reason}`, { path });
  }
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  if (target.kind === "in-place") {
    await writeInPlace(path, target.real, target.what, bytes, options.stallTimeoutMs ?? 30_000);
    return;
  }
  const real = target.kind === "file" ? target.real : path;
  if (target.kind === "missing" && options.mkdirs !== false) {
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (error) {
      throw writeError(path, error);
    }
  }
  await replaceAtomically(path, real, bytes);
}

/** {@link outputTarget} without following a link: only missing or a regular file are written. */
async function ownTarget(path: string): Promise<OutputTarget> {
  let stats: Stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    throw error;
  }
  if (stats.isFile()) return { kind: "file", real: path };
  const what = stats.isSymbolicLink() ? "a symbolic link" : "not a regular file";
  return {
    kind: "refused",
    reason: `it is ${what}, and this file is never written through a link or into a special file: remove ${path} and write the report again`,
  };
}

async function replaceAtomically(shown: string, real: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(real);
  const temp = join(dir, `.${basename(real)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, "wx", 0o644);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, real);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw writeError(shown, error);
  }
  await syncDirectory(dir);
}

async function writeInPlace(
  shown: string,
  real: string,
  what: string,
  bytes: Uint8Array,
  stallTimeoutMs: number,
): Promise<void> {
  // No O_CREAT, no O_TRUNC: the node exists and is not ours to replace or resize.
  // O_NONBLOCK on a FIFO: open fails with ENXIO at once when nobody reads it.
  const fifo = what === "FIFO";
  const flags = constants.O_WRONLY | constants.O_NOCTTY | (fifo ? constants.O_NONBLOCK : 0);
  let handle: FileHandle | undefined;
  try {
    handle = await open(real, flags);
    let offset = 0;
    let stalledSince = 0;
    while (offset < bytes.length) {
      let written = 0;
      try {
        ({ bytesWritten: written } = await handle.write(bytes, offset, bytes.length - offset));
      } catch (error) {
        // A non-blocking FIFO whose buffer is full: wait for the reader to take some.
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
      }
      if (written > 0) {
        offset += written;
        stalledSince = 0;
        continue;
      }
      stalledSince ||= Date.now();
      if (Date.now() - stalledSince > stallTimeoutMs) {
        throw Object.assign(new Error(`the reader took no data for ${stallTimeoutMs} ms`), {
          code: "ETIMEDOUT",
        });
      }
      await sleep(5);
    }
  } catch (error) {
    throw writeError(shown, error, what);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Some platforms and file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function hintFor(code: string | undefined, what: string | undefined): string {
  switch (code) {
    case "ENOSPC":
      return "the disk is full: free some space and write the report again";
    case "EACCES":
    case "EPERM":
      return "no permission to write there: choose another output path or fix the permissions";
    case "ENOENT":
    case "ENOTDIR":
      return "the directory does not exist: create it or choose another output path";
    case "EISDIR":
      return "the path is a directory: give a file name";
    case "ENXIO":
      return what === "FIFO"
        ? "the FIFO has no reader: start the program that reads it first (e.g. `cat < fifo`), then write the report"
        : "the device is not available: choose a file name instead";
    case "EPIPE":
      return "the reader closed the pipe before the report was written: keep it open until the end";
    case "ETIMEDOUT":
      return "the reader stopped reading: make sure it reads until the end, or write to a file";
    default:
      return "check the path and try again";
  }
}

function writeError(path: string, error: unknown, what?: string): ReportWriteError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = error instanceof Error ? error.message : String(error);
  const into = what ? ` (a ${what}, written in place)` : "";
  return new ReportWriteError(`could not write ${path}${into}: ${reason}; ${hintFor(code, what)}`, {
    path,
    code,
    cause: error,
  });
}
