/**
 * Reading back: an experiment's records (the server's child runs, then the
 * spool, checked by read-integrity), its meta, and the list of experiments.
 * Reads never create the MLflow experiment.
 */
import {
  deserializeRecord,
  type ExperimentListing,
  type ExperimentMeta,
  ExperimentMetaSchema,
  ExperimentNotFoundError,
  type ExperimentRecord,
  parseOrThrow,
  terminalSafe,
} from "@converge/core";
import { MlflowError } from "../client/errors.js";
import { type MlflowExperiment, type MlflowRun, tagOf } from "../client/types.js";
import { findParent, idFilter, type StoreContext } from "./context.js";
import { ARTIFACT, TAG } from "./mapping.js";
import { type ChildRecord, checkIntegrity } from "./read-integrity.js";

const DOWNLOAD_CONCURRENCY = 16;

/** `fn` over `items` with at most `limit` calls in flight; results in the items' order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
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
}

const is404 = (e: unknown) => MlflowError.isInstance(e) && e.status === 404;

/** The meta on the server; null without a parent run or its meta artifact. */
async function serverMeta(
  ctx: StoreContext,
  exp: MlflowExperiment,
  id: string,
  parent?: MlflowRun,
): Promise<ExperimentMeta | null> {
  const run = parent ?? (await findParent(ctx.client, exp, id));
  if (!run) return null;
  try {
    const bytes = await ctx.client.downloadArtifact(run.info.artifact_uri, ARTIFACT.meta);
    return parseOrThrow(ExperimentMetaSchema, JSON.parse(bytes.toString("utf8")), "meta");
  } catch (error) {
    if (is404(error)) return null;
    throw error;
  }
}

/** The records of an experiment, one per iteration; its integrity notices go to `notify`. */
export async function readRecords(
  ctx: StoreContext,
  experimentId: string,
): Promise<ExperimentRecord[]> {
  const { client, spool, experimentName } = ctx;
  const exp = await ctx.findExperiment();
  let parent: MlflowRun | undefined;
  let children: (ChildRecord | undefined)[] = [];
  if (exp) {
    parent = await findParent(client, exp, experimentId);
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
    throw new ExperimentNotFoundError({
      experimentId,
      where: `the MLflow experiment "${experimentName}" at ${client.trackingUri}`,
    });
  }
  const { records, notices: integrity } = checkIntegrity({
    experimentId,
    source: `the MLflow experiment "${terminalSafe(experimentName)}" at ${client.trackingUri}`,
    children: found,
    spooled,
  });
  for (const notice of integrity) ctx.notify(notice);
  return records;
}

/** The meta of an experiment: the spool's when it holds one, else the server's. */
export async function readMeta(
  ctx: StoreContext,
  experimentId: string,
): Promise<ExperimentMeta | null> {
  const spooled = ctx.spool.readMeta(experimentId);
  if (spooled) return spooled;
  const exp = await ctx.findExperiment();
  return exp ? serverMeta(ctx, exp, experimentId) : null;
}

/** Every experiment on the server or in the spool, sorted by id; the spool's meta wins. */
export async function listExperiments(ctx: StoreContext): Promise<ExperimentListing[]> {
  const { client, spool } = ctx;
  const exp = await ctx.findExperiment();
  const metas = new Map<string, ExperimentMeta | null>();
  if (exp) {
    const parents = await client.searchRuns({
      experimentIds: [exp.experiment_id],
      filter: `tags.\`${TAG.kind}\` = 'experiment'`,
    });
    const found = await mapLimit(parents, DOWNLOAD_CONCURRENCY, async (run) => {
      const id = tagOf(run, TAG.experimentId);
      return id === undefined ? undefined : ([id, await serverMeta(ctx, exp, id, run)] as const);
    });
    for (const f of found) if (f && !metas.has(f[0])) metas.set(f[0], f[1]);
  }
  for (const id of spool.ids()) {
    const m = spool.readMeta(id);
    if (m || !metas.has(id)) metas.set(id, m ?? metas.get(id) ?? null);
  }
  return [...metas.keys()].sort().map((id) => ({ experiment_id: id, meta: metas.get(id) ?? null }));
}
