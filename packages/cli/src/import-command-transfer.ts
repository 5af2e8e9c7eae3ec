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
  StoreError,
  serializeRecord,
  terminalSafe,
} from "@converge/core";
import type { CommandContext } from "./context.js";
import { startProgress } from "./progress.js";
import { openStore } from "./store-open.js";
import { openMlflowStore } from "./store-open-mlflow.js";
import type { StoreLocation } from "./store-uri.js";
import { redactingNotices, redactSecrets, redactUrisIn } from "./uri-redaction.js";
import { UsageError } from "./usage-error.js";

/** What one experiment's copy did. */
export interface TransferOutcome {
  experimentId: string;
  /** Records appended to the destination (written, also when the copy failed later). */
  copied: number;
  /** Records the destination already had (same iteration). */
  skipped: number;
  /** Records an MLflow destination could not take and kept in its offline spool. */
  spooled?: number;
  /** Whether the meta was written (false: none at the source, the destination's is the same, or it failed). */
  metaWritten: boolean;
  /** Why the copy stopped before the end; what was written before it stays written. */
  failure?: TransferFailure;
}

/** Where and why one experiment's copy stopped. */
export interface TransferFailure {
  /** What was being done: "reading the source", "writing the meta", "writing iteration 7"... */
  step: string;
  /** The error's message, terminal-safe and redacted. */
  reason: string;
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
  const opening = { onNotice: redactingNotices(ctx.notice), env: ctx.io.env };
  const source = openStore(from, opening);
  const mlflowDest = to.kind === "mlflow" ? openMlflowStore(to, opening) : null;
  const dest: Store = mlflowDest ?? openStore(to, opening);
  const outcomes: TransferOutcome[] = [];
  try {
    const selected = ids.length > 0 ? ids : (await source.list()).map((l) => l.experiment_id);
    if (selected.length === 0) {
      ctx.out(`No experiments in ${from.display}: nothing to ${verb}.`);
      return;
    }
    for (const id of selected) {
      const spooledBefore = mlflowDest ? await mlflowDest.pending() : 0;
      const outcome = await copyExperiment(source, dest, id, request, ctx);
      if (mlflowDest) {
        // Appends are acknowledged from the spool: wait for the sender, then count what it could not send.
        await mlflowDest.flush().catch(() => undefined);
        outcome.spooled = Math.max(0, (await mlflowDest.pending()) - spooledBefore);
        outcome.copied = Math.max(0, outcome.copied - outcome.spooled);
      }
      outcomes.push(outcome);
      ctx.out(describe(outcome));
      if (outcome.failure) {
        ctx.err(`error: ${id}: ${outcome.failure.step} failed: ${outcome.failure.reason}`);
      }
    }
  } finally {
    await Promise.allSettled([source.close(), dest.close()]);
  }
  summarize(outcomes, request, ctx);
  const problems: string[] = [];
  const failures = outcomes.filter((o) => o.failure !== undefined);
  if (failures.length > 0) problems.push(failedMessage(failures, outcomes.length));
  const spooled = outcomes.reduce((n, o) => n + (o.spooled ?? 0), 0);
  if (spooled > 0) {
    problems.push(
      `${spooled} record(s) could not reach ${to.display} and wait in the offline spool; run \`converge sync --store mlflow+${to.kind === "mlflow" ? to.trackingUri : ""}\` when the server is back.`,
    );
  }
  if (problems.length > 0) throw new StoreError(problems.join(" "));
}

/** The total line on stdout: what was written, counting the experiments that failed part-way too. */
function summarize(
  outcomes: readonly TransferOutcome[],
  request: TransferRequest,
  ctx: CommandContext,
): void {
  let copied = 0;
  let skipped = 0;
  let spooled = 0;
  let copiedIntoFailed = 0;
  let complete = 0;
  for (const o of outcomes) {
    copied += o.copied;
    skipped += o.skipped;
    spooled += o.spooled ?? 0;
    if (o.failure) copiedIntoFailed += o.copied;
    else complete++;
  }
  const total = outcomes.length;
  const experiments =
    complete === total
      ? `${total} experiment${total === 1 ? "" : "s"}`
      : `${complete} of ${total} experiments`;
  const partial =
    copiedIntoFailed > 0
      ? ` (${copiedIntoFailed} of them into experiment(s) that then failed)`
      : "";
  ctx.out(
    `${request.verb === "export" ? "Exported" : "Imported"} ${experiments} into ${request.to.display}: ` +
      `${copied} record${copied === 1 ? "" : "s"} copied${partial}, ` +
      `${spooled > 0 ? `${spooled} in the offline spool, ` : ""}${skipped} already there.`,
  );
}

// A long list of failures is cut: each one is on stderr already.
const MAX_NAMED_FAILURES = 10;

