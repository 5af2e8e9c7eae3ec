/** Test helpers: run `main` in-process with a captured io, and hostile text to feed it. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CliIo } from "../context.js";
import { main } from "../program.js";

/** An io whose stdout and stderr are kept as text. */
export interface CapturedIo extends CliIo {
  /** Everything written to stdout so far. */
  stdout: CliIo["stdout"] & { text(): string };
  stderr: CliIo["stderr"] & { text(): string };
}

/** A stream that keeps what is written; `isTTY` as given. */
function sink(isTTY: boolean): CapturedIo["stdout"] {
  const chunks: string[] = [];
  return {
    isTTY,
    write(text: string) {
      chunks.push(text);
      return true;
    },
    text: () => chunks.join(""),
  };
}

/** A captured io in `cwd`; `env` is the whole environment (nothing from the process). */
export function captureIo(
  cwd: string,
  options: { env?: NodeJS.ProcessEnv; tty?: boolean } = {},
): CapturedIo {
  const tty = options.tty === true;
  return { stdout: sink(tty), stderr: sink(tty), env: options.env ?? {}, cwd };
}

/** What one in-process run gave. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `converge ...args` in-process through `main`. */
export async function runMain(
  args: readonly string[],
  cwd: string,
  options: { env?: NodeJS.ProcessEnv; tty?: boolean } = {},
): Promise<RunResult> {
  const io = captureIo(cwd, options);
  const code = await main(args, io);
  return { code, stdout: io.stdout.text(), stderr: io.stderr.text() };
}

const ESC = "\u001b";
// As regular-expression source: C0 controls but the line feed, DEL, C1 controls.
const CONTROLS = "\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f";

/** An OSC 52 clipboard write ("hacked" in base64), ended by BEL. */
export const OSC52 = "\u001b]52;c;aGFja2Vk\u0007";
/** An OSC 0 window title. */
export const TITLE = "\u001b]0;pwned\u0007";
/** Clear screen. */
export const CLEAR = "\u001b[2J";
/** RIGHT-TO-LEFT OVERRIDE. */
export const RLO = "\u202e";
/** ZERO WIDTH SPACE. */
export const ZWSP = "\u200b";

/** How each hostile piece is shown once escaped by `terminalSafe`. */
export const ESCAPED = {
  osc52: String.raw`\x1b]52;c;aGFja2Vk\x07`,
  title: String.raw`\x1b]0;pwned\x07`,
  clear: String.raw`\x1b[2J`,
  cr: String.raw`\r`,
  newline: String.raw`\n`,
  rlo: String.raw`\u202e`,
  zwsp: String.raw`\u200b`,
} as const;

/**
 * Any character that must not reach a terminal raw: C0 controls but the line
 * feed, DEL, C1 controls, bidi controls, zero-width characters, U+2028/9.
 */
export const RAW_UNSAFE = new RegExp(
  `[${CONTROLS}\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2028\\u2029\\u2060-\\u2069\\ufeff]`,
  "u",
);

const SGR = new RegExp(`${ESC}\\[\\d+m`, "g");

/** The text with every SGR colour sequence (ESC [ digits m) removed. */
export const withoutColour = (text: string): string => text.replace(SGR, "");

/** The metric and parameter names of the hostile experiment. */
export const HOSTILE_METRIC = `sharpe${TITLE}`;
export const HOSTILE_PARAM = `size${RLO}`;

/**
 * Writes `exp_hostile.jsonl` into `dir` (a real file, lines written
 * directly): control sequences and invisible characters in the directive,
 * names, values, actions and changes; an action with a newline that would
 * forge a table row for iteration 99.
 */
export function writeHostileLog(dir: string): string {
  const file = join(dir, "exp_hostile.jsonl");
  const records = [0.4, 0.5, 0.6, 0.7].map((score, i) => ({
    experiment_id: "exp_hostile",
    iteration: i + 1,
    timestamp: `2026-02-01T10:0${i}:00Z`,
    research_directive: `Find ${OSC52}alpha${TITLE}${CLEAR}\rbeta${RLO}gamma${ZWSP}`,
    parameters: { [HOSTILE_PARAM]: `big${CLEAR}${i}`, plain: i },
    metrics: { [HOSTILE_METRIC]: score, plain_metric: i },
    gate_passed: false,
    gate_score: score,
    failed_criteria: [{ metric: `sharpe${OSC52}` }],
    action_taken: i === 0 ? "TUNE\n  99  1.000  yes  FORGED" : `TUNE\r${ZWSP}`,
    parameter_changes:
      i === 0 ? {} : { [HOSTILE_PARAM]: { from: `big${CLEAR}${i - 1}`, to: `big${CLEAR}${i}` } },
  }));
  writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  return file;
}
