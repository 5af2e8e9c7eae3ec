/**
 * `converge loop <loop.json|loop.yaml>`: the command's registration; what it
 * does (loop-action.ts) is imported when it runs.
 */
import { type Command, Option } from "commander";
import type { CommandContext } from "./context.js";
import { loopHelp } from "./loop-help.js";

/** Exit code after Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT = 130;

/** The options of `converge loop`. */
export interface LoopOptions {
  quiet?: boolean;
  experimentId?: string;
}

/** Adds `converge loop` to a program. */
export function registerLoop(program: Command, ctx: CommandContext): Command {
  return program
    .command("loop")
    .description(
      "Run a gate loop around your own evaluator (e.g. a Python backtest) from a loop file: evaluate, score against the gate, log, ask the advisor, refine, until the gate passes or a limit is reached.",
    )
    .argument("<file>", "the loop file: JSON, or YAML when it ends in .yaml / .yml")
    .addOption(
      new Option(
        "--experiment-id <id>",
        "the experiment id (default: the file's experimentId, else loop_<UTC time>)",
      ),
    )
    .option("--quiet", "print only the summary")
    .addHelpText("after", loopHelp())
    .action(async (file: string, options: LoopOptions) => {
      const { runLoop } = await import("./loop-action.js");
      await runLoop(file, options, ctx);
    });
}
