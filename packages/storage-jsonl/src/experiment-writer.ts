/**
 * The append side of one experiment: its lock, its open file, the last
 * iteration it holds. While the lock is held an append is one `write` (plus an
 * fdatasync when durability asks for one); the lock is released after a short
 * idle moment so other processes can take their turn.
 */
import { fdatasyncSync, fstatSync, ftruncateSync, writeSync } from "node:fs";
import {
  ConvergeError,
  CorruptRecordError,
  deserializeRecord,
  type ExperimentRecord,
  IterationConflictError,
  StoreError,
  type StoreNotice,
} from "@converge/core";
import { openForAppend, writeNewFile } from "./file-safety.js";
import { acquireLock, type LockInfo, releaseLock } from "./lock.js";
import type { Durability } from "./options.js";
import { lockPath, recordsPath, tornPath } from "./paths.js";
import { closeQuietly, errorCode, errorMessage, writeHint } from "./sys-error.js";
import { countNewlines, readTail, type Tail } from "./tail.js";

/** After this long without an append, the lock is released (and a pending batch synced). */
export const IDLE_RELEASE_MS = 200;
/**
 * After an iteration conflict the caller re-reads the experiment and retries
 * (the tracker does): the lock is kept this long for that retry, so two writers
 * cannot keep stealing the experiment from each other while they re-read.
 */
export const CONFLICT_HOLD_MS = 5_000;

export interface WriterSettings {
  dir: string;
  durability: Durability;
  batchSize: number;
  lockTimeoutMs: number;
  notify: (notice: StoreNotice) => void;
  /** Creates the store directory if it is missing. */
  ensureDir: () => void;
}

/** Writers holding a lock, released synchronously if the process exits without close(). */
const live = new Set<ExperimentWriter>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const writer of live) {
      try {
        writer.releaseNow();
      } catch {
        // a failed sync at exit has no one left to tell
      }
    }
  });
}

/** Appends the records of one experiment. Not exported from the package. */
export class ExperimentWriter {
  readonly file: string;
  private readonly lock: string;
  private fd = -1;
  /** Bytes in the file: only we append while the lock is held, so no fstat is needed. */
  private size = 0;
  /** Iteration of the last stored record; -1 when there is none. */
  private last = -1;
  private unsynced = 0;
  private lockInfo: LockInfo | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerMs = 0;
  private opening: Promise<void> | undefined;
  /** Set by a failed fdatasync: this writer never writes again (its data may not be on disk). */
  private poisoned: StoreError | undefined;

  constructor(
    readonly experimentId: string,
    private readonly settings: WriterSettings,
  ) {
    this.file = recordsPath(settings.dir, experimentId);
    this.lock = lockPath(settings.dir, experimentId);
  }

  /**
   * Appends one validated record, serialised as `line` (ending in "\n").
   * Returns undefined when the record was written synchronously (the lock was
   * already held), else a promise: the common case costs no extra promise.
   */
  append(record: ExperimentRecord, line: string): Promise<void> | undefined {
    if (this.poisoned) throw this.poisoned;
    if (this.fd >= 0) {
      this.write(record, line);
      return undefined;
    }
    return this.openAndAppend(record, line);
  }

  private async openAndAppend(record: ExperimentRecord, line: string): Promise<void> {
    while (this.fd < 0) await this.open();
    this.write(record, line);
  }

