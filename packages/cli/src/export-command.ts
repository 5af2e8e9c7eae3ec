import type { Command } from "commander";
import type { CommandContext } from "./context.js";
import { mlflowExperimentOption } from "./options.js";
import {
  DEFAULT_STORE_URI,
  MLFLOW_URI_ENV,
  mlflowExperimentFrom,
  parseStoreUri,
  resolveStoreLocation,
  STORE_ENV,
} from "./store-uri.js";

/** Options of `converge export`. */
interface ExportOptions {
  to: string;
  from?: string;
  mlflowExperiment?: string;
  quiet?: boolean;
  lenient?: boolean;
}

/**
 * Adds `converge export`: `converge import` seen from the store you work in.
 * The source is your usual store (`--from`, else the same chain as `--store`
 * everywhere else) and the experiments are named.
 */
export function registerExport(program: Command, ctx: CommandContext): Command {
  return program
    .command("export")
    .description(
      "Copy the named experiments out of your store (--from, default as --store) into another one (--to): import with the source defaulted. Records the destination already has are skipped.",
    )
    .argument("<ids...>", "the experiment ids to copy")
    .requiredOption("--to <store>", "the store to write: jsonl:DIR, DIR or mlflow+http://HOST:PORT")
    .option(
      "--from <store>",
      `the store to read (default: $${STORE_ENV}, else mlflow+$${MLFLOW_URI_ENV}, else ${DEFAULT_STORE_URI})`,
    )
    .addOption(mlflowExperimentOption())
    .option("-q, --quiet", "no progress on stderr (the summary still goes to stdout)")
    .option("--lenient", "skip source lines that are not valid records (each reported on stderr)")
    .addHelpText(
      "after",
      `
converge export IDS --to B --from A is converge import A B IDS: meta first,
then the records B does not have yet, in iteration order, with progress on
stderr; exit 1 if an experiment could not be copied (the others still are).

Examples:
  $ converge export exp_20260118_143022 --to jsonl:./backup --from mlflow+http://127.0.0.1:5000
  $ MLFLOW_TRACKING_URI=http://127.0.0.1:5000 converge export exp_a exp_b --to ./backup
  $ converge export exp_a --from ./experiments --to mlflow+http://127.0.0.1:5000`,
    )
    .action(async (ids: string[], options: ExportOptions) => {
      const mlflowExperiment = mlflowExperimentFrom(options.mlflowExperiment, ctx.io.env);
      const from = resolveStoreLocation(
        { store: options.from, mlflowExperiment },
        ctx.io,
        "--from",
      );
      const to = parseStoreUri(options.to, ctx.io.cwd, { mlflowExperiment, origin: "--to" });
      // The stores and the progress bar load only when the command runs.
      const { transfer } = await import("./import-command-transfer.js");
      await transfer(
        {
          from,
          to,
          ids,
          verb: "export",
          ...(options.quiet && { quiet: true }),
          ...(options.lenient && { lenient: true }),
        },
        ctx,
      );
    });
}
