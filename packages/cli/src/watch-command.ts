/**
 * `converge watch <experiment|dir>`: serves the report of a running
 * experiment on 127.0.0.1 and updates the open page in place as the loop (in
 * another process, on the JSONL store or MLflow) appends records; the status
 * line shows the latest decision and the success probability. Runs until
 * Ctrl-C.
 */
import { type Command, InvalidArgumentError } from "commander";
import type { CommandContext } from "./context.js";
import { mlflowExperimentOption, storeOption } from "./options.js";
import type { StoreOptions } from "./store-uri.js";

/** The options of `converge watch`. */
export interface WatchOptions extends StoreOptions {
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
      const { runWatch } = await import("./watch-action.js");
      await runWatch(arg, options, ctx);
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
