import type { Command } from "commander";
import type { CommandContext } from "./context.js";
import { mlflowExperimentOption, storeOption } from "./options.js";

/** Options of `converge sync`. */
export interface SyncOptions {
  store?: string;
  mlflowExperiment?: string;
  spoolDir?: string;
  quiet?: boolean;
}

/** Adds `converge sync` to a program. */
export function registerSync(program: Command, ctx: CommandContext): Command {
  return program
    .command("sync")
    .description(
      "Upload the records an MLflow store kept in its offline spool while the server could not be reached, in order and without duplicates.",
    )
    .addOption(storeOption())
    .addOption(mlflowExperimentOption())
    .option(
      "--spool-dir <dir>",
      "the spool to upload (default: the MLflow store's own spool directory)",
    )
    .option("-q, --quiet", "no progress on stderr (the counts still go to stdout)")
    .addHelpText(
      "after",
      `
When the tracking server is down, an MLflow store writes each record to a
local spool (JSONL) and the loop goes on; converge sync sends them later.
Records the server already has are skipped. It prints how many were uploaded,
skipped and failed, and exits 1 while anything is left in the spool (run it
again when the server is back).

Examples:
  $ converge sync --store mlflow+http://127.0.0.1:5000
  $ MLFLOW_TRACKING_URI=http://127.0.0.1:5000 converge sync
  $ converge sync --store mlflow+http://127.0.0.1:5000 --spool-dir ./spool --quiet`,
    )
    .action(async (options: SyncOptions) => {
      const { runSync } = await import("./sync-action.js");
      await runSync(options, ctx);
    });
}
