/** Text styles for terminal output; every one is the identity when colour is off. */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/**
 * Whether to colour a stream, following the same conventions as commander
 * (so help and tables agree): a non-empty `NO_COLOR` turns colour off, then
 * `FORCE_COLOR` (`0`/`false` off, anything else on) and `CLICOLOR_FORCE`
 * turn it on, else colour only on a TTY whose TERM is not "dumb".
 */
export function useColor(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR === "0" || env.FORCE_COLOR === "false") return false;
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

/** The SGR parameters of every style: [open, close]. */
const SGR = {
  bold: [1, 22],
  dim: [2, 22],
  green: [32, 39],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

const sgr =
  ([open, close]: readonly [number, number]) =>
  (text: string) =>
    text === "" ? text : `\u001b[${open}m${text}\u001b[${close}m`;

/**
 * Matches one of the colour codes a `Style` emits, and nothing else: the
 * output writers keep these and escape every other control character, so
 * text from records can never reach the terminal as a command.
 */
export const OWN_COLOUR_CODE = new RegExp(
  `\u001b\\[(?:${[...new Set(Object.values(SGR).flat())].join("|")})m`,
  "g",
);

const identity = (text: string) => text;

/** A `Style` that colours when `enabled`, and leaves text untouched when not. */
export function createStyle(enabled: boolean): Style {
  if (!enabled) {
    return {
      enabled,
      bold: identity,
      dim: identity,
      green: identity,
      red: identity,
      yellow: identity,
      cyan: identity,
    };
  }
  return {
    enabled,
    bold: sgr(SGR.bold),
    dim: sgr(SGR.dim),
    green: sgr(SGR.green),
    red: sgr(SGR.red),
    yellow: sgr(SGR.yellow),
    cyan: sgr(SGR.cyan),
  };
}

/** The colour of an experiment status: green for success, red for an end without it. */
export function styleStatus(style: Style, status: string): string {
  if (status === "SUCCESS") return style.green(status);
  if (status === "IN_PROGRESS") return style.yellow(status);
  return style.red(status);
}
