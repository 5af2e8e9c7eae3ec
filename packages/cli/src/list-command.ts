import type { Command } from "commander";
import type { CommandContext } from "./context.js";
import type { ListOptions } from "./list-action.js";
import { mlflowExperimentOption, storeOption } from "./options.js";
import { strictOption } from "./strict-notices.js";

/** Adds `converge list` to a program. */
export function registerList(program: Command, ctx: CommandContext): Command {
  return program
    .command("list")
    .description("List every experiment in a store, most recently updated first.")
    .addOption(storeOption())
    .addOption(mlflowExperimentOption())
    .option("--json", "print a JSON array instead of a table")
    .addOption(strictOption())
    .addHelpText(
      "after",
      `
With --strict, integrity problems in any experiment's records (a duplicate,
out-of-order, foreign or missing iteration) make the command fail (exit 1)
after the listing, with each problem and its file:line; without it they are
warnings on stderr.

Examples:
  $ converge list
  $ converge list --store jsonl:./experiments
  $ converge list --store ./runs --json
  $ converge list --store ./runs --strict
  $ CONVERGE_STORE=jsonl:/data/experiments converge list
  $ converge list --store mlflow+http://127.0.0.1:5000 --mlflow-experiment converge
  $ MLFLOW_TRACKING_URI=http://127.0.0.1:5000 converge list`,
    )
    .action(async (options: ListOptions) => {
      const { runList } = await import("./list-action.js");
      await runList(options, ctx);
    });
}