  /** Takes the lock, opens the file, repairs a torn tail and learns the last iteration. */
  private open(): Promise<void> {
    this.opening ??= this.openNow().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async openNow(): Promise<void> {
    this.settings.ensureDir();
    const info = await acquireLock(this.lock, this.experimentId, this.settings.lockTimeoutMs);
    let fd = -1;
    try {
      // O_RDWR | O_APPEND | O_CREAT: every write lands at the end, and we can read the tail.
      // Never through a link and never a FIFO or device: the repair below cuts the file.
      fd = openForAppend(this.file);
      let size = fstatSync(fd).size;
      const tail = readTail(fd, size);
      let lastLine = tail.lastLine;
      if (tail.torn.length > 0) {
        const repaired = this.repairTail(fd, tail);
        size = repaired.size;
        lastLine = repaired.lastLine;
      }
      this.last = lastLine === undefined ? -1 : this.iterationOf(fd, lastLine, tail);
      this.fd = fd;
      this.size = size;
      this.unsynced = 0;
      this.lockInfo = info;
      installExitHook();
      live.add(this);
      this.touch();
    } catch (error) {
      if (fd >= 0) closeQuietly(fd);
      releaseLock(this.lock, info);
      if (ConvergeError.isInstance(error)) throw error;
      const code = errorCode(error);
      throw new StoreError(`Could not open ${this.file} for append: ${errorMessage(error)}`, {
        code,
        cause: error,
        hint: writeHint(code),
      });
    }
  }

  private iterationOf(fd: number, lastLine: string, tail: Tail): number {
    try {
      return deserializeRecord(lastLine).iteration;
    } catch (error) {
      const line = countNewlines(fd, tail.lastLineStart) + 1;
      throw new CorruptRecordError({
        file: this.file,
        line,
        reason: `the last record is not valid, so the next iteration number is unknown: ${errorMessage(error)}`,
        cause: error,
        hint: `repair or delete line ${line} of ${this.file}, then append again`,
      });
    }
  }

  /**
   * A last line without "\n". A whole record (a hand-edited file that lost its
   * final newline) only gets its newline; anything else is a torn write: it is
   * cut off, kept in a sidecar file, and reported.
   */
  private repairTail(fd: number, tail: Tail): { size: number; lastLine: string | undefined } {
    const text = tail.torn.toString("utf8");
    let whole = false;
    try {
      deserializeRecord(text);
      whole = true;
    } catch {
      // torn
    }
    if (whole) {
      writeSync(fd, "\n");
      return { size: tail.wholeEnd + tail.torn.length + 1, lastLine: text };
    }
    const line = countNewlines(fd, tail.wholeEnd) + 1;
    const sidecar = tornPath(this.settings.dir, this.experimentId, new Date());
    // The bytes are saved (and synced) before the file is cut, so a crash in between loses nothing.
    writeNewFile(sidecar, tail.torn, true);
    ftruncateSync(fd, tail.wholeEnd);
    fdatasyncSync(fd);
    this.settings.notify({
      kind: "torn-tail",
      experimentId: this.experimentId,
      file: this.file,
      line,
      message: `cut a torn last line of ${tail.torn.length} bytes at line ${line} of ${this.file} (kept in ${sidecar})`,
    });
    return { size: tail.wholeEnd, lastLine: tail.lastLine };
  }

  /** The append itself: synchronous, so no other append of this process can interleave. */
  private write(record: ExperimentRecord, line: string): void {
    if (this.poisoned) throw this.poisoned;
    if (record.iteration <= this.last) {
      this.touch(CONFLICT_HOLD_MS);
      throw new IterationConflictError({
        experimentId: this.experimentId,
        iteration: record.iteration,
        lastIteration: this.last,
      });
    }
    const before = this.size;
    const length = Buffer.byteLength(line);
    let written = 0;
    try {
      // One write per record, of the string itself (no Buffer to allocate).
      written = writeSync(this.fd, line);
      if (written < length) {
        // A short write (disk full mid-record): write the rest, which either
        // completes the line or fails with the real errno (ENOSPC).
        const bytes = Buffer.from(line);
        while (written < length) written += writeSync(this.fd, bytes, written, length - written);
      }
    } catch (error) {
      throw this.failedWrite(record, before, written, error);
    }
    this.size = before + length;
    this.last = record.iteration;
    this.unsynced++;
    const mode = this.settings.durability;
    if (mode === "every" || (mode === "batch" && this.unsynced >= this.settings.batchSize)) {
      this.sync();
    }
    this.touch();
  }

  /** Cuts a partial line back off, gives the lock up, and explains the failure. */
  private failedWrite(
    record: ExperimentRecord,
    before: number,
    written: number,
    error: unknown,
  ): StoreError {
    const code = errorCode(error);
    let undone = true;
    try {
      ftruncateSync(this.fd, before);
    } catch {
      // The disk refuses even the cut: only a partial line matters.
      undone = written === 0;
    }
    // Forget the file's state: the next append takes the lock again and re-reads the tail.
    this.releaseNow(false);
    const what = code === "ENOSPC" ? "disk full while appending" : "could not append";
    const outcome = undone
      ? "nothing was written"
      : `a partial line of ${written} bytes may remain; it is cut off the next time the experiment is opened for append`;
    return new StoreError(
      `${what} iteration ${record.iteration} of "${this.experimentId}" to ${this.file}: ${errorMessage(error)}; ${outcome}.`,
      { code, cause: error, hint: writeHint(code) },
    );
  }

  /** fdatasync; after a failure, never retried and never trusted. */
  private sync(): void {
    if (this.unsynced === 0 || this.fd < 0) return;
    try {
      fdatasyncSync(this.fd);
      this.unsynced = 0;
    } catch (error) {
      const code = errorCode(error);
      this.poisoned = new StoreError(
        `fdatasync of ${this.file} failed (${errorMessage(error)}): up to ${this.unsynced} of the last records of "${this.experimentId}" may not be on disk. This store will not write to it again.`,
        {
          code,
          cause: error,
          hint: `${writeHint(code)}; then check the experiment (read it) and create a new store to go on`,
        },
      );
      this.unsynced = 0;
      this.releaseNow(false);
      throw this.poisoned;
    }
  }

  /** (Re)starts the idle timer; unref'd so it never keeps the process alive. */
  private touch(ms = IDLE_RELEASE_MS): void {
    if (this.timer && this.timerMs === ms) {
      this.timer.refresh();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.idle(), ms);
    this.timer.unref();
    this.timerMs = ms;
  }

  private idle(): void {
    try {
      this.releaseNow(true);
    } catch {
      // a failed sync poisoned the writer: the next append or close() reports it
    }
  }

  /** Syncs (when asked and the mode wants it), closes the file and releases the lock. */
  releaseNow(sync = true): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.fd < 0) return;
    try {
      if (sync && this.settings.durability !== "none") this.sync();
    } finally {
      if (this.fd >= 0) closeQuietly(this.fd);
      this.fd = -1;
      live.delete(this);
      if (this.lockInfo) releaseLock(this.lock, this.lockInfo);
      this.lockInfo = undefined;
    }
  }

  /** Flushes and releases; throws if a sync failed since the last report. */
  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    this.releaseNow(true);
  }

  /** The error of a failed fdatasync, if one happened. */
  get failure(): StoreError | undefined {
    return this.poisoned;
  }
}
