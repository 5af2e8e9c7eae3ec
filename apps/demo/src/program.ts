/**
 * The demo's command line: its options, its help, and `main`, which runs the
 * demo for an argument list and resolves to the exit code. `bin.ts` runs it
 * as the `converge-demo` executable; tests call `main` directly.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { DEFAULT_MAX_ITERATIONS, DEFAULT_SEED, runDemo } from "./demo.js";
import type { OutputStream } from "./progress.js";
import { ADVISOR_CHOICES, type AdvisorChoice, DemoUsageError, wholeNumber } from "./setup.js";

/** What `main` reads and writes. */
export interface MainIo {
  stdout?: OutputStream;
  stderr?: OutputStream;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

interface CliOptions {
  seed: number;
  store?: string;
  maxIterations: number;
  advisor?: AdvisorChoice;
  model?: string;
  report?: string;
  quiet?: boolean;
}

const parseWith =
  (name: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  (text: string) => {
    try {
      const n = wholeNumber(name, text, min);
      if (n > max) throw new DemoUsageError(`${name} must be at most ${max}, got ${n}.`);
      return n;
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
  };

/** The demo's command line. */
export function createProgram(io: Required<Pick<MainIo, "stdout" | "stderr">>): Command {
  return new Command("converge-demo")
    .description(
      "Tune a momentum strategy on a seeded simulated market with a Converge gate loop, then write an HTML report.",
    )
    .addOption(
      new Option("--seed <n>", "market and tuner seed: the same seed gives the same run")
        .argParser(parseWith("--seed", 0, 0xffffffff))
        .default(DEFAULT_SEED),
    )
    .option(
      "--store <uri>",
      "jsonl:DIR, a directory, or mlflow+http(s)://HOST:PORT (default: $CONVERGE_STORE, else mlflow+$MLFLOW_TRACKING_URI, else jsonl:./experiments)",
    )
    .addOption(
      new Option("--max-iterations <n>", "iterations before the loop gives up")
        .argParser(parseWith("--max-iterations", 1, 1000))
        .default(DEFAULT_MAX_ITERATIONS),
    )
    .addOption(
      new Option(
        "--advisor <name>",
        "who advises (default: openai with OPENAI_API_KEY, anthropic with ANTHROPIC_API_KEY, else rule)",
      ).choices(ADVISOR_CHOICES),
    )
    .option("--model <id>", "the LLM's model (default gpt-4.1 / claude-sonnet-5-5)")
    .option(
      "--report <path>",
      "where to write the HTML report (default: <dir>/<experiment_id>.html beside a JSONL log, ./<experiment_id>.html for MLflow)",
    )
    .option("--quiet", "print only the summary")
    .helpOption("-h, --help", "show this help")
    .addHelpText(
      "after",
      `
Exit code: 0 when the gate passed (SUCCESS); 1 otherwise (PIVOT_TO_RESEARCH,
ABANDONED, MAX_ITERATIONS, BUDGET_EXHAUSTED, FAILED, or an error).

Examples:
  $ node apps/demo/dist/bin.js                            # seed ${DEFAULT_SEED}: passes the gate
  $ node apps/demo/dist/bin.js --seed 3                   # a sideways market: the advisor pivots
  $ node apps/demo/dist/bin.js --seed 79                  # a choppy, falling market: it abandons
  $ node apps/demo/dist/bin.js --store jsonl:/tmp/runs --report /tmp/runs/review.html
  $ node apps/demo/dist/bin.js --store mlflow+http://127.0.0.1:5000
  $ OPENAI_API_KEY=... node apps/demo/dist/bin.js --advisor openai --model gpt-4.1-mini`,
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError("(run with --help for usage)");
}

/** Runs the demo as a program; resolves to the exit code (0: SUCCESS, 1: anything else). */
export async function main(argv: readonly string[], io: MainIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  try {
    const program = createProgram({ stdout, stderr });
    program.parse([...argv], { from: "user" });
    const o = program.opts<CliOptions>();
    const result = await runDemo({
      seed: o.seed,
      maxIterations: o.maxIterations,
      ...(o.store !== undefined && { store: o.store }),
      ...(o.advisor !== undefined && { advisor: o.advisor }),
      ...(o.model !== undefined && { model: o.model }),
      ...(o.report !== undefined && { report: o.report }),
      quiet: o.quiet === true,
      env,
      cwd: io.cwd ?? process.cwd(),
      stdout,
      stderr,
    });
    return result.loop.summary.status === "SUCCESS" ? 0 : 1;
  } catch (error) {
    // Commander has printed its own message (or the help).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (env.CONVERGE_DEBUG === "1") stderr.write(`${String((error as Error)?.stack)}\n`);
    return 1;
  }
}
