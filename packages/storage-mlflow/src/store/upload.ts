/**
 * Writing to the server: a record as its iteration's child run, the meta on
 * the experiment's parent run, and the parent's trajectory points in batches.
 */
import { type ExperimentMeta, type ExperimentRecord, IterationConflictError } from "@converge/core";
import { type MlflowExperiment, type MlflowRun, tagOf } from "../client/types.js";
import { findParent, idFilter, type StoreContext } from "./context.js";
import { childPayload, iterationMetrics, metaPayload, recordHash, TAG } from "./mapping.js";

/**
 * The parent run's trajectory (every iteration's metrics, for the MLflow UI's
 * charts) is sent once this many points wait, and whenever meta is written or
 * the store closes: one request per ~50 iterations instead of one per
 * iteration. The child runs hold every record, so nothing depends on it.
 */
const PARENT_BATCH = 500;

/** The experiment's parent run, found or created (from `meta`'s creation time when given). */
export async function ensureParent(
  ctx: StoreContext,
  exp: MlflowExperiment,
  id: string,
  meta?: ExperimentMeta,
): Promise<MlflowRun> {
  const { client } = ctx;
  const s = ctx.stateOf(id);
  if (s.parent) return s.parent;
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
      ],
      findExisting: () => findParent(client, exp, id),
    });
  }
  s.parent = parent;
  const lastTag = tagOf(parent, TAG.lastIteration);
  if (lastTag !== undefined && s.last === undefined) s.last = Number(lastTag);
  return parent;
}

/** The child run of an iteration: a FINISHED one first, else the oldest. */
async function findChild(
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

/** Sends the parent's waiting trajectory points (and its last-iteration tag). */
export async function flushParent(ctx: StoreContext, id: string): Promise<void> {
  const s = ctx.stateOf(id);
  if (s.parentMetrics.length === 0) return;
  const parent = s.parent ?? (await ensureParent(ctx, await ctx.ensureExperiment(), id));
  const metrics = s.parentMetrics;
  s.parentMetrics = [];
  try {
    await ctx.client.logBatch(parent.info.run_id, {
      metrics,
      tags: s.last === undefined ? [] : [{ key: TAG.lastIteration, value: String(s.last) }],
    });
  } catch (error) {
    s.parentMetrics = metrics.concat(s.parentMetrics);
    throw error;
  }
}

/** Puts one record on the server; "skipped" when it was there already. */
export async function uploadRecord(
  ctx: StoreContext,
  record: ExperimentRecord,
  line: string,
): Promise<"uploaded" | "skipped"> {
  const { client } = ctx;
  const id = record.experiment_id;
  const s = ctx.stateOf(id);
  const hash = recordHash(line);
  const exp = await ctx.ensureExperiment();
  const parent = await ensureParent(ctx, exp, id);
  // Until an upload succeeds (or after one failed) the server may already hold this
  // iteration from a lost answer: look before creating a second run for it.
  const certain = s.certain;
  s.certain = false;
  const isNext = s.last === undefined || record.iteration > s.last;
  let child = certain && isNext ? undefined : await findChild(ctx, exp, id, record.iteration);
  const parentBatch = async () => {
    // One at a time: a record may have more metrics than a call can take as arguments.
    for (const metric of iterationMetrics(record)) s.parentMetrics.push(metric);
    if (s.parentMetrics.length >= PARENT_BATCH) await flushParent(ctx, id);
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
      throw new IterationConflictError({
        experimentId: id,
        iteration: record.iteration,
        lastIteration: Math.max(s.last ?? record.iteration, record.iteration),
      });
    } else {
      // A half-written run of a record that was never acknowledged: replaced.
      await client.deleteRun(child.info.run_id);
      child = undefined;
    }
  } else if (s.last !== undefined && record.iteration <= s.last) {
    throw new IterationConflictError({
      experimentId: id,
      iteration: record.iteration,
      lastIteration: s.last,
    });
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
        const found = await findChild(ctx, exp, id, record.iteration);
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
}

/** Puts the meta on the parent run (tags, artifacts, run status), after its waiting trajectory points. */
export async function uploadMeta(ctx: StoreContext, meta: ExperimentMeta): Promise<void> {
  const { client } = ctx;
  await flushParent(ctx, meta.experiment_id);
  const exp = await ctx.ensureExperiment();
  const parent = await ensureParent(ctx, exp, meta.experiment_id, meta);
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
}
