import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import {
  type ExperimentListing,
  type ExperimentMeta,
  ExperimentMetaSchema,
  ExperimentNotFoundError,
  type ExperimentRecord,
  parseOrThrow,
  parseRecord,
  type ReadOptions,
  type Store,
  StoreError,
  type StoreNotice,
  serializeRecord,
} from "@converge/core";
import { ExperimentWriter } from "./experiment-writer.js";
import { listExperiments } from "./list-experiments.js";
import { readMetaFile, writeMetaFile } from "./meta-file.js";
import { type Durability, type JsonlStoreOptions, parseOptions } from "./options.js";
import { checkExperimentId, recordsPath } from "./paths.js";
import { openRecordBatches } from "./read-records.js";
import { errorCode, errorMessage, writeHint } from "./sys-error.js";

/** How many notices `store.notices` keeps (the oldest are dropped first). */
const MAX_KEPT_NOTICES = 1000;

/** The answer of an append that completed synchronously. */
const DONE: Promise<void> = Promise.resolve();

/** A `Store` on a directory of JSONL files. */
export interface JsonlStore extends Store {
  /** `jsonl:<dir>` as given. */
  readonly name: string;
  /** The directory as given in the options. */
  readonly dir: string;
  /** The durability mode in force. */
  readonly durability: Durability;
  /**
   * Repairs, skips and findings so far (torn tails, bad lines skipped by
   * lenient reads, files `list` skipped, unreadable meta, duplicate, foreign
   * and out-of-order records, inexact numbers), oldest first; the last 1,000
   * are kept.
   */
  readonly notices: StoreNotice[];
  /**
   * The records of an experiment in file order, read as a stream: memory stays
   * flat however long the experiment is. Errors and notices as `read`, but a
   * file out of order is streamed as it is (reported, not sorted).
   */
  iterate(experimentId: string, options?: ReadOptions): AsyncIterable<ExperimentRecord>;
}

/**
 * The embedded default store: `<dir>/<experiment_id>.jsonl` (one record a
 * line) and `<dir>/<experiment_id>.meta.json`. Appends are one `write` each on
 * a file opened with O_APPEND under a lock file, so concurrent processes never
 * interleave or reuse iteration numbers, and a crash never leaves a partial
 * line behind that a later open does not cut off and report.
 *
 * After `close()` the store stays usable: the next append takes the lock and
 * opens the file again.
 *
 * @example
 * const store = jsonlStore({ dir: "experiments" });
 * const tracker = createTracker({ store });
 */
export function jsonlStore(options: JsonlStoreOptions): JsonlStore {
  const settings = parseOptions(options);
  const root = resolve(settings.dir);
  const writers = new Map<string, ExperimentWriter>();
  const notices: StoreNotice[] = [];
  const ensureDir = (): void => ensureStoreDir(root);

  const notify = (notice: StoreNotice): void => {
    notices.push(notice);
    if (notices.length > MAX_KEPT_NOTICES) notices.splice(0, notices.length - MAX_KEPT_NOTICES);
    try {
      store.onNotice?.(notice);
    } catch {
      // A failing listener must not fail the read or append that reported the notice.
    }
  };

  const writerSettings = {
    dir: root,
    durability: settings.durability,
    batchSize: settings.batchSize,
    lockTimeoutMs: settings.lockTimeoutMs,
    notify,
    ensureDir,
  };

  const store: JsonlStore = {
    specificationVersion: "v1",
    name: `jsonl:${settings.dir}`,
    dir: settings.dir,
    durability: settings.durability,
    notices,
    onNotice: settings.onNotice,

    append(record: ExperimentRecord): Promise<void> {
      try {
        // The input may come from a user rather than the tracker: validated again.
        const valid = parseRecord(record);
        const line = `${serializeRecord(valid)}\n`;
        let writer = writers.get(valid.experiment_id);
        if (!writer) {
          writer = new ExperimentWriter(valid.experiment_id, writerSettings);
          writers.set(valid.experiment_id, writer);
        }
        // Written synchronously while the lock is held: no promise of our own to wait for.
        return writer.append(valid, line) ?? DONE;
      } catch (error) {
        return Promise.reject(error);
      }
    },

    async read(experimentId: string, options?: ReadOptions): Promise<ExperimentRecord[]> {
      return inOrder(await batchesOf(root, experimentId, options, notify));
    },

    async *iterate(experimentId: string, options?: ReadOptions): AsyncIterable<ExperimentRecord> {
      for await (const batch of await batchesOf(root, experimentId, options, notify)) yield* batch;
    },

    async writeMeta(meta: ExperimentMeta): Promise<void> {
      const valid = parseOrThrow(ExperimentMetaSchema, meta, "meta");
      ensureDir();
      writeMetaFile(root, valid);
    },

    async readMeta(experimentId: string): Promise<ExperimentMeta | null> {
      return readMetaFile(root, checkExperimentId(experimentId));
    },

    async list(): Promise<ExperimentListing[]> {
      return listExperiments(root, notify);
    },

    close(): Promise<void> {
      return closeWriters(writers.values());
    },
  };
  return store;
}

// Called when an experiment is opened for append and before a meta write (both rare), so a
// directory removed while the store is alive is simply made again.
function ensureStoreDir(root: string): void {
  try {
    mkdirSync(root, { recursive: true });
  } catch (error) {
    const code = errorCode(error);
    throw new StoreError(`Could not create the store directory ${root}: ${errorMessage(error)}`, {
      code,
      cause: error,
      hint: writeHint(code),
    });
  }
}

/** Record batches of an experiment; `ExperimentNotFoundError` when it has neither records nor meta. */
async function batchesOf(
  root: string,
  experimentId: string,
  options: ReadOptions | undefined,
  notify: (notice: StoreNotice) => void,
): Promise<AsyncIterable<ExperimentRecord[]> | Iterable<ExperimentRecord[]>> {
  const id = checkExperimentId(experimentId);
  const batches = await openRecordBatches({
    file: recordsPath(root, id),
    experimentId: id,
    lenient: options?.lenient === true,
    notify,
  });
  if (batches) return batches;
  if (readMetaFile(root, id) !== null) return [];
  throw new ExperimentNotFoundError({ experimentId: id, where: `the JSONL store ${root}` });
}

/** Every record of the batches, in iteration order. */
async function inOrder(
  batches: AsyncIterable<ExperimentRecord[]> | Iterable<ExperimentRecord[]>,
): Promise<ExperimentRecord[]> {
  const records: ExperimentRecord[] = [];
  let sorted = true;
  let last = -1;
  for await (const batch of batches) {
    for (const record of batch) {
      if (record.iteration < last) sorted = false;
      last = record.iteration;
      records.push(record);
    }
  }
  // Out of order in the file (reported as a notice): sorted, stable, as Store.read promises.
  if (!sorted) records.sort((a, b) => a.iteration - b.iteration);
  return records;
}

/** Closes every writer, then throws the first failure. */
async function closeWriters(writers: Iterable<ExperimentWriter>): Promise<void> {
  const failures: StoreError[] = [];
  for (const writer of writers) {
    try {
      await writer.close();
    } catch (error) {
      failures.push(error as StoreError);
    }
  }
  if (failures.length > 0) throw failures[0];
}
