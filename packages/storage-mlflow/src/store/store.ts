import {
  ConvergeError,
  deserializeRecord,
  type ExperimentListing,
  type ExperimentMeta,
  ExperimentMetaSchema,
  ExperimentNotFoundError,
  type ExperimentRecord,
  IterationConflictError,
  parseOrThrow,
  parseRecord,
  type Store,
  type StoreNotice,
  serializeRecord,
  terminalSafe,
} from "@converge/core";
import {
  createMlflowClient,
  type MlflowClient,
  type MlflowClientOptions,
} from "../client/client.js";
import { MlflowError } from "../client/errors.js";
import {
  type MlflowExperiment,
  type MlflowMetric,
  type MlflowRun,
  tagOf,
} from "../client/types.js";
import {
  ARTIFACT,
  childPayload,
  iterationMetrics,
  metaPayload,
  quote,
  recordHash,
  TAG,
} from "./mapping.js";
import { type ChildRecord, checkIntegrity } from "./read-integrity.js";
import { Spool } from "./spool.js";

/** A notice of the MLflow store: the core kinds plus the spool's. */
export interface MlflowStoreNotice extends Omit<StoreNotice, "kind"> {
  kind: StoreNotice["kind"] | "spooled" | "synced" | "sync-failed";
}

export interface MlflowStoreOptions extends MlflowClientOptions {
  /** The MLflow experiment that holds Converge's runs (default "converge"). */
  experimentName?: string;
  /** Where records go while the server is unreachable (default "./.converge-spool"). */
  spoolDir?: string;
  /** Called when records are spooled or synced (and for core's notice kinds). */
  onNotice?: (notice: MlflowStoreNotice) => void;
}

export interface SyncResult {
  /** Records uploaded. */
  uploaded: number;
  /** Records the server already held (sent before a lost answer, or by an earlier sync). */
  skipped: number;
  /** Records left in the spool. */
  failed: number;
  /** Why records were left in the spool. */
  errors: string[];
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

interface ExperimentState {
  parent: MlflowRun | undefined;
  /** The last iteration known to be on the server. */
  last: number | undefined;
  /** The last iteration in the spool. */
  spoolLast: number | undefined;
  /**
   * True while this store's last upload of the experiment succeeded: then the
   * next iteration cannot be on the server yet (one writer per experiment),
   * and the idempotency search before creating its run is skipped.
   */
  certain: boolean;
  /** The parent run's trajectory points not sent yet (sent in batches: see PARENT_BATCH). */
  parentMetrics: MlflowMetric[];
  queue: Promise<unknown>;
}

const DOWNLOAD_CONCURRENCY = 16;
/**
 * The parent run's trajectory (every iteration's metrics, for the MLflow UI's
 * charts) is sent once this many points wait, and whenever meta is written or
 * the store closes: one request per ~50 iterations instead of one per
 * iteration. The child runs hold every record, so nothing depends on it.
 */
const PARENT_BATCH = 500;
/** How many notices `store.notices` keeps (the oldest are dropped first). */
const MAX_KEPT_NOTICES = 1000;
/** The spool is rewritten after this many records uploaded by `sync`. */
const SYNC_CHECKPOINT = 25;

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
  const states = new Map<string, ExperimentState>();
  let experimentPromise: Promise<MlflowExperiment> | undefined;
  const notices: MlflowStoreNotice[] = [];

  const stateOf = (id: string): ExperimentState => {
    let s = states.get(id);
    if (!s) {
      s = {
        parent: undefined,
        last: undefined,
        spoolLast: undefined,
        certain: false,
        parentMetrics: [],
        queue: Promise.resolve(),
      };
      states.set(id, s);
    }
    return s;
  };

  /** Runs `work` after every earlier operation on the experiment. */
  const serial = <T>(id: string, work: () => Promise<T>): Promise<T> => {
    const s = stateOf(id);
    const next = s.queue.then(work, work);
    s.queue = next.catch(() => undefined);
    return next;
  };

  const notify = (notice: MlflowStoreNotice): void => {
    notices.push(notice);
    if (notices.length > MAX_KEPT_NOTICES) notices.splice(0, notices.length - MAX_KEPT_NOTICES);
    try {
      store.onNotice?.(notice);
    } catch {
      // A failing listener must not fail the append.
    }
  };

