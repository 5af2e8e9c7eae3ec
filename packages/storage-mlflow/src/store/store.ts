import {
  ConvergeError,
  type ExperimentListing,
  type ExperimentMeta,
  ExperimentMetaSchema,
  type ExperimentRecord,
  parseOrThrow,
  parseRecord,
  type Store,
  serializeRecord,
} from "@converge/core";
import {
  createMlflowClient,
  type MlflowClient,
  type MlflowClientOptions,
} from "../client/client.js";
import { createStoreContext, type MlflowStoreNotice, type StoreContext } from "./context.js";
import { listExperiments, readMeta, readRecords } from "./read.js";
import { Spool } from "./spool.js";
import { type SyncResult, syncSpool } from "./sync.js";
import { appendRecord, closeStore, logArtifact, writeMeta } from "./write.js";

export interface MlflowStoreOptions extends MlflowClientOptions {
  /** The MLflow experiment that holds Converge's runs (default "converge"). */
  experimentName?: string;
  /** Where records go while the server is unreachable (default "./.converge-spool"). */
  spoolDir?: string;
  /** Called when records are spooled or synced (and for core's notice kinds). */
  onNotice?: (notice: MlflowStoreNotice) => void;
}

export interface MlflowStore extends Store {
  readonly client: MlflowClient;
  /** Without credentials. */
  readonly trackingUri: string;
  readonly experimentName: string;
  /** Absolute path of the spool directory. */
  readonly spoolDir: string;
  onNotice?: ((notice: MlflowStoreNotice) => void) | undefined;
  /**
   * Every notice so far (spooled, synced, and the read's integrity notices:
   * "missing-iteration", "duplicate-iteration", "foreign-record"), oldest
   * first; the last 1,000 are kept.
   */
  readonly notices: MlflowStoreNotice[];
  /** Records waiting in the spool. */
  pending(): Promise<number>;
  /** Uploads the spool in order, without duplicates; what was uploaded leaves the spool. */
  sync(options?: { onProgress?: (done: number, total: number) => void }): Promise<SyncResult>;
  /** Uploads a file (e.g. the HTML report) as an artifact of an experiment's parent run. */
  logArtifact(experimentId: string, path: string, data: string | Uint8Array): Promise<void>;
}

/** How many notices `store.notices` keeps (the oldest are dropped first). */
const MAX_KEPT_NOTICES = 1000;

/**
 * A Converge `Store` on an MLflow tracking server: an MLflow experiment
 * (default "converge") holds one parent run per Converge experiment and one
 * child run per iteration. When the server cannot be reached, records go to a
 * local spool and `sync()` uploads them later.
 */
export function mlflowStore(options: MlflowStoreOptions = {}): MlflowStore {
  const experimentName = options.experimentName ?? "converge";
  if (experimentName.trim() === "") {
    throw new ConvergeError("experimentName cannot be empty.", { hint: 'omit it for "converge"' });
  }
  const client = createMlflowClient(options);
  const spool = new Spool(options.spoolDir ?? "./.converge-spool");
  const notices: MlflowStoreNotice[] = [];

  const notify = (notice: MlflowStoreNotice): void => keepNotice(store, notices, notice);
  const ctx = createStoreContext(client, spool, experimentName, notify);
  const { serial } = ctx;

  const store: MlflowStore = {
    specificationVersion: "v1",
    name: `mlflow:${client.trackingUri}#${experimentName}`,
    client,
    trackingUri: client.trackingUri,
    experimentName,
    spoolDir: spool.dir,
    onNotice: options.onNotice,
    notices,

    append(record: ExperimentRecord): Promise<void> {
      return appendChecked(ctx, record);
    },

    async read(experimentId: string): Promise<ExperimentRecord[]> {
      return serial(experimentId, () => readRecords(ctx, experimentId));
    },

    writeMeta(meta: ExperimentMeta): Promise<void> {
      return writeMetaChecked(ctx, meta);
    },

    async readMeta(experimentId: string): Promise<ExperimentMeta | null> {
      return readMeta(ctx, experimentId);
    },

    async list(): Promise<ExperimentListing[]> {
      return listExperiments(ctx);
    },

    async pending(): Promise<number> {
      return spooledRecords(spool);
    },

    async sync(opts = {}): Promise<SyncResult> {
      return syncSpool(ctx, opts);
    },

    async logArtifact(
      experimentId: string,
      path: string,
      data: string | Uint8Array,
    ): Promise<void> {
      await logArtifact(ctx, experimentId, path, data);
    },

    close(): Promise<void> {
      return closeStore(ctx);
    },
  };
  return store;
}

/** Keeps a notice (the last `MAX_KEPT_NOTICES`) and tells the store's listener, if any. */
function keepNotice(
  store: MlflowStore,
  notices: MlflowStoreNotice[],
  notice: MlflowStoreNotice,
): void {
  notices.push(notice);
  if (notices.length > MAX_KEPT_NOTICES) notices.splice(0, notices.length - MAX_KEPT_NOTICES);
  try {
    store.onNotice?.(notice);
  } catch {
    // A failing listener must not fail the append.
  }
}

/** Validates a record, then appends it; an invalid record is a rejected promise, not a throw. */
function appendChecked(ctx: StoreContext, record: ExperimentRecord): Promise<void> {
  let valid: ExperimentRecord;
  try {
    valid = parseRecord(record);
  } catch (error) {
    return Promise.reject(error);
  }
  return appendRecord(ctx, valid, serializeRecord(valid));
}

/** Validates a meta, then writes it; an invalid meta is a rejected promise, not a throw. */
function writeMetaChecked(ctx: StoreContext, meta: ExperimentMeta): Promise<void> {
  let valid: ExperimentMeta;
  try {
    valid = parseOrThrow(ExperimentMetaSchema, meta, "meta");
  } catch (error) {
    return Promise.reject(error);
  }
  return writeMeta(ctx, valid);
}

/** How many records wait in the spool, over every experiment. */
function spooledRecords(spool: Spool): number {
  let n = 0;
  for (const id of spool.ids()) n += spool.lines(id).length;
  return n;
}
