import {
  ConvergeError,
  deserializeRecord,
  type ExperimentListing,
  type ExperimentMeta,
  ExperimentMetaSchema,
  type ExperimentRecord,
  IterationConflictError,
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
import { MlflowError } from "../client/errors.js";
import { createStoreContext, type MlflowStoreNotice } from "./context.js";
import { listExperiments, readMeta, readRecords } from "./read.js";
import { Spool } from "./spool.js";
import { type SyncResult, syncSpool } from "./sync.js";
import { ensureParent, flushParent, uploadMeta, uploadRecord } from "./upload.js";

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

  const notify = (notice: MlflowStoreNotice): void => {
    notices.push(notice);
    if (notices.length > MAX_KEPT_NOTICES) notices.splice(0, notices.length - MAX_KEPT_NOTICES);
    try {
      store.onNotice?.(notice);
    } catch {
      // A failing listener must not fail the append.
    }
  };

  const ctx = createStoreContext(client, spool, experimentName, notify);
  const { stateOf, serial } = ctx;

  const spoolLastOf = (id: string): number | undefined => {
    const s = stateOf(id);
    if (s.spoolLast === undefined) {
      const lines = spool.lines(id);
      const lastLine = lines.at(-1);
      if (lastLine !== undefined) s.spoolLast = deserializeRecord(lastLine).iteration;
    }
    return s.spoolLast;
  };

  const toSpool = (record: ExperimentRecord, line: string, cause?: MlflowError): void => {
    const id = record.experiment_id;
    const s = stateOf(id);
    const lastSpooled = spoolLastOf(id);
    const last = Math.max(lastSpooled ?? -1, s.last ?? -1);
    if (record.iteration <= last) {
      if (spool.lines(id).includes(line)) return; // the identical record: already kept
      throw new IterationConflictError({
        experimentId: id,
        iteration: record.iteration,
        lastIteration: last,
      });
    }
    const first = !spool.hasRecords(id);
    spool.append(id, line);
    s.spoolLast = record.iteration;
    if (first) {
      notify({
        kind: "spooled",
        experimentId: id,
        file: spool.recordsFile(id),
        message: `MLflow at ${client.trackingUri} is unreachable${cause ? ` (${cause.message.split("\n")[0]})` : ""}: iteration ${record.iteration} of "${id}" and the ones after it go to the spool ${spool.recordsFile(id)} until sync (\`converge sync\`)`,
      });
    }
  };

  const notWritten = (error: unknown, what: string): unknown => {
    if (!MlflowError.isInstance(error)) return error;
    return new MlflowError(
      `${what} was not written to MLflow (nor spooled): ${error.message.split("\nFix:")[0]}`,
      {
        status: error.status,
        errorCode: error.errorCode,
        endpoint: error.endpoint,
        hint: error.hint,
      },
    );
  };

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
      let valid: ExperimentRecord;
      try {
        valid = parseRecord(record);
      } catch (error) {
        return Promise.reject(error);
      }
      const line = serializeRecord(valid);
      const id = valid.experiment_id;
      return serial(id, async () => {
        if (spool.hasRecords(id)) {
          toSpool(valid, line);
          return;
        }
        try {
          await uploadRecord(ctx, valid, line);
        } catch (error) {
          if (MlflowError.isInstance(error) && error.unreachable) {
            toSpool(valid, line, error);
            return;
          }
          throw notWritten(error, `Iteration ${valid.iteration} of "${id}"`);
        }
      });
    },

    async read(experimentId: string): Promise<ExperimentRecord[]> {
      return serial(experimentId, () => readRecords(ctx, experimentId));
    },

    writeMeta(meta: ExperimentMeta): Promise<void> {
      let valid: ExperimentMeta;
      try {
        valid = parseOrThrow(ExperimentMetaSchema, meta, "meta");
      } catch (error) {
        return Promise.reject(error);
      }
      const id = valid.experiment_id;
      return serial(id, async () => {
        if (spool.has(id)) {
          spool.writeMeta(valid);
          return;
        }
        try {
          await uploadMeta(ctx, valid);
        } catch (error) {
          if (MlflowError.isInstance(error) && error.unreachable) {
            spool.writeMeta(valid);
            notify({
              kind: "spooled",
              experimentId: id,
              file: spool.metaFile(id),
              message: `MLflow at ${client.trackingUri} is unreachable: the meta of "${id}" went to the spool ${spool.metaFile(id)} until sync`,
            });
            return;
          }
          throw notWritten(error, `The meta of "${id}"`);
        }
      });
    },

    async readMeta(experimentId: string): Promise<ExperimentMeta | null> {
      return readMeta(ctx, experimentId);
    },

    async list(): Promise<ExperimentListing[]> {
      return listExperiments(ctx);
    },

    async pending(): Promise<number> {
      let n = 0;
      for (const id of spool.ids()) n += spool.lines(id).length;
      return n;
    },

    async sync(opts = {}): Promise<SyncResult> {
      return syncSpool(ctx, opts);
    },

    async logArtifact(
      experimentId: string,
      path: string,
      data: string | Uint8Array,
    ): Promise<void> {
      await serial(experimentId, async () => {
        const exp = await ctx.ensureExperiment();
        const parent = await ensureParent(ctx, exp, experimentId);
        await client.uploadArtifact(parent.info.artifact_uri, path, data);
      });
    },

    async close(): Promise<void> {
      await Promise.all([...ctx.states.values()].map((s) => s.queue));
      // The trajectory points still waiting; a server that is down by now only costs the UI's chart.
      for (const id of ctx.states.keys()) {
        await serial(id, () => flushParent(ctx, id)).catch((error: unknown) =>
          notify({
            kind: "sync-failed",
            experimentId: id,
            message: `could not send the parent run's last trajectory points of "${id}": ${error instanceof Error ? error.message : String(error)}`,
          }),
        );
      }
      await client.close();
    },
  };
  return store;
}
