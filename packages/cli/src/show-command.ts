import { existsSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { ConvergeError, ExperimentIdSchema, terminalSafe } from "@converge/core";
import type { Command } from "commander";
import type { CommandContext } from "./context.js";
import { mlflowExperimentOption, storeOption } from "./options.js";
import {
  parseStoreUri,
  resolveStoreLocation,
  type StoreLocation,
  type StoreOptions,
} from "./store-uri.js";
import { strictOption } from "./strict-notices.js";
import { UsageError } from "./usage-error.js";

/** What `converge show` reads: an experiment id in a store, or a `.jsonl` file. */
export interface ShowTarget {
  location: StoreLocation;
  experimentId: string;
  /** The file given on the command line, when one was. */
  file?: string;
}

/**
 * Decides whether the argument is a file or an id. A path is anything ending
 * in `.jsonl` or containing a path separator (ids cannot contain one); it is
 * read through a jsonl store on the file's directory, with the id from the
 * file name, as the Python logger writes `<dir>/<experiment_id>.jsonl`.
 */
export function resolveShowTarget(
  arg: string,
  storeOpt: StoreOptions,
  ctx: CommandContext,
): ShowTarget {
  const isPath = arg.endsWith(".jsonl") || arg.includes("/") || arg.includes("\\");
  if (!isPath) {
    if (!ExperimentIdSchema.safeParse(arg).success) {
      throw new UsageError(
        `"${terminalSafe(arg)}" is neither an experiment id (letters, digits, '.', '_', '-') nor a path to a .jsonl file.`,
      );
    }
    const location = resolveStoreLocation(storeOpt, ctx.io);
    return { location, experimentId: arg };
  }
  const file = resolve(ctx.io.cwd, arg);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new ConvergeError(`No such file: ${terminalSafe(file)}`, {
      hint: "give the path of an experiment's .jsonl file, or an experiment id with --store",
    });
  }
  if (!file.endsWith(".jsonl")) {
    throw new UsageError(
      `${terminalSafe(file)} is not a .jsonl file; converge show reads <experiment_id>.jsonl.`,
    );
  }
  const experimentId = basename(file, ".jsonl");
  if (!ExperimentIdSchema.safeParse(experimentId).success) {
    throw new UsageError(
      `The file name "${terminalSafe(basename(file))}" does not make an experiment id (letters, digits, '.', '_', '-'); rename it to <experiment_id>.jsonl.`,
    );
  }
  return {
    location: parseStoreUri(`jsonl:${dirname(file)}`, ctx.io.cwd),
    experimentId,
    file,
  };
}

/** The options of `converge show`. */
export type ShowOptions = StoreOptions & { json?: boolean; lenient?: boolean; strict?: boolean };

/** Adds `converge show` to a program. */
export function registerShow(program: Command, ctx: CommandContext): Command {
  return program
    .command("show")
    .description(
      "Show one experiment: its header, totals and every iteration with gate score, action, parameter changes and metrics.",
    )
    .argument("<experiment>", "an experiment id, or the path of an <experiment_id>.jsonl file")
    .addOption(storeOption())
    .addOption(mlflowExperimentOption())
    .option("--json", "print { meta, records, summary } as JSON")
    .option("--lenient", "skip lines that are not valid records (each reported on stderr)")
    .addOption(strictOption())
    .addHelpText(
      "after",
      `
A path (anything ending in .jsonl or containing a "/") is read from the file's
directory, with the experiment id taken from the file name; --store is then
not used.

With --strict, integrity problems in the records (a duplicate, out-of-order,
foreign or missing iteration) are an error (exit 1) that lists each one with
its file:line, and nothing else is printed; without it they are warnings on
stderr.

Examples:
  $ converge show exp_20260118_143022
  $ converge show exp_20260118_143022 --store jsonl:./experiments --json
  $ converge show ./logs/exp_20260118_143022.jsonl
  $ converge show ./logs/exp_20260118_143022.jsonl --lenient
  $ converge show ./logs/exp_20260118_143022.jsonl --strict
  $ converge show exp_20260118_143022 --store mlflow+http://127.0.0.1:5000`,
    )
    .action(async (arg: string, options: ShowOptions) => {
      const { runShow } = await import("./show-action.js");
      await runShow(arg, options, ctx);
    });
}
