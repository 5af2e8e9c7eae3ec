/**
 * Writing to the server: a record as its iteration's child run, the meta on
 * the experiment's parent run, and the parent's trajectory points.
 */
import {
  type ExperimentMeta,
  type ExperimentRecord,
  IterationConflictError,
  isBetterRecord,
} from "@converge/core";
import { isUnreachable } from "../client/errors.js";
import {
  type MlflowExperiment,
  type MlflowKeyValue,
  type MlflowRun,
  tagOf,
} from "../client/types.js";
import { findParent, idFilter, type StoreContext } from "./context.js";
import {
  type Artifact,
  bestMetrics,
  childPayload,
  iterationMetrics,
  metaPayload,
  recordHash,
  recordParams,
  TAG,
} from "./mapping.js";

/** The experiment's parent run, found or created once however many uploads ask. */
export function ensureParent(
  ctx: StoreContext,
  id: string,
  meta?: ExperimentMeta,
): Promise<MlflowRun> {
  const s = ctx.stateOf(id);
  if (s.parent) return Promise.resolve(s.parent);
  s.parentPromise ??= lookUpParent(ctx, id, meta).then(
    (parent) => {
      s.parent = parent;
      return parent;
    },
    (error: unknown) => {
      s.parentPromise = undefined;
      throw error;
    },
  );
  return s.parentPromise;
}

async function lookUpParent(
  ctx: StoreContext,
  id: string,
  meta: ExperimentMeta | undefined,
): Promise<MlflowRun> {
  const { client } = ctx;
  const s = ctx.stateOf(id);
  const exp = await ctx.ensureExperiment(meta?.directive);
  let parent = await findParent(client, exp, id);
  if (!parent) {
    const created = meta?.created_at ? Date.parse(meta.created_at) : Number.NaN;
    parent = await client.createRun({
      experimentId: exp.experiment_id,
      runName: id,
      startTime: Number.isNaN(created) ? Date.now() : created,
      tags: [
        { key: TAG.experimentId, value: id },
        { key: TAG.kind, value: "experiment" },
        ...ctx.sourceTags,
      ],
      findExisting: () => findParent(client, exp, id),
    });
  }
  const lastTag = tagOf(parent, TAG.lastIteration);
  if (lastTag !== undefined) s.last = Math.max(s.last ?? -1, Number(lastTag));
  s.known = true;
  return parent;
}

/** The child run of an iteration: a FINISHED one first, else the oldest. */
export async function findChild(
  ctx: StoreContext,
  exp: MlflowExperiment,
  id: string,
  iteration: number,
): Promise<MlflowRun | undefined> {
  const runs = await ctx.client.searchRuns({
    experimentIds: [exp.experiment_id],
    filter: `${idFilter(id)} and tags.\`${TAG.iteration}\` = '${iteration}' and tags.\`${TAG.kind}\` = 'iteration'`,
    orderBy: ["attributes.start_time ASC"],
  });
  return runs.find((r) => r.info.status === "FINISHED") ?? runs[0];
}

/**
 * Queues what the parent run shows of a record that reached the server: its
 * trajectory points, the starting parameters (from the first record), and
 * the best iteration's metrics when it is the best so far.
 */
export function queueParentPoints(ctx: StoreContext, record: ExperimentRecord): void {
  const s = ctx.stateOf(record.experiment_id);
  // One at a time: a record may have more metrics than a call can take as arguments.
  for (const metric of iterationMetrics(record)) s.parentMetrics.push(metric);
  if (s.last === undefined && s.parent?.data.params.length === 0 && s.parentParams.length === 0) {
    s.parentParams = recordParams(record, []);
  }
  if (isBetterRecord(record, s.best)) {
    s.best = record;
    for (const metric of bestMetrics(record)) s.parentMetrics.push(metric);
  }
  s.last = Math.max(s.last ?? record.iteration, record.iteration);
}

/** Sends the parent's waiting points (and its last-iteration and best-iteration tags). */
export async function flushParent(ctx: StoreContext, id: string): Promise<void> {
  const s = ctx.stateOf(id);
  if (s.parentMetrics.length === 0 && s.parentParams.length === 0) return;
  const parent = await ensureParent(ctx, id);
  const metrics = s.parentMetrics;
  const params = s.parentParams;
  s.parentMetrics = [];
  s.parentParams = [];
  const tags: MlflowKeyValue[] =
    s.last === undefined ? [] : [{ key: TAG.lastIteration, value: String(s.last) }];
  if (s.best) tags.push({ key: TAG.bestIteration, value: String(s.best.iteration) });
  try {
    await ctx.client.logBatch(parent.info.run_id, { metrics, params, tags });
  } catch (error) {
    s.parentMetrics = metrics.concat(s.parentMetrics);
    if (s.parentParams.length === 0) s.parentParams = params;
    throw error;
  }
}

