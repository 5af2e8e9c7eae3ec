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
import { resolveMlflowConfig } from "../client/config.js";
import { createStoreContext, type MlflowStoreNotice, type StoreContext } from "./context.js";
import { listExperiments, readMeta, readRecords } from "./read.js";
import { Sender } from "./sender.js";
import { Spool } from "./spool.js";
import { type SyncResult, syncSpool } from "./sync.js";
import { appendRecord, closeStore, flushStore, logArtifact, writeMeta } from "./write.js";

export interface MlflowStoreOptions extends MlflowClientOptions {
  /** The MLflow experiment that holds Converge's runs (default "converge"). */
  experimentName?: string;
  /**
   * Where records wait until they are on the server (default
   * "./.converge-spool"): every append is durable there before it resolves.
   */
  spoolDir?: string;
  /** Iterations uploaded at once by the background sender (default 4). */
  inFlight?: number;
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
  /**
   * Waits until every record and meta acknowledged so far is on the server
   * (and the parent runs' trajectories); rejects with what stopped it (the
   * server unreachable, a refusal), the records staying in the spool.
   */
  flush(): Promise<void>;
  /** Uploads the spool in order, without duplicates; what was uploaded leaves the spool. */
  sync(options?: { onProgress?: (done: number, total: number) => void }): Promise<SyncResult>;
  /** Uploads a file (e.g. the HTML report) as an artifact of an experiment's parent run. */
  logArtifact(experimentId: string, path: string, data: string | Uint8Array): Promise<void>;
}

/** The longest a probe (is the server there?) waits for an answer. */
const PROBE_TIMEOUT_MS = 5000;

/** How many notices `store.notices` keeps (the oldest are dropped first). */
const MAX_KEPT_NOTICES = 1000;

/**
 * A Converge `Store` on an MLflow tracking server: an MLflow experiment
 * (default "converge") holds one parent run per Converge experiment and one
 * child run per iteration. `append` resolves once the record is durable in a
 * local spool; a background sender takes it to the server, several
 * iterations at once, and keeps it there while the server does not answer.
 * `flush()` and `close()` wait for it; `sync()` sends a spool left by another
 * process.
 */
export function mlflowStore(options: MlflowStoreOptions = {}): MlflowStore {
  const experimentName = options.experimentName ?? "converge";
  if (experimentName.trim() === "") {
    throw new ConvergeError("experimentName cannot be empty.", { hint: 'omit it for "converge"' });
  }
  const inFlight = options.inFlight ?? 4;
  if (!Number.isInteger(inFlight) || inFlight < 1) {
    throw new ConvergeError(`inFlight must be a whole number >= 1 (got ${String(inFlight)}).`, {
      hint: "omit it for 4 iterations uploaded at once",
    });
  }
  const client = createMlflowClient(options);
  const probeClient = createMlflowClient({
    ...options,
    maxRetries: 0,
    timeoutMs: Math.min(options.timeoutMs ?? PROBE_TIMEOUT_MS, PROBE_TIMEOUT_MS),
    connections: 1,
  });
  const spool = new Spool(options.spoolDir ?? "./.converge-spool");
  const notices: MlflowStoreNotice[] = [];

  const notify = (notice: MlflowStoreNotice): void => keepNotice(store, notices, notice);
  const auth = resolveMlflowConfig(options).auth;
  const ctx = createStoreContext({
    client,
    probeClient,
    spool,
    experimentName,
    username: auth.kind === "basic" ? auth.username : undefined,
    notify,
  });
  const sender = new Sender(ctx, { inFlight });
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
      return appendChecked(ctx, sender, record);
    },

    async read(experimentId: string): Promise<ExperimentRecord[]> {
      return serial(experimentId, () => readRecords(ctx, experimentId));
    },

    writeMeta(meta: ExperimentMeta): Promise<void> {
      return writeMetaChecked(ctx, sender, meta);
    },

    async readMeta(experimentId: string): Promise<ExperimentMeta | null> {
      return readMeta(ctx, experimentId);
    },

    async list(): Promise<ExperimentListing[]> {
      return listExperiments(ctx);
    },

    async pending(): Promise<number> {
      return spool.ids().reduce((n, id) => n + sender.counts(id).waiting, 0);
    },

    flush(): Promise<void> {
      return flushStore(ctx, sender);
    },

    async sync(opts = {}): Promise<SyncResult> {
      return syncSpool(ctx, sender, opts);
    },

    async logArtifact(
      experimentId: string,
      path: string,
      data: string | Uint8Array,
    ): Promise<void> {
      await logArtifact(ctx, experimentId, path, data);
    },

    async close(): Promise<void> {
      await closeStore(ctx, sender);
      await Promise.all([client.close(), probeClient.close()]);
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
function appendChecked(ctx: StoreContext, sender: Sender, record: ExperimentRecord): Promise<void> {
  let valid: ExperimentRecord;
  try {
    valid = parseRecord(record);
  } catch (error) {
    return Promise.reject(error);
  }
  try {
    return appendRecord(ctx, sender, valid, serializeRecord(valid));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Validates a meta, then writes it; an invalid meta is a rejected promise, not a throw. */
function writeMetaChecked(ctx: StoreContext, sender: Sender, meta: ExperimentMeta): Promise<void> {
  try {
    return writeMeta(ctx, sender, parseOrThrow(ExperimentMetaSchema, meta, "meta"));
  } catch (error) {
    return Promise.reject(error);
  }
}
