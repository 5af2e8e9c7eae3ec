import { existsSync } from "node:fs";
import { ExperimentNotFoundError, type Store, StoreError, terminalSafe } from "@converge/core";
import type { CommandContext } from "./context.js";
import { formatScore, formatTime, toJson } from "./format.js";
import { type LoadedExperiment, loadExperiment } from "./load-experiment.js";
import { loadStore, resolveStoreLocation, type StoreLocation } from "./store-uri.js";
import { type NoticeGate, noticeGate } from "./strict-notices.js";
import { styleStatus } from "./style.js";
import { renderTable, truncate } from "./table.js";

/** One experiment in `converge list --json`. */
export interface ListEntry {
  experiment_id: string;
  status: string;
  iterations: number;
  best_gate_score: number | null;
  best_iteration: number | null;
  /** ISO-8601 UTC; null when neither the meta nor a record has a time. */
  updated_at: string | null;
  directive: string;
  /** false for a log without a meta file (e.g. written by the Python logger). */
  has_meta: boolean;
}

const DIRECTIVE_WIDTH = 48;

/** The options of `converge list`. */
export interface ListOptions {
  store?: string;
  mlflowExperiment?: string;
  json?: boolean;
  strict?: boolean;
}

/** `converge list`: loaded when the command runs (see list-command.ts). */
export async function runList(options: ListOptions, ctx: CommandContext): Promise<void> {
  const location = resolveStoreLocation(options, ctx.io);
  const notices = noticeGate(ctx, options.strict);
  const { entries, unreadable } = await collect(location, ctx, notices);
  // No Converge experiment in an MLflow store: a missing MLflow experiment, or one of ordinary runs?
  const why =
    entries.length === 0 && location.kind === "mlflow"
      ? await (await import("./mlflow-experiment-hint.js")).explainEmptyListing(location, ctx)
      : undefined;
  if (options.json) {
    await ctx.json(`${toJson(entries)}\n`);
    for (const line of why ?? []) ctx.err(`note: ${line.trim()}`);
  } else if (why !== undefined) {
    for (const [i, line] of why.entries()) {
      ctx.out(i === 0 || line.startsWith("  ") ? line : ctx.style.dim(line));
    }
  } else printTable(entries, location, ctx);
  if (unreadable > 0) {
    throw new StoreError(
      `${unreadable} experiment(s) could not be read (see the messages above); the others are listed.`,
    );
  }
  notices.check();
}

async function collect(
  location: StoreLocation,
  ctx: CommandContext,
  notices: NoticeGate,
): Promise<{ entries: ListEntry[]; unreadable: number }> {
  const store: Store = await loadStore(location, { onNotice: notices.onNotice });
  const entries: ListEntry[] = [];
  let unreadable = 0;
  try {
    for (const listing of await store.list()) {
      try {
        // Lenient: one bad line must not hide the whole experiment from the list.
        entries.push(
          toEntry(await loadExperiment(store, listing.experiment_id, { lenient: true })),
        );
      } catch (error) {
        if (ExperimentNotFoundError.isInstance(error)) continue;
        unreadable++;
        ctx.err(`error: ${terminalSafe(listing.experiment_id)}: ${(error as Error).message}`);
      }
    }
  } finally {
    await store.close();
  }
  entries.sort(byUpdatedDescending);
  return { entries, unreadable };
}

function toEntry(x: LoadedExperiment): ListEntry {
  return {
    experiment_id: x.experimentId,
    status: x.summary.status,
    iterations: x.summary.total_iterations,
    best_gate_score: x.summary.best_gate_score,
    best_iteration: x.summary.best_iteration,
    updated_at: x.updatedAt,
    directive: x.directive,
    has_meta: x.meta !== null,
  };
}

function byUpdatedDescending(a: ListEntry, b: ListEntry): number {
  const ta = a.updated_at ? Date.parse(a.updated_at) : Number.NEGATIVE_INFINITY;
  const tb = b.updated_at ? Date.parse(b.updated_at) : Number.NEGATIVE_INFINITY;
  return tb - ta || a.experiment_id.localeCompare(b.experiment_id);
}

function printTable(entries: ListEntry[], location: StoreLocation, ctx: CommandContext): void {
  const { style } = ctx;
  if (entries.length === 0) {
    const missing = location.kind === "jsonl" && !existsSync(location.dir);
    ctx.out(
      `No experiments found in ${terminalSafe(location.display)}${missing ? " (the directory does not exist)" : ""}.`,
    );
    ctx.out(
      style.dim(
        location.kind === "mlflow"
          ? "Check --mlflow-experiment (or MLFLOW_EXPERIMENT_NAME): it names the MLflow experiment your tracker logs into."
          : "Point --store (or CONVERGE_STORE) at the directory your tracker writes to.",
      ),
    );
    return;
  }
  const rows = entries.map((e) => [
    { text: e.experiment_id, paint: style.bold },
    { text: e.status, paint: (t: string) => styleStatus(style, t) },
    String(e.iterations),
    formatScore(e.best_gate_score),
    e.best_iteration === null ? "-" : String(e.best_iteration),
    formatTime(e.updated_at),
    // Escaped before it is cut, so the cut counts what is shown.
    e.directive
      ? truncate(terminalSafe(e.directive), DIRECTIVE_WIDTH)
      : { text: "-", paint: style.dim },
  ]);
  const lines = renderTable(
    [
      { header: "EXPERIMENT" },
      { header: "STATUS" },
      { header: "ITERS", align: "right" },
      { header: "BEST GATE", align: "right" },
      { header: "BEST ITER", align: "right" },
      { header: "UPDATED (UTC)" },
      { header: "DIRECTIVE" },
    ],
    rows,
    style,
  );
  for (const line of lines) ctx.out(line);
  ctx.out();
  ctx.out(
    style.dim(
      `${entries.length} experiment${entries.length === 1 ? "" : "s"} in ${terminalSafe(location.display)}`,
    ),
  );
}
