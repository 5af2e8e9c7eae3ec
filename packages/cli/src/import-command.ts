import type { Command } from "commander";
import type { CommandContext } from "./context.js";
import { mlflowExperimentOption } from "./options.js";
import { mlflowExperimentFrom, parseStoreUri } from "./store-uri.js";

/** Options of `converge import`. */
interface ImportOptions {
  mlflowExperiment?: string;
  quiet?: boolean;
  lenient?: boolean;
}

/** Adds `converge import` to a program. */
export function registerImport(program: Command, ctx: CommandContext): Command {
  return program
    .command("import")
    .description(
      "Copy experiments (meta and records, in iteration order) from one store to another, e.g. a JSONL directory into an MLflow tracking server. Records the destination already has are skipped, so running it again is a no-op.",
    )
    .argument("<from-store>", "the store to read: jsonl:DIR, DIR or mlflow+http://HOST:PORT")
    .argument("<to-store>", "the store to write: jsonl:DIR, DIR or mlflow+http://HOST:PORT")
    .argument("[ids...]", "experiment ids to copy (default: every experiment in <from-store>)")
    .addOption(mlflowExperimentOption())
    .option("-q, --quiet", "no progress on stderr (the summary still goes to stdout)")
    .option("--lenient", "skip source lines that are not valid records (each reported on stderr)")
    .addHelpText(
      "after",
      `
Each experiment's meta is written first (unless the destination's is the
same), then every record the destination does not have yet, in iteration
order. A progress bar goes to stderr when it is a terminal, a plain line every
few seconds otherwise. One line per experiment and a total go to stdout.
If an experiment cannot be copied the others still are, and the exit code is 1:
its copy stops at the step that failed (named on stderr with the reason), and
the total counts what was written, including records written before it.
--mlflow-experiment applies to every mlflow+ store on the command line.
Credentials come from MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and
MLFLOW_TRACKING_PASSWORD; never put them in a URI.

Examples:
  $ converge import ./experiments mlflow+http://127.0.0.1:5000
  $ converge import jsonl:./runs mlflow+http://127.0.0.1:5000 exp_20260118_143022
  $ converge import mlflow+https://mlflow.example.com jsonl:./backup --mlflow-experiment research
  $ converge import ./experiments mlflow+http://127.0.0.1:5000 --quiet`,
    )
    .action(async (fromUri: string, toUri: string, ids: string[], options: ImportOptions) => {
      const mlflowExperiment = mlflowExperimentFrom(options.mlflowExperiment, ctx.io.env);
      const from = parseStoreUri(fromUri, ctx.io.cwd, { mlflowExperiment, origin: "<from-store>" });
      const to = parseStoreUri(toUri, ctx.io.cwd, { mlflowExperiment, origin: "<to-store>" });
      // The stores and the progress bar load only when the command runs.
      const { transfer } = await import("./import-command-transfer.js");
      await transfer(
        {
          from,
          to,
          ids,
          verb: "import",
          ...(options.quiet && { quiet: true }),
          ...(options.lenient && { lenient: true }),
        },
        ctx,
      );
    });
}
