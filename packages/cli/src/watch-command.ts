/**
 * `converge watch <experiment|dir>`: serves the report of a running
 * experiment on 127.0.0.1 and updates the open page in place as the loop (in
 * another process, on the JSONL store or MLflow) appends records; the status
 * line shows the latest decision and the success probability. Runs until
 * Ctrl-C.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { ExperimentIdSchema, terminalSafe } from "@converge/core";
import { type Command, InvalidArgumentError } from "commander";
import type { CommandContext } from "./context.js";
import { mlflowExperimentOption, storeOption } from "./options.js";
import { resolveShowTarget } from "./show-command.js";
import { parseStoreUri, type StoreOptions } from "./store-uri.js";
import { UsageError } from "./usage-error.js";
import {
  followExperiment,
  newestExperiment,
  type WatchTarget,
  waitingMessage,
} from "./watch-follow.js";
import { startWatchServer, type WatchView } from "./watch-server.js";

interface WatchOptions extends StoreOptions {
  port: number;
  interval: number;
  title?: string;
}

/** The port `converge watch` listens on unless told otherwise. */
export const DEFAULT_WATCH_PORT = 8377;

/** Adds `converge watch` to a program. */
export function registerWatch(program: Command, ctx: CommandContext): Command {
  return program
    .command("watch")
    .description(
      "Serve the live report of a running experiment on http://127.0.0.1: the open page updates itself as iterations are logged (JSONL or MLflow), with the latest decision and the success probability.",
    )
    .argument(
      "<experiment|dir>",
      "an experiment id (in --store), an <experiment_id>.jsonl file, or a directory of JSONL experiments (follows the one written last)",
    )
    .addOption(storeOption())
    .addOption(mlflowExperimentOption())
    .option("--port <n>", "the port on 127.0.0.1; 0 for any free one", port, DEFAULT_WATCH_PORT)
    .option("--interval <seconds>", "how often to look for new iterations", seconds, 1)
    .option("--title <text>", "the report's title (default: the directive)")
    .addHelpText("after", watchHelp())
    .action(async (arg: string, options: WatchOptions) => {
      const watched = resolveWatchTarget(arg, options, ctx);
      const waiting = waitingMessage(watched);
      const server = await startWatchServer(options.port, {
        state: {
          version: 0,
          experiment_id: watched.target.experimentId,
          iterations: 0,
          status: null,
          decision: null,
          probability: null,
          horizon: null,
          updated_at: null,
          message: waiting,
        },
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
    });
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

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65_535) {
    throw new InvalidArgumentError(
      "expected a port number from 0 to 65535, e.g. 8377 (0: any free port)",
    );
  }
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1 || n > 3600) {
    throw new InvalidArgumentError("expected seconds from 0.1 to 3600, e.g. 1 or 0.5");
  }
  return n;
}

function watchHelp(): string {
  return `
The page is the report converge report writes (static charts), served by this
process on 127.0.0.1 only; it loads nothing from anywhere else. Each time the
experiment changes, the open page swaps in the new report without a reload,
keeping its scroll position and open sections, and the status line at the top
shows the iterations, the latest decision and the success probability. An
experiment that does not exist yet is waited for. With a directory, the
experiment written last is followed, switching when a newer one starts.

Examples:
  $ converge watch ./experiments                      # the loop writing there now
  $ converge watch exp_20260118_143022 --store jsonl:./runs --port 9000
  $ converge watch exp_20260118_143022 --store mlflow+http://127.0.0.1:5000 --interval 3
`;
}