/**
 * Puts one record on the server as its iteration's child run; "skipped" when
 * it was there already. With `search`, it first looks for the run an earlier
 * attempt may have made (a lost answer, a crash): same record and FINISHED is
 * a no-op, unfinished is completed, a different unfinished one is replaced,
 * a different FINISHED one is an `IterationConflictError`. A run the server
 * refuses part of is deleted, so that no half-written run stays behind.
 */
export async function uploadRecord(
  ctx: StoreContext,
  record: ExperimentRecord,
  line: string,
  search: boolean,
): Promise<"uploaded" | "skipped"> {
  const { client } = ctx;
  const id = record.experiment_id;
  const hash = recordHash(line);
  const exp = await ctx.ensureExperiment(record.research_directive);
  const parent = await ensureParent(ctx, id);
  let child = search ? await findChild(ctx, exp, id, record.iteration) : undefined;
  if (child) {
    if (tagOf(child, TAG.recordHash) === hash) {
      if (child.info.status === "FINISHED") return "skipped";
    } else if (child.info.status === "FINISHED") {
      throw new IterationConflictError({
        experimentId: id,
        iteration: record.iteration,
        lastIteration: Math.max(ctx.stateOf(id).last ?? record.iteration, record.iteration),
      });
    } else {
      // A half-written run of a record that was never acknowledged: replaced.
      await client.deleteRun(child.info.run_id);
      child = undefined;
    }
  }
  const payload = childPayload(record, line, hash, parent.info.run_id, ctx.sourceTags);
  const run =
    child ??
    (await client.createRun({
      experimentId: exp.experiment_id,
      runName: payload.runName,
      startTime: payload.startTime,
      tags: payload.createTags,
      findExisting: async () => {
        const found = await findChild(ctx, exp, id, record.iteration);
        return found && tagOf(found, TAG.recordHash) === hash ? found : undefined;
      },
    }));
  try {
    // FINISHED only after all of it arrived, so a half-written run is never taken as whole.
    await Promise.all([
      client.logBatch(run.info.run_id, {
        params: payload.params,
        tags: payload.tags,
        metrics: payload.metrics,
      }),
      uploadArtifacts(ctx, id, run, payload.artifacts),
    ]);
    await client.updateRun(run.info.run_id, { status: "FINISHED", endTime: payload.endTime });
  } catch (error) {
    if (!isUnreachable(error)) await discard(ctx, run);
    throw error;
  }
  return "uploaded";
}

/** Deletes a run the server refused part of (best effort: a run left RUNNING is never read as a record). */
async function discard(ctx: StoreContext, run: MlflowRun): Promise<void> {
  try {
    await ctx.client.deleteRun(run.info.run_id);
  } catch {
    try {
      await ctx.client.updateRun(run.info.run_id, { status: "FAILED", endTime: Date.now() });
    } catch {
      // The server refuses everything: nothing more to do from here.
    }
  }
}

/**
 * Uploads a run's artifacts. The record itself is an artifact only when it is
 * too large for a tag; that one is required. The others (the strategy code,
 * long values, meta copies) are copies for people: on a server that does not
 * serve artifacts they are left out, with one notice.
 */
async function uploadArtifacts(
  ctx: StoreContext,
  id: string,
  run: MlflowRun,
  artifacts: readonly Artifact[],
): Promise<void> {
  if (artifacts.length === 0) return;
  const served = run.info.artifact_uri.startsWith("mlflow-artifacts:");
  const required = artifacts.some((a) => a.path === "converge/record.json");
  if (!served && !required) {
    if (!ctx.once("artifacts-unavailable")) return;
    ctx.notify({
      kind: "artifacts-unavailable",
      experimentId: id,
      message: `MLflow at ${ctx.client.trackingUri} does not serve artifacts (run ${run.info.run_id}'s artifact location is not mlflow-artifacts:): ${artifacts.map((a) => a.path).join(", ")} left out (and so for every run after it); the records themselves are in the runs' tags`,
    });
    return;
  }
  await Promise.all(
    artifacts.map((a) => ctx.client.uploadArtifact(run.info.artifact_uri, a.path, a.data)),
  );
}

/** Puts the meta on the parent run (tags, artifact copies, run status), after its waiting points. */
export async function uploadMeta(ctx: StoreContext, meta: ExperimentMeta): Promise<void> {
  const { client } = ctx;
  const id = meta.experiment_id;
  const parent = await ensureParent(ctx, id, meta);
  await flushParent(ctx, id);
  const { tags, artifacts } = metaPayload(meta);
  // Without room in a tag, the meta artifact is the only copy: required then.
  const required = !tags.some((t) => t.key === TAG.meta);
  await Promise.all([
    client.logBatch(parent.info.run_id, { tags }),
    required
      ? Promise.all(
          artifacts.map((a) => client.uploadArtifact(parent.info.artifact_uri, a.path, a.data)),
        )
      : uploadArtifacts(ctx, id, parent, artifacts),
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
}
