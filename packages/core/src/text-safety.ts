/**
 * Text from records is data written by whoever wrote the log. Before it is
 * shown, characters that would act instead of being read are made visible:
 * terminal controls (which can move the cursor, set the clipboard through
 * OSC 52, retitle the window or forge table rows with a newline) and the
 * invisible characters that reorder or hide text (bidi overrides, zero-width
 * characters), the "Trojan Source" class of CVE-2021-42574.
 */

/** Bidi embeddings, overrides, isolates and marks: they reorder how text is displayed. */
const BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069";
/** Characters that take no width: they hide text or make two names look alike. */
const ZERO_WIDTH = "\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff";
/** Line and paragraph separators: line breaks to some renderers, not to others. */
const SEPARATORS = "\u2028\u2029";

/** Matches one character that changes how surrounding text displays while being invisible itself. */
export const HIDDEN_CHARACTER = new RegExp(`[${BIDI}${ZERO_WIDTH}${SEPARATORS}]`, "gu");

// C0 controls, DEL and C1 controls, plus the hidden characters above.
const TERMINAL_UNSAFE = new RegExp(
  `[\\u0000-\\u001f\\u007f-\\u009f${BIDI}${ZERO_WIDTH}${SEPARATORS}]`,
  "gu",
);

const NAMED_ESCAPES: ReadonlyMap<string, string> = new Map([
  ["\n", "\\n"],
  ["\r", "\\r"],
  ["\t", "\\t"],
]);

/** `U+202E`: how a code point is named in marks and warnings. */
export function codePointLabel(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * `text` with every C0/C1 control, DEL, bidi control, zero-width character and
 * line separator replaced by a visible escape: `\x1b`, `\n`, `\u202e`. Safe to
 * print to a terminal and to put in one table cell. Pass `keepNewlines` for
 * multi-line text (code), where `\n` stays a line break.
 */
export function terminalSafe(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(TERMINAL_UNSAFE, (char) => {
    if (char === "\n" && options.keepNewlines === true) return char;
    const named = NAMED_ESCAPES.get(char);
    if (named !== undefined) return named;
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** The distinct hidden characters in `text` (bidi, zero-width, separators), as `U+XXXX` labels in order of first use. */
export function hiddenCharacters(text: string): string[] {
  const seen = new Set<string>();
  for (const match of text.matchAll(HIDDEN_CHARACTER)) seen.add(codePointLabel(match[0]));
  return [...seen];
}
