/**
 * The writes of `mlflowStore`: a record or meta is acknowledged once it is
 * durable in the spool, and the sender takes it to the server from there.
 */
import { type ExperimentMeta, type ExperimentRecord, IterationConflictError } from "@converge/core";
import { errorHeadline, isUnreachable, MlflowError } from "../client/errors.js";
import { tagOf } from "../client/types.js";
import type { StoreContext } from "./context.js";
import { recordHash, TAG } from "./mapping.js";
import type { Sender } from "./sender.js";
import { ensureParent, findChild } from "./upload.js";

/**
 * Appends a validated record (its serialised `line`): checked against what is
 * known of the experiment, written to the spool, and handed to the sender.
 * The first append of an experiment this store knows nothing of looks on the
 * server (when it answers) for this iteration's run: the same record is a
 * no-op, another one a conflict, none means everything on the server comes
 * before it (one writer per experiment, in order).
 */
export function appendRecord(
  ctx: StoreContext,
  sender: Sender,
  valid: ExperimentRecord,
  line: string,
): Promise<void> {
  const id = valid.experiment_id;
  const s = ctx.stateOf(id);
  // The usual case needs no server and no queue: order is checked from what is known.
  if ((s.known || s.checked) && s.pending === 0) {
    if (accept(ctx, sender, valid, line)) return Promise.resolve();
  }
  return ctx.serial(id, async () => {
    let search = false;
    if (!s.known && !s.checked) {
      s.checked = true;
      let found: Awaited<ReturnType<typeof iterationOnServer>>;
      try {
        found = await iterationOnServer(ctx, valid, line);
      } catch (error) {
        s.checked = false;
        throw notWritten(error, `Iteration ${valid.iteration} of "${id}"`);
      }
      if (found === "unknown") {
        sender.wentOffline(id, ctx.lastProbeError ?? offline(ctx));
      } else s.known = true;
      if (found === "same" || found === "other")
        s.last = Math.max(s.last ?? valid.iteration, valid.iteration);
      if (found === "same") return; // an idempotent retry after a lost answer
      search = true; // a half-written run of it may be there: the sender completes or replaces it
    }
    const last = Math.max(s.last ?? -1, sender.lastQueued(id) ?? -1);
    if (valid.iteration <= last && !sender.holds(id, line)) {
      if ((await iterationOnServer(ctx, valid, line)) === "same") return;
      throw new IterationConflictError({
        experimentId: id,
        iteration: valid.iteration,
        lastIteration: last,
      });
    }
    accept(ctx, sender, valid, line, search);
  });
}

/**
 * Spools the record when it comes after everything known (true), or when the
 * identical record waits already (true, nothing new); false when the server
 * must be asked.
 */
function accept(
  ctx: StoreContext,
  sender: Sender,
  record: ExperimentRecord,
  line: string,
  search = false,
): boolean {
  const id = record.experiment_id;
  const last = Math.max(ctx.stateOf(id).last ?? -1, sender.lastQueued(id) ?? -1);
  if (record.iteration <= last) return sender.holds(id, line);
  ctx.spool.append(id, line);
  // Appended without knowing the server's last iteration: look before creating its run.
  sender.enqueue(record, line, search || !ctx.stateOf(id).known);
  return true;
}

/**
 * What the server holds at this record's iteration: this very record
 * (FINISHED), another one, or nothing (a half-written run counts as nothing:
 * the sender completes or replaces it); "unknown" when the server does not
 * answer.
 */
async function iterationOnServer(
  ctx: StoreContext,
  record: ExperimentRecord,
  line: string,
): Promise<"same" | "other" | "absent" | "unknown"> {
  if (!(await ctx.online())) return "unknown";
  try {
    const exp = await ctx.findExperiment();
    if (!exp) return "absent";
    const child = await findChild(ctx, exp, record.experiment_id, record.iteration);
    if (child === undefined || child.info.status !== "FINISHED") return "absent";
    return tagOf(child, TAG.recordHash) === recordHash(line) ? "same" : "other";
  } catch (error) {
    if (!isUnreachable(error)) throw error;
    ctx.markOffline();
    return "unknown";
  }
}

const offline = (ctx: StoreContext) =>
  new MlflowError(`MLflow at ${ctx.client.trackingUri} does not answer`, { unreachable: true });

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

/** Writes a validated meta to the spool; the sender puts it on the parent run after the records before it. */
export function writeMeta(ctx: StoreContext, sender: Sender, valid: ExperimentMeta): Promise<void> {
  ctx.spool.writeMeta(valid);
  sender.metaWritten(valid.experiment_id);
  return Promise.resolve();
}

/** Uploads a file as an artifact of the experiment's parent run (created when missing). */
export function logArtifact(
  ctx: StoreContext,
  experimentId: string,
  path: string,
  data: string | Uint8Array,
): Promise<void> {
  return ctx.serial(experimentId, async () => {
    const parent = await ensureParent(ctx, experimentId);
    await ctx.client.uploadArtifact(parent.info.artifact_uri, path, data);
  });
}

/** Waits until everything acknowledged reached the server; rejects with the first thing that stopped it. */
export async function flushStore(ctx: StoreContext, sender: Sender): Promise<void> {
  const ids = new Set([...sender.ids(), ...ctx.spool.ids()]);
  const outcomes = await Promise.allSettled([...ids].map((id) => sender.drain(id)));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed) throw failed.reason;
}

/**
 * Sends what it can, then closes: what cannot reach the server stays in the
 * spool (with a notice saying so) for the next store or `converge sync`.
 */
export async function closeStore(ctx: StoreContext, sender: Sender): Promise<void> {
  const ids = sender.ids();
  await Promise.all(
    ids.map((id) =>
      sender.drain(id).catch((error: unknown) => {
        const { waiting } = sender.counts(id);
        ctx.notify({
          kind: "sync-failed",
          experimentId: id,
          file: ctx.spool.recordsFile(id),
          message: `closing with ${waiting} record(s) of "${id}" not on MLflow at ${ctx.client.trackingUri} (${errorHeadline(error)}): they stay in the spool ${ctx.spool.dir}; \`converge sync\` sends them`,
        });
      }),
    ),
  );
  sender.stop();
  ctx.spool.close();
}