  const checkActive = (e: MlflowExperiment): MlflowExperiment => {
    if (e.lifecycle_stage === "deleted") {
      throw new MlflowError(
        `The MLflow experiment "${experimentName}" (id ${e.experiment_id}) is deleted; MLflow keeps the name reserved.`,
        {
          errorCode: "INVALID_STATE",
          hint: `restore it (\`mlflow experiments restore --experiment-id ${e.experiment_id}\` or the UI's trash) or choose another experimentName`,
        },
      );
    }
    return e;
  };

  /** The MLflow experiment, created when missing. */
  const ensureExperiment = (): Promise<MlflowExperiment> => {
    experimentPromise ??= client.getOrCreateExperiment(experimentName).then(checkActive);
    experimentPromise.catch(() => {
      experimentPromise = undefined;
    });
    return experimentPromise;
  };

  /** The MLflow experiment when it exists (reads never create it). */
  const findExperiment = async (): Promise<MlflowExperiment | null> => {
    if (experimentPromise) return experimentPromise;
    const e = await client.getExperimentByName(experimentName);
    if (!e) return null;
    return checkActive(e);
  };

  const idFilter = (id: string) => `tags.\`${TAG.experimentId}\` = ${quote(id)}`;

  const findParent = async (exp: MlflowExperiment, id: string): Promise<MlflowRun | undefined> => {
    const runs = await client.searchRuns({
      experimentIds: [exp.experiment_id],
      filter: `${idFilter(id)} and tags.\`${TAG.kind}\` = 'experiment'`,
      orderBy: ["attributes.start_time ASC"],
    });
    return runs[0];
  };

  const ensureParent = async (
    exp: MlflowExperiment,
    id: string,
    meta?: ExperimentMeta,
  ): Promise<MlflowRun> => {
    const s = stateOf(id);
    if (s.parent) return s.parent;
    let parent = await findParent(exp, id);
    if (!parent) {
      const created = meta?.created_at ? Date.parse(meta.created_at) : Number.NaN;
      parent = await client.createRun({
        experimentId: exp.experiment_id,
        runName: id,
        startTime: Number.isNaN(created) ? Date.now() : created,
        tags: [
          { key: TAG.experimentId, value: id },
          { key: TAG.kind, value: "experiment" },
        ],
        findExisting: () => findParent(exp, id),
      });
    }
    s.parent = parent;
    const lastTag = tagOf(parent, TAG.lastIteration);
    if (lastTag !== undefined && s.last === undefined) s.last = Number(lastTag);
    return parent;
  };

  const findChild = async (
    exp: MlflowExperiment,
    id: string,
    iteration: number,
  ): Promise<MlflowRun | undefined> => {
    const runs = await client.searchRuns({
      experimentIds: [exp.experiment_id],
      filter: `${idFilter(id)} and tags.\`${TAG.iteration}\` = '${iteration}' and tags.\`${TAG.kind}\` = 'iteration'`,
      orderBy: ["attributes.start_time ASC"],
    });
    return runs.find((r) => r.info.status === "FINISHED") ?? runs[0];
  };

  /** Sends the parent's waiting trajectory points (and its last-iteration tag). */
  const flushParent = async (id: string): Promise<void> => {
    const s = stateOf(id);
    if (s.parentMetrics.length === 0) return;
    const parent = s.parent ?? (await ensureParent(await ensureExperiment(), id));
    const metrics = s.parentMetrics;
    s.parentMetrics = [];
    try {
      await client.logBatch(parent.info.run_id, {
        metrics,
        tags: s.last === undefined ? [] : [{ key: TAG.lastIteration, value: String(s.last) }],
      });
    } catch (error) {
      s.parentMetrics = metrics.concat(s.parentMetrics);
      throw error;
    }
  };

