import { closeSync, unlinkSync } from "node:fs";

/** The `code` of a Node.js system error (ENOSPC, EACCES, ...), if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The message of whatever was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What to do about a failed write, by system error code. */
export function writeHint(code: string | undefined): string {
  switch (code) {
    case "ENOSPC":
      return "free space and retry (the record was not stored, so appending it again is safe)";
    case "EDQUOT":
      return "the disk quota of this user is exhausted; free space or raise the quota and retry";
    case "EFBIG":
      return "the file hit the size limit of the file system or the process (ulimit -f); start a new experiment";
    case "EROFS":
      return "the file system is read-only; point the store at a writable directory";
    case "EACCES":
    case "EPERM":
      return "the store directory or file is not writable by this user; fix its permissions";
    case "EIO":
      return "the disk reported an I/O error; check the disk (dmesg) before writing again";
    default:
      return "check the disk and the store directory, then retry";
  }
}

/** Closes a file descriptor, ignoring errors (cleanup after another error). */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // the original error matters more
  }
}

/** Removes a file, ignoring errors (cleanup after another error). */
export function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // the original error matters more
  }
}