function failedMessage(failures: readonly TransferOutcome[], total: number): string {
  const named = failures
    .slice(0, MAX_NAMED_FAILURES)
    .map((o) => `${o.experimentId} (${o.failure?.step}: ${firstLine(o.failure?.reason ?? "")})`);
  const more =
    failures.length > MAX_NAMED_FAILURES
      ? ` and ${failures.length - MAX_NAMED_FAILURES} more (see the messages above)`
      : "";
  const others = failures.length < total ? " The others were copied." : "";
  return (
    `${failures.length} experiment(s) could not be copied completely: ${named.join("; ")}${more}.${others} ` +
    "What was written stays written; fix the cause and run the same command again (records already there are skipped)."
  );
}

function firstLine(text: string): string {
  const nl = text.indexOf("\n");
  return nl === -1 ? text : `${text.slice(0, nl)} …`;
}

function describe(o: TransferOutcome): string {
  const parts = [`${o.copied} record${o.copied === 1 ? "" : "s"} copied`];
  if (o.spooled) parts.push(`${o.spooled} in the offline spool`);
  if (o.skipped > 0) parts.push(`${o.skipped} already there`);
  if (o.metaWritten) parts.push("meta written");
  const stopped = o.failure ? `, then stopped: ${o.failure.step} failed` : "";
  return `${o.experimentId}: ${parts.join(", ")}${stopped}`;
}

/** The message of an error, safe to print: controls made visible, URIs and secrets redacted. */
function reasonOf(error: unknown, env: NodeJS.ProcessEnv): string {
  const text = error instanceof Error ? error.message : String(error);
  return redactSecrets(redactUrisIn(terminalSafe(text, { keepNewlines: true })), env);
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

/**
 * Copies one experiment and says what was written. It never throws for a
 * store error: the copy stops at the first step that fails (records are
 * appended in iteration order, so no gap is left before a later record) and
 * the outcome carries the step and the reason.
 */
async function copyExperiment(
  source: Store,
  dest: Store,
  id: string,
  request: TransferRequest,
  ctx: CommandContext,
): Promise<TransferOutcome> {
  const outcome: TransferOutcome = { experimentId: id, copied: 0, skipped: 0, metaWritten: false };
  let step = "reading the source";
  try {
    const { meta, records } = await readSource(source, id, request.lenient === true);
    step = "reading the destination";
    const present = new Map<number, ExperimentRecord>();
    for (const r of await readDestination(dest, id)) present.set(r.iteration, r);
    if (meta !== null) {
      const existing = await dest.readMeta(id);
      if (existing === null || stableJson(existing) !== stableJson(meta)) {
        step = "writing the meta";
        await dest.writeMeta(meta);
        outcome.metaWritten = true;
      }
    }
    await copyRecords(dest, id, inIterationOrder(records), present, outcome, request, ctx, (s) => {
      step = s;
    });
  } catch (error) {
    outcome.failure = { step, reason: reasonOf(error, ctx.io.env) };
  }
  return outcome;
}

/** The records sorted by iteration (stable: of two with the same iteration, the first in the log comes first). */
function inIterationOrder(records: ExperimentRecord[]): ExperimentRecord[] {
  for (let i = 1; i < records.length; i++) {
    if ((records[i]?.iteration ?? 0) < (records[i - 1]?.iteration ?? 0)) {
      return records.slice().sort((a, b) => a.iteration - b.iteration);
    }
  }
  return records;
}

async function copyRecords(
  dest: Store,
  id: string,
  records: readonly ExperimentRecord[],
  present: Map<number, ExperimentRecord>,
  outcome: TransferOutcome,
  request: TransferRequest,
  ctx: CommandContext,
  setStep: (step: string) => void,
): Promise<void> {
  const progress = startProgress(ctx.io.stderr, {
    label: id,
    total: records.length,
    unit: "records",
    quiet: request.quiet === true || records.length === 0,
  });
  let differing = 0;
  try {
    for (const [i, record] of records.entries()) {
      const there = present.get(record.iteration);
      if (there) {
        outcome.skipped++;
        if (serializeRecord(there) !== serializeRecord(record)) differing++;
      } else {
        setStep(`writing iteration ${record.iteration}`);
        await dest.append(record);
        outcome.copied++;
        // A second record of the same iteration in the source is not appended again.
        present.set(record.iteration, record);
      }
      progress.update(i + 1);
    }
  } finally {
    progress.stop();
    if (differing > 0) {
      ctx.err(
        `warning: ${id}: ${differing} record(s) were not copied because the destination (or an earlier line of the source) has the same iteration with different content; the first was kept.`,
      );
    }
  }
}

/** JSON with object keys sorted, to compare two metas whatever their key order. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
