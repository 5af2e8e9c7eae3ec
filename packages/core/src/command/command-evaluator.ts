/**
 * An evaluator that runs the user's own program (a Python backtest, an eval
 * suite) once per iteration: the strategy goes in as JSON on stdin, the
 * metrics come back as one JSON object on stdout.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { StrategyLike } from "../contracts.js";
import { EvaluationError } from "../errors.js";
import type { EvaluationContext, EvaluationOutput } from "../gate-loop-evaluation.js";
import {
  type CommandOptions,
  checkCommandOptions,
  commandFailure,
  runCommand,
  withLogTail,
} from "./run-command.js";

/** Options of {@link commandEvaluator}. */
export type CommandEvaluatorOptions = CommandOptions;

/** What the command is given on stdin. */
export interface EvaluatorInput {
  experiment_id: string;
  iteration: number;
  strategy: {
    name: string;
    parameters: Record<string, unknown>;
    /** A temporary file holding `strategy.code`, or null without code. */
    code_path: string | null;
  };
}

const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
};

const MetricsOutputSchema = z.record(
  z.string().min(1, "metric names cannot be empty"),
  z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity"])], {
    error: (issue) =>
      `must be a number (non-finite as "NaN", "Infinity" or "-Infinity"), got ${JSON.stringify(issue.input)}`,
  }),
);

/**
 * Reads the metrics from a command's stdout: one JSON object of numbers.
 * Returns them, or the reason they cannot be read.
 */
export function parseMetricsOutput(
  stdout: string,
): { metrics: Record<string, number> } | { problem: string } {
  const text = stdout.trim();
  if (text === "") return { problem: "printed nothing on stdout (expected one JSON object)" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    return { problem: `printed something that is not JSON on stdout: ${JSON.stringify(shown)}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const kind = Array.isArray(value) ? "an array" : value === null ? "null" : typeof value;
    return { problem: `printed ${kind} on stdout, not an object of metric name -> number` };
  }
  const parsed = MetricsOutputSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.map(String).join(".") ?? "";
    return {
      problem: `printed metrics that are not all numbers: "${name}" ${issue?.message ?? "is invalid"}`,
    };
  }
  const metrics: Record<string, number> = {};
  for (const [name, v] of Object.entries(parsed.data)) {
    metrics[name] = typeof v === "number" ? v : (NON_FINITE[v] as number);
  }
  return { metrics };
}

/** A short name for a command in messages: its argv as JSON. */
export function describeCommand(command: readonly string[]): string {
  return JSON.stringify(command);
}

/**
 * An evaluator for `runGateLoop`'s `backtest` that runs `command` per
 * iteration. Its stderr becomes the record's `evaluator_log`; a command that
 * fails, hangs or prints anything but one JSON object of numbers throws an
 * `EvaluationError` naming the cause, with the stderr tail in `log` and in
 * the message's last lines.
 */
export function commandEvaluator(
  options: CommandEvaluatorOptions,
): (
  strategy: StrategyLike,
  context: EvaluationContext,
) => Promise<EvaluationOutput & { log: string }> {
  checkCommandOptions("commandEvaluator", options);
  const { command, timeoutMs = 600_000, maxLogBytes = 16_384 } = options;
  const who = `evaluator ${describeCommand(command)}`;
  return async (strategy, context) => {
    const dir = await mkdtemp(join(tmpdir(), "converge-eval-"));
    try {
      let codePath: string | null = null;
      if (typeof strategy.code === "string" && strategy.code !== "") {
        codePath = join(dir, "strategy_code");
        await writeFile(codePath, strategy.code, "utf8");
      }
      const input: EvaluatorInput = {
        experiment_id: context.experimentId,
        iteration: context.iteration,
        strategy: { name: strategy.name, parameters: strategy.parameters, code_path: codePath },
      };
      const outcome = await runCommand({
        command,
        input: JSON.stringify(input),
        timeoutMs,
        maxLogBytes,
        ...(options.cwd !== undefined && { cwd: options.cwd }),
        ...(options.env !== undefined && { env: options.env }),
        ...(options.passEnv !== undefined && { passEnv: options.passEnv }),
        ...(context.signal !== undefined && { signal: context.signal }),
      });
      const failed = commandFailure(outcome, timeoutMs);
      const read = failed === null ? parseMetricsOutput(outcome.stdout) : { problem: failed };
      if ("problem" in read) {
        const fix = outcome.timedOut
          ? "make the evaluation faster or raise timeoutMs"
          : 'the command must exit 0 and print one JSON object such as {"sharpe_ratio": 1.2} on stdout (logs go to stderr)';
        // The fix goes before the stderr tail (no `hint`): the tail stays the message's last lines.
        throw new EvaluationError(withLogTail(`${who} ${read.problem}`, outcome.log, fix), {
          log: outcome.log,
        });
      }
      return { metrics: read.metrics, log: outcome.log };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
