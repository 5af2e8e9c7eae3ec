import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join, resolve } from "node:path";
import {
  deserializeRecord,
  type ExperimentMeta,
  ExperimentMetaSchema,
  type ExperimentRecord,
  parseOrThrow,
  StoreError,
} from "@converge/core";

/**
 * The local spool every record passes through: `<dir>/<experiment_id>.jsonl`
 * holds the records acknowledged but not yet on the server (in append order,
 * one `serializeRecord` line each, fdatasynced before `append` resolves),
 * `<dir>/<experiment_id>.meta.json` the last meta not yet on the server, and
 * an empty `<dir>/<experiment_id>.parent-behind` marks a parent run whose
 * trajectory must be rebuilt from the records. One process writes a spool
 * directory's experiment at a time; its lines are cached in memory.
 */
export class Spool {
  readonly dir: string;
  private readonly cache = new Map<string, string[]>();
  private readonly fds = new Map<string, number>();

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  recordsFile(id: string): string {
    return join(this.dir, `${id}.jsonl`);
  }

  metaFile(id: string): string {
    return join(this.dir, `${id}.meta.json`);
  }

  parentBehindFile(id: string): string {
    return join(this.dir, `${id}.parent-behind`);
  }

  has(id: string): boolean {
    return this.hasRecords(id) || existsSync(this.metaFile(id));
  }

  hasRecords(id: string): boolean {
    return this.lines(id).length > 0;
  }

  /** Experiment ids with anything spooled (records, meta or a parent to rebuild), sorted. */
  ids(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const ids = new Set<string>();
    for (const n of names) {
      if (n.startsWith(".")) continue;
      for (const suffix of [".jsonl", ".meta.json", ".parent-behind"]) {
        if (n.endsWith(suffix)) ids.add(n.slice(0, -suffix.length));
      }
    }
    return [...ids].sort();
  }

  /** Appends one line (a serialized record) and fdatasyncs it before returning. */
  append(id: string, line: string): void {
    const file = this.recordsFile(id);
    const lines = this.cached(id);
    this.guard(file, () => {
      let fd = this.fds.get(id);
      if (fd === undefined) {
        const created = !existsSync(file);
        if (created) mkdirSync(this.dir, { recursive: true });
        // A torn tail (a crash mid-write, never acknowledged) would glue onto the next line.
        else if (!readFileSync(file, "utf8").endsWith("\n"))
          this.atomicWrite(file, lines.map((l) => `${l}\n`).join(""));
        fd = openSync(file, "a");
        this.fds.set(id, fd);
        if (created) this.syncDir();
      }
      writeSync(fd, `${line}\n`);
      fdatasyncSync(fd);
    });
    lines.push(line);
  }

  /** The spooled lines of an experiment, oldest first (a torn last line, without its newline, is dropped). */
  lines(id: string): readonly string[] {
    return this.cached(id);
  }

  private cached(id: string): string[] {
    let lines = this.cache.get(id);
    if (lines === undefined) {
      lines = readLines(this.recordsFile(id));
      this.cache.set(id, lines);
    }
    return lines;
  }

  records(id: string): ExperimentRecord[] {
    return this.lines(id).map((l) => deserializeRecord(l));
  }

  /** Drops the first `count` lines (they reached the server): an atomic rewrite, or removal when none are left. */
  dropFirst(id: string, count: number): void {
    if (count <= 0) return;
    const file = this.recordsFile(id);
    const rest = this.lines(id).slice(count);
    this.guard(file, () => {
      this.closeFd(id);
      if (rest.length === 0) rmSync(file, { force: true });
      else this.atomicWrite(file, rest.map((l) => `${l}\n`).join(""));
      this.syncDir();
    });
    this.cache.set(id, rest);
  }

  writeMeta(meta: ExperimentMeta): void {
    const file = this.metaFile(meta.experiment_id);
    this.guard(file, () => {
      mkdirSync(this.dir, { recursive: true });
      this.atomicWrite(file, metaText(meta));
      this.syncDir();
    });
  }

  readMeta(id: string): ExperimentMeta | null {
    let text: string;
    try {
      text = readFileSync(this.metaFile(id), "utf8");
    } catch {
      return null;
    }
    return parseOrThrow(ExperimentMetaSchema, JSON.parse(text), "meta");
  }

  /** Removes the spooled meta if it is still `meta` (a newer one written meanwhile stays). */
  removeMeta(id: string, meta?: ExperimentMeta): void {
    const file = this.metaFile(id);
    if (meta !== undefined) {
      let text: string | undefined;
      try {
        text = readFileSync(file, "utf8");
      } catch {
        return;
      }
      if (text !== metaText(meta)) return;
    }
    rmSync(file, { force: true });
  }

  /** Marks (or clears) an experiment whose parent run's trajectory must be rebuilt from its records. */
  setParentBehind(id: string, behind: boolean): void {
    const file = this.parentBehindFile(id);
    if (!behind) {
      rmSync(file, { force: true });
      return;
    }
    this.guard(file, () => {
      mkdirSync(this.dir, { recursive: true });
      closeSync(openSync(file, "a"));
    });
  }

  parentBehind(id: string): boolean {
    return existsSync(this.parentBehindFile(id));
  }

  /** Closes the files kept open for appending. */
  close(): void {
    for (const id of [...this.fds.keys()]) this.closeFd(id);
  }

  private closeFd(id: string): void {
    const fd = this.fds.get(id);
    if (fd === undefined) return;
    this.fds.delete(id);
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
  }

  private atomicWrite(file: string, text: string): void {
    const tmp = join(
      this.dir,
      `.${file.slice(this.dir.length + 1)}.${process.pid}.${Date.now()}.tmp`,
    );
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  }

  private syncDir(): void {
    try {
      const fd = openSync(this.dir, "r");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Not every file system can fsync a directory.
    }
  }

  private guard(file: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new StoreError(
        `Could not write the MLflow spool file ${file}: ${(error as Error).message}`,
        {
          code,
          cause: error,
          hint: "the server is unreachable and the local spool cannot be written either: free disk space or fix the spoolDir permissions; this record was NOT stored",
        },
      );
    }
  }
}

const metaText = (meta: ExperimentMeta) => `${JSON.stringify(meta, null, 2)}\n`;

/** The complete lines of a file (none when it is missing); a torn tail without its newline is dropped. */
function readLines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const parts = text.split("\n");
  parts.pop(); // after the last newline: "" or a torn tail
  return parts.filter((l) => l.trim() !== "");
}
