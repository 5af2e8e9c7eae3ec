/**
 * A refiner that runs the user's own program: the `RefinerInput` goes in as
 * JSON on stdin, the proposal comes back as one JSON object on stdout.
 */
import { z } from "zod";
import { ConvergeError } from "../errors.js";
import type { Refiner, RefinerInput, RefinerProposal } from "../refiner.js";
import { describeCommand } from "./command-evaluator.js";
import {
  type CommandOptions,
  checkCommandOptions,
  commandFailure,
  runCommand,
  withLogTail,
} from "./run-command.js";

/** Options of {@link commandRefiner}: the same process rules as `commandEvaluator`. */
export type CommandRefinerOptions = CommandOptions;

/** What the command must print. */
export const CommandProposalSchema = z.object({
  parameters: z.record(z.string(), z.unknown()),
  code: z.string().optional(),
  description: z.string().optional(),
});

/** Why a refiner's answer cannot be used: the command, the cause and its stderr tail. */
function rejected(who: string, problem: string, log: string): ConvergeError {
  const fix =
    'the command must exit 0 and print one JSON object such as {"parameters": {"lookback": 30}, "description": "why"} on stdout';
  return new ConvergeError(withLogTail(`${who} ${problem}`, log, fix));
}

/** Reads a proposal from stdout, or throws naming what is wrong. */
function readProposal(who: string, stdout: string, log: string, name: string): RefinerProposal {
  let value: unknown;
  try {
    value = JSON.parse(stdout.trim());
  } catch {
    const text = stdout.trim();
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw rejected(
      who,
      `printed something that is not JSON on stdout: ${JSON.stringify(shown)}`,
      log,
    );
  }
  const parsed = CommandProposalSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (i) => `${i.path.join(".") || "(the output)"}: ${i.message}`,
    );
    throw rejected(who, `printed a proposal that does not fit: ${issues.join("; ")}`, log);
  }
  const { parameters, code, description } = parsed.data;
  return {
    parameters,
    ...(code !== undefined && { code }),
    ...(description !== undefined && { description }),
    source: name,
  };
}

/**
 * A refiner (name `command:<argv0>`) that runs `command` per refine step:
 * the `RefinerInput` as JSON on stdin (records included, `tried` as an array
 * of parameter keys), `{ "parameters": {...}, "code"?, "description"? }` on
 * stdout. A failing, hanging or garbage-printing command rejects with an
 * error naming the cause and showing the stderr tail.
 */
export function commandRefiner(options: CommandRefinerOptions): Refiner {
  checkCommandOptions("commandRefiner", options);
  const { command, timeoutMs = 600_000, maxLogBytes = 16_384 } = options;
  const name = `command:${command[0]}`;
  const who = `refiner ${describeCommand(command)}`;
  return {
    specificationVersion: "v1",
    name,
    async refine(input: RefinerInput) {
      const outcome = await runCommand({
        command,
        input: JSON.stringify({ ...input, tried: [...input.tried] }),
        timeoutMs,
        maxLogBytes,
        ...(options.cwd !== undefined && { cwd: options.cwd }),
        ...(options.env !== undefined && { env: options.env }),
        ...(options.passEnv !== undefined && { passEnv: options.passEnv }),
      });
      const failed = commandFailure(outcome, timeoutMs);
      if (failed !== null) throw rejected(who, failed, outcome.log);
      return readProposal(who, outcome.stdout, outcome.log, name);
    },
  };
}
