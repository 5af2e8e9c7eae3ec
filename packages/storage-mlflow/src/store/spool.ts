import {
  closeSync,
  existsSync,
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
 * The offline spool: `<dir>/<experiment_id>.jsonl` (records in append order,
 * one `serializeRecord` line each, fsynced) and `<dir>/<experiment_id>.meta.json`
 * (the last meta written while offline).
 */
export class Spool {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  recordsFile(id: string): string {
    return join(this.dir, `${id}.jsonl`);
  }

  metaFile(id: string): string {
    return join(this.dir, `${id}.meta.json`);
  }

  has(id: string): boolean {
    return existsSync(this.recordsFile(id)) || existsSync(this.metaFile(id));
  }

  hasRecords(id: string): boolean {
    return existsSync(this.recordsFile(id));
  }

  /** Experiment ids with anything spooled, sorted. */
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
      if (n.endsWith(".jsonl")) ids.add(n.slice(0, -".jsonl".length));
      else if (n.endsWith(".meta.json")) ids.add(n.slice(0, -".meta.json".length));
    }
    return [...ids].sort();
  }

  /** Appends one line (a serialized record) and fsyncs it. */
  append(id: string, line: string): void {
    const file = this.recordsFile(id);
    this.guard(file, () => {
      const created = !existsSync(file);
      if (created) mkdirSync(this.dir, { recursive: true });
      const fd = openSync(file, "a");
      try {
        writeSync(fd, `${line}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (created) this.syncDir();
    });
  }

  /** The spooled lines of an experiment (a torn last line, without its newline, is dropped). */
  lines(id: string): string[] {
    let text: string;
    try {
      text = readFileSync(this.recordsFile(id), "utf8");
    } catch {
      return [];
    }
    const parts = text.split("\n");
    parts.pop(); // after the last newline: "" or a torn tail
    return parts.filter((l) => l.trim() !== "");
  }

  records(id: string): ExperimentRecord[] {
    return this.lines(id).map((l) => deserializeRecord(l));
  }

  /** Replaces the spooled lines atomically (temp file + fsync + rename); no lines removes the file. */
  rewrite(id: string, lines: readonly string[]): void {
    const file = this.recordsFile(id);
    this.guard(file, () => {
      if (lines.length === 0) {
        rmSync(file, { force: true });
      } else {
        this.atomicWrite(file, lines.map((l) => `${l}\n`).join(""));
      }
      this.syncDir();
    });
  }

  writeMeta(meta: ExperimentMeta): void {
    const file = this.metaFile(meta.experiment_id);
    this.guard(file, () => {
      mkdirSync(this.dir, { recursive: true });
      this.atomicWrite(file, `${JSON.stringify(meta, null, 2)}\n`);
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

  removeMeta(id: string): void {
    rmSync(this.metaFile(id), { force: true });
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