  /** Puts one record on the server; "skipped" when it was there already. */
  const upload = async (
    record: ExperimentRecord,
    line: string,
  ): Promise<"uploaded" | "skipped"> => {
    const id = record.experiment_id;
    const s = stateOf(id);
    const hash = recordHash(line);
    const exp = await ensureExperiment();
    const parent = await ensureParent(exp, id);
    // Until an upload succeeds (or after one failed) the server may already hold this
    // iteration from a lost answer: look before creating a second run for it.
    const certain = s.certain;
    s.certain = false;
    const isNext = s.last === undefined || record.iteration > s.last;
    let child = certain && isNext ? undefined : await findChild(exp, id, record.iteration);
    const parentBatch = async () => {
      // One at a time: a record may have more metrics than a call can take as arguments.
      for (const metric of iterationMetrics(record)) s.parentMetrics.push(metric);
      if (s.parentMetrics.length >= PARENT_BATCH) await flushParent(id);
    };
    if (child) {
      if (tagOf(child, TAG.recordHash) === hash) {
        if (child.info.status === "FINISHED") {
          // Already there (a lost answer, or an earlier sync): make sure the parent has it too.
          await parentBatch();
          s.last = Math.max(s.last ?? record.iteration, record.iteration);
          s.certain = true;
          return "skipped";
        }
      } else if (child.info.status === "FINISHED") {
        throw new IterationConflictError(
          id,
          record.iteration,
          Math.max(s.last ?? record.iteration, record.iteration),
        );
      } else {
        // A half-written run of a record that was never acknowledged: replaced.
        await client.deleteRun(child.info.run_id);
        child = undefined;
      }
    } else if (s.last !== undefined && record.iteration <= s.last) {
      throw new IterationConflictError(id, record.iteration, s.last);
    }
    const payload = childPayload(record, line, hash, parent.info.run_id);
    const run =
      child ??
      (await client.createRun({
        experimentId: exp.experiment_id,
        runName: payload.runName,
        startTime: payload.startTime,
        tags: payload.createTags,
        findExisting: async () => {
          const found = await findChild(exp, id, record.iteration);
          return found && tagOf(found, TAG.recordHash) === hash ? found : undefined;
        },
      }));
    // One round trip for everything the new run needs (and the parent's trajectory point);
    // FINISHED only after all of it arrived, so a half-written run is never taken as whole.
    await Promise.all([
      client.logBatch(run.info.run_id, {
        params: payload.params,
        tags: payload.tags,
        metrics: payload.metrics,
      }),
      ...payload.artifacts.map((a) => client.uploadArtifact(run.info.artifact_uri, a.path, a.data)),
      parentBatch(),
    ]);
    await client.updateRun(run.info.run_id, { status: "FINISHED", endTime: payload.endTime });
    s.last = Math.max(s.last ?? record.iteration, record.iteration);
    s.certain = true;
    return "uploaded";
  };

  const uploadMeta = async (meta: ExperimentMeta): Promise<void> => {
    await flushParent(meta.experiment_id);
    const exp = await ensureExperiment();
    const parent = await ensureParent(exp, meta.experiment_id, meta);
    const { tags, artifacts } = metaPayload(meta);
    await Promise.all([
      client.logBatch(parent.info.run_id, { tags }),
      ...artifacts.map((a) => client.uploadArtifact(parent.info.artifact_uri, a.path, a.data)),
    ]);
    const status =
      meta.status === "IN_PROGRESS" ? "RUNNING" : meta.status === "FAILED" ? "FAILED" : "FINISHED";
    if (status !== parent.info.status) {
      const end = meta.updated_at ? Date.parse(meta.updated_at) : Date.now();
      await client.updateRun(parent.info.run_id, {
        status,
        endTime: status === "RUNNING" ? undefined : Number.isNaN(end) ? Date.now() : end,
      });
      parent.info.status = status;
    }
  };

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
      throw new IterationConflictError(id, record.iteration, last);
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

  const mapLimit = async <T, R>(
    items: readonly T[],
    limit: number,
    fn: (t: T) => Promise<R>,
  ): Promise<R[]> => {
    const out: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return out;
  };

  const is404 = (e: unknown) => MlflowError.isInstance(e) && e.status === 404;

  const serverMeta = async (
    exp: MlflowExperiment,
    id: string,
    parent?: MlflowRun,
  ): Promise<ExperimentMeta | null> => {
    const run = parent ?? (await findParent(exp, id));
    if (!run) return null;
    try {
      const bytes = await client.downloadArtifact(run.info.artifact_uri, ARTIFACT.meta);
      return parseOrThrow(ExperimentMetaSchema, JSON.parse(bytes.toString("utf8")), "meta");
    } catch (error) {
      if (is404(error)) return null;
      throw error;
    }
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
          await upload(valid, line);
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
      return serial(experimentId, async () => {
        const exp = await findExperiment();
        let parent: MlflowRun | undefined;
        let children: (ChildRecord | undefined)[] = [];
        if (exp) {
          parent = await findParent(exp, experimentId);
          const runs = await client.searchRuns({
            experimentIds: [exp.experiment_id],
            filter: `${idFilter(experimentId)} and tags.\`${TAG.kind}\` = 'iteration' and attributes.status = 'FINISHED'`,
          });
          children = await mapLimit(runs, DOWNLOAD_CONCURRENCY, async (run) => {
            try {
              const bytes = await client.downloadArtifact(run.info.artifact_uri, ARTIFACT.record);
              return {
                record: deserializeRecord(bytes.toString("utf8")),
                runId: run.info.run_id,
                startTime: run.info.start_time,
              };
            } catch (error) {
              if (is404(error)) return undefined;
              throw error;
            }
          });
        }
        const spooled = spool.records(experimentId);
        const found = children.filter((c): c is ChildRecord => c !== undefined);
        if (!parent && found.length === 0 && spooled.length === 0 && !spool.has(experimentId)) {
          throw new ExperimentNotFoundError(
            experimentId,
            `the MLflow experiment "${experimentName}" at ${client.trackingUri}`,
          );
        }
        const { records, notices: integrity } = checkIntegrity({
          experimentId,
          source: `the MLflow experiment "${terminalSafe(experimentName)}" at ${client.trackingUri}`,
          children: found,
          spooled,
        });
        for (const notice of integrity) notify(notice);
        return records;
      });
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
          await uploadMeta(valid);
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
      const spooled = spool.readMeta(experimentId);
      if (spooled) return spooled;
      const exp = await findExperiment();
      return exp ? serverMeta(exp, experimentId) : null;
    },

