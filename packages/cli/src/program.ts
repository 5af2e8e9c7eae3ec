import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerAdvise } from "./advise-command.js";
import { registerAnalyze } from "./analyze-command.js";
import { type CliIo, type CommandContext, createContext, processIo } from "./context.js";
import { ExitStatus } from "./exit-status.js";
import { registerExport } from "./export-command.js";
import { registerImport } from "./import-command.js";
import { registerList } from "./list-command.js";
import { registerLoop } from "./loop-command.js";
import { registerReport } from "./report-command.js";
import { registerShow } from "./show-command.js";
import { redactSecrets } from "./store-uri.js";
import { useColor } from "./style.js";
import { registerSync } from "./sync-command.js";
import { UsageError } from "./usage-error.js";
import { registerWatch } from "./watch-command.js";

/** Exit codes of the `converge` command. */
export const ExitCode = {
  /** The command did what was asked. */
  Success: 0,
  /** It could not (experiment not found, corrupt file, store error...). */
  Failure: 1,
  /** The command line is wrong (unknown command or option, missing argument, unknown store). */
  Usage: 2,
} as const;

function packageVersion(): string {
  // src/program.ts and the tsc build dist/program.js sit one level below package.json; in
  // the bundled binary this code may sit in dist/ or dist/chunks/: walk up to ours.
  for (let dir = new URL(".", import.meta.url); ; dir = new URL("..", dir)) {
    try {
      const text = readFileSync(new URL("package.json", dir), "utf8");
      const manifest = JSON.parse(text) as { name?: string; version: string };
      if (manifest.name === "@converge/cli") return manifest.version;
    } catch {
      // no package.json here: keep walking up
    }
    if (new URL("..", dir).href === dir.href) return "unknown";
  }
}

/**
 * Builds the `converge` program. Commander's errors are thrown (exitOverride)
 * instead of exiting, so `main` can map them to exit codes; output goes to
 * the given io.
 */
export function createProgram(io: CliIo = processIo(), ctx: CommandContext = createContext(io)) {
  // Commander wraps help at the terminal width, else at 80 columns.
  const width = (s: unknown) => (s as { isTTY?: boolean; columns?: number }).columns ?? 80;
  const program = new Command("converge")
    .description("Inspect Converge experiments: iterative optimisation loops with a quality gate.")
    .version(packageVersion(), "-V, --version", "print the version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => (io.stdout.isTTY ? width(io.stdout) : 80),
      getErrHelpWidth: () => (io.stderr.isTTY ? width(io.stderr) : 80),
      getOutHasColors: () => useColor(io.env, io.stdout),
      getErrHasColors: () => useColor(io.env, io.stderr),
    })
    .showHelpAfterError("(run 'converge --help' or 'converge <command> --help' for usage)")
    .addHelpText(
      "after",
      `
Stores (--store, else $CONVERGE_STORE, else mlflow+$MLFLOW_TRACKING_URI,
else jsonl:./experiments):
  jsonl:DIR                 the embedded JSONL store: DIR/<experiment_id>.jsonl (+ .meta.json)
  DIR                       a plain directory path is read as jsonl:DIR
  mlflow+http://HOST:PORT   an MLflow tracking server (also mlflow+https://...);
                            the MLflow experiment is --mlflow-experiment, else
                            $MLFLOW_EXPERIMENT_NAME, else "converge"; credentials
                            only from MLFLOW_TRACKING_TOKEN or
                            MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD

Exit codes: 0 success, 1 failure (e.g. experiment not found; converge loop:
the gate did not pass), 2 usage error, 130 converge loop stopped by Ctrl-C.
Set CONVERGE_DEBUG=1 to print stack traces, NO_COLOR=1 to turn colours off.

Examples:
  $ converge list
  $ converge show exp_20260118_143022
  $ converge show ./experiments/exp_20260118_143022.jsonl --json
  $ converge import ./experiments mlflow+http://127.0.0.1:5000
  $ converge list --store mlflow+http://127.0.0.1:5000
  $ converge loop examples/python-backtest/loop.json`,
    );
  // Each register* adds a command's options and help only; its action imports the
  // module that does the work (list-action.ts, ...) when that command runs, so
  // start-up loads commander and the option definitions, not every command's code.
  registerList(program, ctx);
  registerShow(program, ctx);
  registerAnalyze(program, ctx);
  registerAdvise(program, ctx);
  registerReport(program, ctx);
  registerImport(program, ctx);
  registerExport(program, ctx);
  registerSync(program, ctx);
  registerLoop(program, ctx);
  registerWatch(program, ctx);
  return program;
}

/**
 * Runs `converge` with the arguments after the program name and returns the
 * exit code (0 success, 1 failure, 2 usage error). Errors are printed as their
 * message (which says how to fix them); the stack only with CONVERGE_DEBUG=1.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const ctx = createContext(io);
  try {
    await createProgram(io, ctx).parseAsync([...argv], { from: "user" });
    return ExitCode.Success;
  } catch (error) {
    // Commander has already printed its message (or the help / version).
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.Success : ExitCode.Usage;
    }
    // The command has said everything already (converge loop: the gate did not pass, Ctrl-C).
    if (error instanceof ExitStatus) return error.code;
    // Credentials live in the environment only; an error must never echo one.
    const message = redactSecrets(error instanceof Error ? error.message : String(error), io.env);
    ctx.err(`error: ${message}`);
    if (io.env.CONVERGE_DEBUG === "1") printDebug(error, ctx);
    if (error instanceof UsageError) {
      ctx.err("(run 'converge --help' or 'converge <command> --help' for usage)");
      return ExitCode.Usage;
    }
    return ExitCode.Failure;
  }
}

function printDebug(error: unknown, ctx: CommandContext): void {
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    ctx.err(redactSecrets(e instanceof Error ? (e.stack ?? String(e)) : String(e), ctx.io.env));
    e = e instanceof Error ? e.cause : undefined;
    if (e !== undefined) ctx.err("caused by:");
  }
}
