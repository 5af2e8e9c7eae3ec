/**
 * What `converge watch` does once it runs (loaded then, see watch-command.ts):
 * finds the experiment, starts the server and the follower, and stops both at
 * Ctrl-C.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ExperimentIdSchema, terminalSafe } from "@converge/core";
import type { CommandContext } from "./context.js";
import { resolveShowTarget } from "./show-command.js";
import { parseStoreUri, type StoreOptions } from "./store-uri.js";
import { UsageError } from "./usage-error.js";
import type { WatchOptions } from "./watch-command.js";
import {
  emptyState,
  followExperiment,
  newestExperiment,
  type WatchTarget,
  waitingMessage,
} from "./watch-follow.js";
import { startWatchServer, type WatchView } from "./watch-server.js";

/** Serves the live report of `arg` until Ctrl-C. */
export async function runWatch(
  arg: string,
  options: WatchOptions,
  ctx: CommandContext,
): Promise<void> {
  const watched = resolveWatchTarget(arg, options, ctx);
  const waiting = waitingMessage(watched);
  const server = await startWatchServer(options.port, {
    state: emptyState(watched.target.experimentId, waiting),
  });

  ctx.out(
    `Watching ${terminalSafe(watched.target.experimentId || "the newest experiment")} in ${terminalSafe(watched.target.location.display)}`,
  );
  ctx.out(`Open ${server.url} (only this machine can reach it). Ctrl-C stops.`);
  let shown = "";
  const follower = followExperiment(watched, {
    ctx,
    intervalMs: options.interval * 1000,
    ...(options.title !== undefined && { title: options.title }),
    onView(view: WatchView) {
      server.publish(view);
      const line = statusLine(view);
      if (line !== shown) ctx.out(line);
      shown = line;
    },
  });
  await untilInterrupted();
  await follower.stop();
  await server.close();
  ctx.err("Stopped watching.");
}

/** One stdout line per change: what the page's status line says. */
function statusLine({ state }: WatchView): string {
  if (state.message !== null) return terminalSafe(state.message);
  const parts = [`${state.iterations} iteration${state.iterations === 1 ? "" : "s"}`];
  if (state.status !== null) parts.push(state.status);
  if (state.decision !== null) parts.push(`latest decision ${state.decision}`);
  if (state.probability !== null && state.horizon !== null) {
    parts.push(
      `success probability ${Math.round(state.probability * 100)}% within ${state.horizon} iterations`,
    );
  }
  return terminalSafe(parts.join(" · "));
}

/** The experiment (or directory) to follow, from the argument. */
function resolveWatchTarget(arg: string, options: StoreOptions, ctx: CommandContext): WatchTarget {
  const abs = resolve(ctx.io.cwd, arg);
  const isPath = arg.endsWith(".jsonl") || arg.includes("/") || arg.includes("\\");
  // A directory path that does not exist yet is one a loop is about to create.
  const isDirectory = existsSync(abs)
    ? statSync(abs).isDirectory()
    : isPath && !arg.endsWith(".jsonl");
  if (isDirectory) {
    const location = parseStoreUri(`jsonl:${abs}`);
    if (location.kind !== "jsonl") throw new UsageError(`${terminalSafe(abs)} is not a directory.`);
    // "" until an experiment appears in it.
    const newest = newestExperiment(abs) ?? "";
    return { kind: "directory", dir: abs, target: { location, experimentId: newest } };
  }
  if (!isPath && !ExperimentIdSchema.safeParse(arg).success) {
    throw new UsageError(
      `"${terminalSafe(arg)}" is neither an experiment id (letters, digits, '.', '_', '-'), a .jsonl file nor a directory.`,
    );
  }
  // An id is looked up when it appears: a loop about to start may not have written it yet.
  return { kind: "experiment", target: resolveShowTarget(arg, options, ctx) };
}

/** Resolves at the first Ctrl-C (SIGINT) or SIGTERM. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}
