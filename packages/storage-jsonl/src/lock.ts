import { closeSync, lstatSync, openSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { StoreError } from "@converge/core";
import { CREATE_NEW_FLAGS, readSmallFile } from "./file-safety.js";
import { closeQuietly, errorCode, unlinkQuietly } from "./sys-error.js";

/** What a lock file holds. */
export interface LockInfo {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** Lock files this process holds, so a file naming our own pid but not held here is stale. */
const heldHere = new Set<string>();

/** A lock file that could not be parsed (a writer died between create and write) is stale after this. */
const UNREADABLE_LOCK_GRACE_MS = 2_000;
/** A takeover marker older than this belongs to a process that died while breaking a lock. */
const TAKEOVER_GRACE_MS = 10_000;

const HOST = hostname();

/** True when `pid` is a live process on this host (EPERM: alive, owned by someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM";
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (
      Number.isSafeInteger(v.pid) &&
      typeof v.hostname === "string" &&
      typeof v.since === "string"
    ) {
      return v as LockInfo;
    }
  } catch {
    // handled by the caller as an unreadable lock
  }
  return undefined;
}

type Attempt = { acquired: true } | { acquired: false; holder: LockInfo | undefined };

function tryCreate(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(path, CREATE_NEW_FLAGS, 0o644);
  } catch (error) {
    if (errorCode(error) === "EEXIST") return false;
    throw lockError(path, "create", error);
  }
  try {
    writeSync(fd, JSON.stringify(info));
  } catch (error) {
    closeQuietly(fd);
    unlinkQuietly(path);
    throw lockError(path, "write", error);
  }
  closeSync(fd);
  return true;
}

function lockError(path: string, what: string, error: unknown): StoreError {
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  let hint = "check that the store directory exists and is writable by this user";
  if (code === "ENOSPC") hint = "the disk is full; free space and retry";
  // A link, FIFO or directory where the lock belongs: never ours, never followed.
  if (code === "ELOOP" || code === "ENOTREG" || code === "EISDIR") {
    hint = `a lock file is a regular file the store creates itself: delete ${path} (a link: only the link, not its target), then retry`;
  }
  return new StoreError(`Could not ${what} the lock file ${path}: ${reason}`, {
    code,
    cause: error,
    hint,
  });
}

/** The text of a lock file: never through a link, never waiting on a FIFO. */
function readLock(path: string): string {
  return readSmallFile(path, false);
}

/** Whether the lock described by `text` was left by a process that is gone. */
function isStale(path: string, holder: LockInfo | undefined): boolean {
  if (holder === undefined) {
    try {
      return Date.now() - lstatSync(path).mtimeMs > UNREADABLE_LOCK_GRACE_MS;
    } catch {
      return false; // vanished meanwhile: the next attempt will tell
    }
  }
  if (holder.hostname !== HOST) return false; // cannot see processes on another host
  if (holder.pid === process.pid) return !heldHere.has(path); // a previous life of this pid (container restart)
  return !isAlive(holder.pid);
}

/**
 * Removes a stale lock, unless someone else replaced it meanwhile. A second
 * marker file serialises the breakers, so two processes that both saw the same
 * stale lock cannot both remove it and then the fresh lock of the winner.
 */
function breakStale(path: string, staleText: string): void {
  const marker = `${path}.takeover`;
  if (!tryCreateMarker(marker)) return;
  try {
    let current: string | undefined;
    try {
      current = readLock(path);
    } catch {
      return; // already gone
    }
    if (current === staleText) unlinkSync(path);
  } catch {
    // someone else removed it first: fine
  } finally {
    try {
      unlinkSync(marker);
    } catch {
      // not ours any more
    }
  }
}

function tryCreateMarker(marker: string): boolean {
  try {
    closeSync(openSync(marker, CREATE_NEW_FLAGS, 0o644));
    return true;
  } catch (error) {
    if (errorCode(error) !== "EEXIST") return false;
    try {
      if (Date.now() - lstatSync(marker).mtimeMs > TAKEOVER_GRACE_MS) unlinkSync(marker);
    } catch {
      // raced with its owner: fine
    }
    return false;
  }
}

function attempt(path: string, info: LockInfo): Attempt {
  for (;;) {
    if (tryCreate(path, info)) return { acquired: true };
    let text: string | undefined;
    try {
      text = readLock(path);
    } catch (error) {
      if (errorCode(error) === "ENOENT") continue; // released between our two calls: try again
      throw lockError(path, "read", error);
    }
    const holder = parseLock(text);
    if (!isStale(path, holder)) return { acquired: false, holder };
    breakStale(path, text);
  }
}

/**
 * Takes the lock file `path` for `experimentId`, waiting (polling with a short
 * backoff) up to `timeoutMs` for a live holder. A lock whose holder is dead on
 * this host is taken over.
 */
export async function acquireLock(
  path: string,
  experimentId: string,
  timeoutMs: number,
): Promise<LockInfo> {
  const info: LockInfo = { pid: process.pid, hostname: HOST, since: new Date().toISOString() };
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    const result = attempt(path, info);
    if (result.acquired) {
      heldHere.add(path);
      return info;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw lockedError(path, experimentId, result.holder, timeoutMs);
    // Jitter keeps two waiters from polling in step.
    await sleep(Math.min(left, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 2, 100);
  }
}

function lockedError(
  path: string,
  experimentId: string,
  holder: LockInfo | undefined,
  timeoutMs: number,
): StoreError {
  const who = holder
    ? `pid ${holder.pid}${holder.hostname === HOST ? "" : ` on host ${holder.hostname}`} since ${holder.since}`
    : "a process that left an unreadable lock file";
  return new StoreError(
    `Experiment "${experimentId}" is being written by ${who} (lock ${path}); waited ${timeoutMs} ms.`,
    {
      code: "ELOCKED",
      hint: `wait for it or stop it; if no such process is running (e.g. it ran on another host sharing this directory), delete ${path}`,
    },
  );
}

/**
 * Releases a lock this process holds. The file is removed only while it still
 * names us, so a lock someone else took over is never deleted.
 */
export function releaseLock(path: string, info: LockInfo): void {
  heldHere.delete(path);
  try {
    const holder = parseLock(readLock(path));
    if (holder && holder.pid === info.pid && holder.since === info.since) unlinkSync(path);
  } catch {
    // gone already, or unreadable: nothing of ours to remove
  }
}
