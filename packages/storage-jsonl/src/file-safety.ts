/**
 * The store's own files are opened so that a hostile directory entry cannot
 * redirect or block them: writes never follow a symbolic link (O_NOFOLLOW),
 * and nothing but a regular file is ever read or written (a FIFO or a device
 * would block or act; O_NONBLOCK keeps the open itself from hanging, and the
 * type is checked before and after it).
 */
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  type Stats,
  statSync,
  writeSync,
} from "node:fs";
import { StoreError, terminalSafe } from "@converge/core";
import { closeQuietly, errorCode, errorMessage, unlinkQuietly, writeHint } from "./sys-error.js";

const { O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY } = constants;

/** Open flags of a records file for append: read-write (the tail is read), never through a link. */
const APPEND_FLAGS = O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK;
/** Open flags of a file that must not exist yet (meta temp file, torn sidecar, lock). */
export const CREATE_NEW_FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

/** "a FIFO (named pipe)", "a directory", ...: what a directory entry is, for messages. */
export function fileTypeOf(stats: Stats): string {
  if (stats.isFile()) return "a regular file";
  if (stats.isDirectory()) return "a directory";
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

/** Where a link points, shown safely (its text is whatever its creator wrote). */
function linkTarget(file: string): string {
  try {
    return terminalSafe(readlinkSync(file));
  } catch {
    return "somewhere unreadable";
  }
}

/**
 * `action` is what was being done, with `{file}` where the file goes ("open
 * {file} for append"), or a verb the file follows ("read"), so messages read
 * "Could not open experiments/x.jsonl for append: ...".
 */
function describeAction(action: string, file: string): string {
  return action.includes("{file}") ? action.replace("{file}", file) : `${action} ${file}`;
}

/** The refusal to write through a symbolic link, naming the link and the fix. */
export function symlinkError(file: string, action: string, cause?: unknown): StoreError {
  return new StoreError(
    `Refused to ${describeAction(action, file)}: it is a symbolic link (to ${linkTarget(file)}), and the store never writes through a link, so nothing outside the store directory can be changed or cut.`,
    {
      code: "ELOOP",
      cause,
      hint: `replace the link with the file itself (cp --remove-destination "$(readlink '${file}')" '${file}') or remove it, then retry`,
    },
  );
}

/** The refusal to use a FIFO, device, socket or directory as a store file. */
export function notRegularError(file: string, action: string, type: string): StoreError {
  return new StoreError(
    `Could not ${describeAction(action, file)}: it is ${type}, not a regular file.`,
    {
      code: type === "a directory" ? "EISDIR" : "ENOTREG",
      hint: `a store file must be a regular file: move ${file} out of the store directory, then retry`,
    },
  );
}

/**
 * Refuses `file` when it exists as a symbolic link or as anything but a
 * regular file. Used before replacing a file by rename (meta writes).
 */
export function refuseLinkOrSpecial(file: string, action: string): void {
  let stats: Stats;
  try {
    stats = lstatSync(file);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return;
    throw new StoreError(`Could not ${describeAction(action, file)}: ${errorMessage(error)}`, {
      code: errorCode(error),
      cause: error,
      hint: writeHint(errorCode(error)),
    });
  }
  if (stats.isSymbolicLink()) throw symlinkError(file, action);
  if (!stats.isFile()) throw notRegularError(file, action, fileTypeOf(stats));
}

/**
 * Opens a records file for append (created when missing): never through a
 * symbolic link, never a FIFO or device. The type is checked with lstat before
 * the open (opening a device can act) and with fstat after it (the entry may
 * have been swapped in between).
 */
export function openForAppend(file: string): number {
  const action = "open {file} for append";
  refuseLinkOrSpecial(file, action);
  let fd: number;
  try {
    fd = openSync(file, APPEND_FLAGS, 0o644);
  } catch (error) {
    if (errorCode(error) === "ELOOP") throw symlinkError(file, action, error);
    throw error;
  }
  checkOpened(fd, file, action);
  return fd;
}

/** Closes `fd` and throws unless it is a regular file. */
function checkOpened(fd: number, file: string, action: string): void {
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch (error) {
    closeQuietly(fd);
    throw error;
  }
  if (!stats.isFile()) {
    closeQuietly(fd);
    throw notRegularError(file, action, fileTypeOf(stats));
  }
}

/**
 * The text of a small store file (meta, lock). Links are followed only when
 * `followLinks` (reading a meta through a link is harmless; a lock must be
 * ours). Not a regular file: a `StoreError` with code ENOTREG or EISDIR; a
 * missing file throws the system error (ENOENT) for the caller to handle.
 */
export function readSmallFile(file: string, followLinks: boolean): string {
  const action = "read";
  const stats = followLinks ? statSync(file) : lstatSync(file);
  if (stats.isSymbolicLink()) throw symlinkError(file, action);
  if (!stats.isFile()) throw notRegularError(file, action, fileTypeOf(stats));
  const fd = openSync(file, O_RDONLY | O_NONBLOCK | (followLinks ? 0 : O_NOFOLLOW));
  checkOpened(fd, file, action);
  try {
    return readFileSync(fd, "utf8");
  } finally {
    closeQuietly(fd);
  }
}

/**
 * Creates `file`, which must not exist (O_EXCL: not even as a link), writes
 * `bytes` and syncs them. On failure the partial file is removed and the
 * system error is thrown for the caller to explain.
 */
export function writeNewFile(file: string, bytes: Buffer | string, sync: boolean): void {
  const data = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
  const fd = openSync(file, CREATE_NEW_FLAGS, 0o644);
  try {
    for (let done = 0; done < data.length; ) {
      done += writeSync(fd, data, done, data.length - done);
    }
    if (sync) fsyncSync(fd);
    closeSync(fd);
  } catch (error) {
    closeQuietly(fd);
    unlinkQuietly(file);
    throw error;
  }
}
