/**
 * The last step before text reaches a terminal or a pipe. Everything the CLI
 * prints can quote records, metas, file names and advisor answers, which are
 * data written by someone else: a control character in them could set the
 * clipboard (OSC 52), retitle the window, clear the screen or forge a table
 * row. Renderers escape data with `terminalSafe` where they use it; these
 * functions are the net under them, at the writers in context.ts.
 */
import { HIDDEN_CHARACTER, terminalSafe } from "@converge/core";
import { OWN_COLOUR_CODE } from "./style.js";

/** How `safeOutput` treats the CLI's own formatting. */
export interface SafeOutputOptions {
  /** Keep the colour codes a `Style` emits (only when colour is on for the stream). */
  colour: boolean;
  /** Keep line breaks (stderr messages span lines; a stdout line never does). */
  keepNewlines?: boolean;
}

/**
 * `text` with every C0/C1 control, DEL, bidi control and zero-width character
 * escaped visibly (`\x1b`, `\n`, `\u202e`), except, when `colour` is on, the
 * exact colour codes the CLI's `Style` emits. Idempotent: escaped text has
 * nothing left to escape.
 */
export function safeOutput(text: string, options: SafeOutputOptions): string {
  const keep = { keepNewlines: options.keepNewlines === true };
  if (!options.colour || !text.includes("\u001b")) return terminalSafe(text, keep);
  let out = "";
  let from = 0;
  for (const match of text.matchAll(OWN_COLOUR_CODE)) {
    out += terminalSafe(text.slice(from, match.index), keep) + match[0];
    from = match.index + match[0].length;
  }
  return out + terminalSafe(text.slice(from), keep);
}

// JSON.stringify escapes C0 controls inside strings but leaves DEL, the C1
// controls and the invisible characters (bidi, zero-width, U+2028/U+2029)
// raw. Outside strings JSON text has only spaces and line breaks, so every
// match is inside a string, where `\uXXXX` means the same character.
const JSON_UNSAFE = new RegExp(
  `[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f]|${HIDDEN_CHARACTER.source}`,
  "gu",
);

/**
 * JSON text with every control and invisible character written as a `\uXXXX`
 * escape: the same JSON value, safe to print to a terminal. Line breaks of
 * pretty-printed JSON are kept.
 */
export function jsonSafe(json: string): string {
  return json.replace(
    JSON_UNSAFE,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
  );
}

/** The largest of `values` (`fallback` for none), without spreading them into arguments. */
export function maxOf(values: Iterable<number>, fallback = 0): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > max) max = v;
  return max === Number.NEGATIVE_INFINITY ? fallback : max;
}

/** Appends `items` to `target` one by one: `push(...items)` overflows the stack for long lists. */
export function append<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