    async list(): Promise<ExperimentListing[]> {
      const exp = await findExperiment();
      const metas = new Map<string, ExperimentMeta | null>();
      if (exp) {
        const parents = await client.searchRuns({
          experimentIds: [exp.experiment_id],
          filter: `tags.\`${TAG.kind}\` = 'experiment'`,
        });
        const found = await mapLimit(parents, DOWNLOAD_CONCURRENCY, async (run) => {
          const id = tagOf(run, TAG.experimentId);
          return id === undefined ? undefined : ([id, await serverMeta(exp, id, run)] as const);
        });
        for (const f of found) if (f && !metas.has(f[0])) metas.set(f[0], f[1]);
      }
      for (const id of spool.ids()) {
        const m = spool.readMeta(id);
        if (m || !metas.has(id)) metas.set(id, m ?? metas.get(id) ?? null);
      }
      return [...metas.keys()]
        .sort()
        .map((id) => ({ experiment_id: id, meta: metas.get(id) ?? null }));
    },

    async pending(): Promise<number> {
      let n = 0;
      for (const id of spool.ids()) n += spool.lines(id).length;
      return n;
    },

    async sync(opts = {}): Promise<SyncResult> {
      const result: SyncResult = { uploaded: 0, skipped: 0, failed: 0, errors: [] };
      const ids = spool.ids();
      const total = ids.reduce((n, id) => n + spool.lines(id).length, 0);
      let done = 0;
      opts.onProgress?.(0, total);
      let unreachable = false;
      for (const id of ids) {
        await serial(id, async () => {
          const lines = spool.lines(id);
          if (unreachable) {
            result.failed += lines.length;
            return;
          }
          let i = 0;
          try {
            for (; i < lines.length; i++) {
              const line = lines[i] as string;
              const outcome = await upload(deserializeRecord(line), line);
              result[outcome]++;
              opts.onProgress?.(++done, total);
              if ((i + 1) % SYNC_CHECKPOINT === 0 && i + 1 < lines.length)
                spool.rewrite(id, lines.slice(i + 1));
            }
            spool.rewrite(id, []);
            stateOf(id).spoolLast = undefined;
            await flushParent(id);
            const meta = spool.readMeta(id);
            if (meta) {
              await uploadMeta(meta);
              spool.removeMeta(id);
            }
            notify({
              kind: "synced",
              experimentId: id,
              message: `synced the spool of "${id}" to MLflow at ${client.trackingUri}`,
            });
          } catch (error) {
            spool.rewrite(id, lines.slice(i));
            result.failed += lines.length - i;
            const message = `"${id}": ${error instanceof Error ? error.message : String(error)}`;
            result.errors.push(message);
            if (MlflowError.isInstance(error) && error.unreachable) unreachable = true;
            notify({ kind: "sync-failed", experimentId: id, file: spool.recordsFile(id), message });
          }
        });
      }
      return result;
    },

    async logArtifact(
      experimentId: string,
      path: string,
      data: string | Uint8Array,
    ): Promise<void> {
      await serial(experimentId, async () => {
        const exp = await ensureExperiment();
        const parent = await ensureParent(exp, experimentId);
        await client.uploadArtifact(parent.info.artifact_uri, path, data);
      });
    },

    async close(): Promise<void> {
      await Promise.all([...states.values()].map((s) => s.queue));
      // The trajectory points still waiting; a server that is down by now only costs the UI's chart.
      for (const id of states.keys()) {
        await serial(id, () => flushParent(id)).catch((error: unknown) =>
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
