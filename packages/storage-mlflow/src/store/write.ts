/**
 * The writes of `mlflowStore`: a record or meta goes to MLflow, or to the
 * spool while the server is unreachable (and, once one record of an
 * experiment is spooled, every later one, so that the order is kept).
 */
import {
  deserializeRecord,
  type ExperimentMeta,
  type ExperimentRecord,
  IterationConflictError,
} from "@converge/core";
import { MlflowError } from "../client/errors.js";
import type { StoreContext } from "./context.js";
import { ensureParent, flushParent, uploadMeta, uploadRecord } from "./upload.js";

/** Appends a validated record (its serialised `line`) after every earlier operation on its experiment. */
export function appendRecord(
  ctx: StoreContext,
  valid: ExperimentRecord,
  line: string,
): Promise<void> {
  const id = valid.experiment_id;
  return ctx.serial(id, async () => {
    if (ctx.spool.hasRecords(id)) {
      toSpool(ctx, valid, line);
      return;
    }
    try {
      await uploadRecord(ctx, valid, line);
    } catch (error) {
      if (MlflowError.isInstance(error) && error.unreachable) {
        toSpool(ctx, valid, line, error);
        return;
      }
      throw notWritten(error, `Iteration ${valid.iteration} of "${id}"`);
    }
  });
}

/** Writes a validated meta after every earlier operation on its experiment. */
export function writeMeta(ctx: StoreContext, valid: ExperimentMeta): Promise<void> {
  const { spool, client } = ctx;
  const id = valid.experiment_id;
  return ctx.serial(id, async () => {
    if (spool.has(id)) {
      spool.writeMeta(valid);
      return;
    }
    try {
      await uploadMeta(ctx, valid);
    } catch (error) {
      if (MlflowError.isInstance(error) && error.unreachable) {
        spool.writeMeta(valid);
        ctx.notify({
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
}

/** Uploads a file as an artifact of the experiment's parent run (created when missing). */
export function logArtifact(
  ctx: StoreContext,
  experimentId: string,
  path: string,
  data: string | Uint8Array,
): Promise<void> {
  return ctx.serial(experimentId, async () => {
    const exp = await ctx.ensureExperiment();
    const parent = await ensureParent(ctx, exp, experimentId);
    await ctx.client.uploadArtifact(parent.info.artifact_uri, path, data);
  });
}

/** Waits for every operation, sends the parents' last trajectory points, and closes the client. */
export async function closeStore(ctx: StoreContext): Promise<void> {
  await Promise.all([...ctx.states.values()].map((s) => s.queue));
  // The trajectory points still waiting; a server that is down by now only costs the UI's chart.
  for (const id of ctx.states.keys()) {
    await ctx
      .serial(id, () => flushParent(ctx, id))
      .catch((error: unknown) =>
        ctx.notify({
          kind: "sync-failed",
          experimentId: id,
          message: `could not send the parent run's last trajectory points of "${id}": ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
  }
  await ctx.client.close();
}

function spoolLastOf(ctx: StoreContext, id: string): number | undefined {
  const s = ctx.stateOf(id);
  if (s.spoolLast === undefined) {
    const lines = ctx.spool.lines(id);
    const lastLine = lines.at(-1);
    if (lastLine !== undefined) s.spoolLast = deserializeRecord(lastLine).iteration;
  }
  return s.spoolLast;
}

function toSpool(
  ctx: StoreContext,
  record: ExperimentRecord,
  line: string,
  cause?: MlflowError,
): void {
  const { spool, client } = ctx;
  const id = record.experiment_id;
  const s = ctx.stateOf(id);
  const lastSpooled = spoolLastOf(ctx, id);
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
    ctx.notify({
      kind: "spooled",
      experimentId: id,
      file: spool.recordsFile(id),
      message: `MLflow at ${client.trackingUri} is unreachable${cause ? ` (${cause.message.split("\n")[0]})` : ""}: iteration ${record.iteration} of "${id}" and the ones after it go to the spool ${spool.recordsFile(id)} until sync (\`converge sync\`)`,
    });
  }
}

/** A server's refusal restated as "not written (nor spooled)"; other errors unchanged. */
function notWritten(error: unknown, what: string): unknown {
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
}
