/**
 * What `converge import` and `converge export` share: copying experiments
 * (meta, then records in iteration order) from one store to another, skipping
 * what the destination already has, with progress on stderr and a summary on
 * stdout. One experiment failing does not stop the others.
 */
import {
  ExperimentIdSchema,
  type ExperimentMeta,
  ExperimentNotFoundError,
  type ExperimentRecord,
  type Store,
  serializeRecord,
} from "@converge/core";
import type { CommandContext } from "./context.js";
import { startProgress } from "./progress.js";
import { openMlflowStore, openStore, type StoreLocation } from "./store-uri.js";
import { UsageError } from "./usage-error.js";

/** What one experiment's copy did. */
export interface TransferOutcome {
  experimentId: string;
  /** Records appended to the destination. */
  copied: number;
  /** Records the destination already had (same iteration). */
  skipped: number;
  /** Whether the meta was written (false: none at the source, or the destination's is the same). */
  metaWritten: boolean;
}

/** What `transfer` is asked to do. */
export interface TransferRequest {
  from: StoreLocation;
  to: StoreLocation;
  /** Experiment ids; empty means every experiment in `from`. */
  ids: readonly string[];
  quiet?: boolean;
  lenient?: boolean;
  /** "import" or "export", for messages. */
  verb: string;
}

/** Checks ids before any I/O: a bad one is a usage error. */
export function checkIds(ids: readonly string[]): string[] {
  const out: string[] = [];
  for (const id of ids) {
    if (!ExperimentIdSchema.safeParse(id).success) {
      throw new UsageError(
        `"${id}" is not an experiment id (letters, digits, '.', '_', '-'); name experiments by id, e.g. exp_20260118_143022.`,
      );
    }
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/**
 * Copies the experiments and prints one line per experiment and a total.
 * Throws (exit 1) when any experiment failed or records were left in the
 * MLflow spool; the others are copied all the same.
 */
export async function transfer(request: TransferRequest, ctx: CommandContext): Promise<void> {
  const { from, to, verb } = request;
  if (from.display === to.display) {
    throw new UsageError(
      `The source and the destination are the same store (${from.display}); name another one.`,
    );
  }
  const ids = checkIds(request.ids);
  const source = openStore(from, { onNotice: ctx.notice, env: ctx.io.env });
  const mlflowDest =
    to.kind === "mlflow" ? openMlflowStore(to, { onNotice: ctx.notice, env: ctx.io.env }) : null;
  const dest: Store = mlflowDest ?? openStore(to, { onNotice: ctx.notice, env: ctx.io.env });
  const outcomes: TransferOutcome[] = [];
  let failed = 0;
  let spooled = 0;
  try {
    const spooledBefore = mlflowDest ? await mlflowDest.pending() : 0;
    const selected = ids.length > 0 ? ids : (await source.list()).map((l) => l.experiment_id);
    if (selected.length === 0) {
      ctx.out(`No experiments in ${from.display}: nothing to ${verb}.`);
      return;
    }
    for (const id of selected) {
      try {
        const outcome = await copyExperiment(source, dest, id, request, ctx);
        outcomes.push(outcome);
        ctx.out(describe(outcome));
      } catch (error) {
        failed++;
        ctx.err(`error: ${id}: ${(error as Error).message}`);
      }
    }
    if (mlflowDest) spooled = (await mlflowDest.pending()) - spooledBefore;
  } finally {
    await Promise.allSettled([source.close(), dest.close()]);
  }
  const copied = outcomes.reduce((n, o) => n + o.copied, 0);
  const skipped = outcomes.reduce((n, o) => n + o.skipped, 0);
  const n = outcomes.length;
  ctx.out(
    `${verb === "export" ? "Exported" : "Imported"} ${n} experiment${n === 1 ? "" : "s"} into ${to.display}: ` +
      `${copied} record${copied === 1 ? "" : "s"} copied, ${skipped} already there.`,
  );
  if (spooled > 0) {
    throw new Error(
      `${spooled} record(s) could not reach ${to.display} and wait in the offline spool; run \`converge sync --store mlflow+${to.kind === "mlflow" ? to.trackingUri : ""}\` when the server is back.`,
    );
  }
  if (failed > 0) {
    throw new Error(
      `${failed} experiment(s) could not be copied (see the messages above); the others were.`,
    );
  }
}

function describe(o: TransferOutcome): string {
  const parts = [`${o.copied} record${o.copied === 1 ? "" : "s"} copied`];
  if (o.skipped > 0) parts.push(`${o.skipped} already there`);
  if (o.metaWritten) parts.push("meta written");
  return `${o.experimentId}: ${parts.join(", ")}`;
}

async function readSource(
  store: Store,
  id: string,
  lenient: boolean,
): Promise<{ meta: ExperimentMeta | null; records: ExperimentRecord[] }> {
  const meta = await store.readMeta(id);
  try {
    return { meta, records: await store.read(id, { lenient }) };
  } catch (error) {
    // An experiment started without an iteration yet has a meta only.
    if (meta === null || !ExperimentNotFoundError.isInstance(error)) throw error;
    return { meta, records: [] };
  }
}

async function readDestination(store: Store, id: string): Promise<ExperimentRecord[]> {
  try {
    return await store.read(id);
  } catch (error) {
    if (ExperimentNotFoundError.isInstance(error)) return [];
    throw error;
  }
}

async function copyExperiment(
  source: Store,
  dest: Store,
  id: string,
  request: TransferRequest,
  ctx: CommandContext,
): Promise<TransferOutcome> {
  const { meta, records } = await readSource(source, id, request.lenient === true);
  const present = new Map<number, ExperimentRecord>();
  for (const r of await readDestination(dest, id)) present.set(r.iteration, r);
  let metaWritten = false;
  if (meta !== null) {
    const existing = await dest.readMeta(id);
    if (existing === null || stableJson(existing) !== stableJson(meta)) {
      await dest.writeMeta(meta);
      metaWritten = true;
    }
  }
  const progress = startProgress(ctx.io.stderr, {
    label: id,
    total: records.length,
    unit: "records",
    quiet: request.quiet === true || records.length === 0,
  });
  let copied = 0;
  let skipped = 0;
  let differing = 0;
  try {
    for (const [i, record] of records.entries()) {
      const there = present.get(record.iteration);
      if (there) {
        skipped++;
        if (serializeRecord(there) !== serializeRecord(record)) differing++;
      } else {
        await dest.append(record);
        copied++;
      }
      progress.update(i + 1);
    }
  } finally {
    progress.stop();
  }
  if (differing > 0) {
    ctx.err(
      `warning: ${id}: ${differing} iteration(s) already at the destination differ from the source; the destination's were kept.`,
    );
  }
  return { experimentId: id, copied, skipped, metaWritten };
}

/** JSON with object keys sorted, to compare two metas whatever their key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
