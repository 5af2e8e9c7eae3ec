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
import { errorHeadline as firstLine, isUnreachable, MlflowError } from "../client/errors.js";
import { type MlflowExperiment, type MlflowRun, tagOf } from "../client/types.js";
import { findParent, idFilter, type StoreContext } from "./context.js";
import { ARTIFACT, TAG } from "./mapping.js";
import { type ChildRecord, checkIntegrity } from "./read-integrity.js";

const DOWNLOAD_CONCURRENCY = 16;

/** `fn` over `items` with at most `limit` calls in flight; results in the items' order. */
export async function mapLimit<T, R>(
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

/**
 * An artifact's text, or undefined when the run has no such file. The
 * directory is listed first: an S3-backed server answers the download of a
 * missing file with a 500 (its HeadObject's 404 wrapped), not a 404.
 */
async function artifactText(
  ctx: StoreContext,
  run: MlflowRun,
  path: string,
): Promise<string | undefined> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const files = await ctx.client.listArtifacts(run.info.artifact_uri, dir);
  if (!files.some((f) => f.path === path)) return undefined;
  try {
    return (await ctx.client.downloadArtifact(run.info.artifact_uri, path)).toString("utf8");
  } catch (error) {
    if (is404(error)) return undefined; // deleted between the listing and the download
    throw error;
  }
}

/**
 * The meta on the server: the parent run's `converge.meta` tag, else its
 * `converge/meta.json` artifact; null without a parent run or either.
 */
async function serverMeta(
  ctx: StoreContext,
  exp: MlflowExperiment,
  id: string,
  parent?: MlflowRun,
): Promise<ExperimentMeta | null> {
  const run = parent ?? (await findParent(ctx.client, exp, id));
  const s = ctx.stateOf(id);
  if (!run) {
    s.known = true; // nothing of it on the server
    return null;
  }
  const lastTag = tagOf(run, TAG.lastIteration);
  if (lastTag !== undefined) s.last = Math.max(s.last ?? -1, Number(lastTag));
  const text = tagOf(run, TAG.meta) ?? (await artifactText(ctx, run, ARTIFACT.meta));
  return text === undefined ? null : parseOrThrow(ExperimentMetaSchema, JSON.parse(text), "meta");
}

/**
 * The records of an experiment's FINISHED child runs: from the run's
 * `converge.record` tag, else its `converge/record.json` artifact (a run
 * without either is passed over, as one that never finished).
 */
export async function fetchChildren(
  ctx: StoreContext,
  exp: MlflowExperiment,
  experimentId: string,
): Promise<ChildRecord[]> {
  const { client } = ctx;
  const runs = await client.searchRuns({
    experimentIds: [exp.experiment_id],
    filter: `${idFilter(experimentId)} and tags.\`${TAG.kind}\` = 'iteration' and attributes.status = 'FINISHED'`,
  });
  const children = await mapLimit(runs, DOWNLOAD_CONCURRENCY, async (run) => {
    const line = tagOf(run, TAG.record) ?? (await artifactText(ctx, run, ARTIFACT.record));
    if (line === undefined) return undefined;
    return {
      record: deserializeRecord(line),
      runId: run.info.run_id,
      startTime: run.info.start_time,
    };
  });
  return children.filter((c): c is ChildRecord => c !== undefined);
}

/** The records of an experiment, one per iteration; its integrity notices go to `notify`. */
export async function readRecords(
  ctx: StoreContext,
  experimentId: string,
): Promise<ExperimentRecord[]> {
  const { client, spool, experimentName } = ctx;
  // The spool first: a record sent meanwhile leaves it, and is then on the server.
  const spooled = spool.records(experimentId);
  const hasSpooledMeta = spool.readMeta(experimentId) !== null;
  if (!(await ctx.online())) {
    if (spooled.length > 0 || hasSpooledMeta) throw offlineRead(ctx, experimentId);
    const cause = ctx.lastProbeError?.message.split("\n")[0] ?? "no answer";
    throw new ExperimentNotFoundError({
      experimentId,
      where: `the spool ${spool.dir}; MLflow at ${client.trackingUri} is unreachable (${cause}), so the MLflow experiment "${experimentName}" could not be searched`,
    });
  }
  const exp = await ctx.findExperiment();
  let parent: MlflowRun | undefined;
  let found: ChildRecord[] = [];
  if (exp) {
    parent = await findParent(client, exp, experimentId);
    found = await fetchChildren(ctx, exp, experimentId);
  }
  if (!parent && found.length === 0 && spooled.length === 0 && !hasSpooledMeta) {
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
  const s = ctx.stateOf(experimentId);
  const lastOnServer = found.reduce((m, c) => Math.max(m, c.record.iteration), -1);
  if (lastOnServer >= 0) s.last = Math.max(s.last ?? lastOnServer, lastOnServer);
  s.known = true;
  return records;
}

/** A read that needs the server while it does not answer: the spool alone is not the whole experiment. */
function offlineRead(ctx: StoreContext, experimentId: string): MlflowError {
  return new MlflowError(
    `MLflow at ${ctx.client.trackingUri} is unreachable: the records of "${experimentId}" on the server cannot be read (the spool ${ctx.spool.dir} holds only those not sent yet).`,
    {
      unreachable: true,
      hint: "try again when the server answers; nothing logged is lost meanwhile",
    },
  );
}

/**
 * The meta of an experiment: the spool's when it holds one, else the
 * server's. While the server does not answer, null with an "offline" notice:
 * a loop can start on the spool (should the experiment exist on the server
 * after all, sending its records later reports the conflict).
 */
export async function readMeta(
  ctx: StoreContext,
  experimentId: string,
): Promise<ExperimentMeta | null> {
  const spooled = ctx.spool.readMeta(experimentId);
  if (spooled) return spooled;
  if (!(await ctx.online())) {
    ctx.notify({
      kind: "offline",
      experimentId,
      message: `MLflow at ${ctx.client.trackingUri} is unreachable: could not look for "${experimentId}" there; going on with the spool ${ctx.spool.dir}`,
    });
    return null;
  }
  const exp = await ctx.findExperiment();
  if (exp) return serverMeta(ctx, exp, experimentId);
  ctx.stateOf(experimentId).known = true; // no MLflow experiment: nothing on the server yet
  return null;
}

/**
 * Every experiment on the server or in the spool, sorted by id; the spool's
 * meta wins. A parent run whose meta cannot be read (a refused or
 * half-written experiment) is listed without it, with a notice.
 */
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
      if (id === undefined) return undefined;
      try {
        return [id, await serverMeta(ctx, exp, id, run)] as const;
      } catch (error) {
        if (isUnreachable(error)) throw error;
        ctx.notify({
          kind: "partial-experiment",
          experimentId: id,
          message: `listed "${id}" without its meta: the parent run ${run.info.run_id} in the MLflow experiment "${terminalSafe(ctx.experimentName)}" has none that can be read (${firstLine(error)})`,
        });
        return [id, null] as const;
      }
    });
    for (const f of found) if (f && !metas.has(f[0])) metas.set(f[0], f[1]);
  }
  for (const id of spool.ids()) {
    const m = spool.readMeta(id);
    if (m || !metas.has(id)) metas.set(id, m ?? metas.get(id) ?? null);
  }
  return [...metas.keys()].sort().map((id) => ({ experiment_id: id, meta: metas.get(id) ?? null }));
}
