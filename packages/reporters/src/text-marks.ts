/**
 * Characters in record text that act instead of being read: bidi controls and
 * zero-width characters reorder or hide text ("Trojan Source",
 * CVE-2021-42574), control characters drive terminals. The reports show each
 * one as a visible mark, `⟨U+202E⟩`, the way code hosts do, and say so above
 * a code block that has them. Core's `HIDDEN_CHARACTER` list is the one
 * definition of "hidden".
 */
import { codePointLabel, HIDDEN_CHARACTER } from "@converge/core";

/** `\uXXXX-\uYYYY` for a regular expression's character class. */
const range = (from: number, to: number) =>
  `\\u${from.toString(16).padStart(4, "0")}-\\u${to.toString(16).padStart(4, "0")}`;
// Built from ranges, as core does: these patterns match control characters on purpose.
/** C0/C1 controls and DEL, except tab, line feed and the CR of a CRLF (code keeps its lines). */
const CODE_CONTROL = new RegExp(
  `[${range(0x00, 0x08)}${range(0x0b, 0x0c)}${range(0x0e, 0x1f)}${range(0x7f, 0x9f)}]|\\r(?!\\n)`,
  "gu",
);
/** Every C0/C1 control and DEL: a one-line label shows tab and line breaks as marks too. */
const ANY_CONTROL = new RegExp(`[${range(0x00, 0x1f)}${range(0x7f, 0x9f)}]`, "gu");

/** `⟨U+202E⟩`: how a marked character reads. */
export function markOf(char: string): string {
  return `⟨${codePointLabel(char)}⟩`;
}

/**
 * Applies `replace` to every hidden character (core's `HIDDEN_CHARACTER`)
 * and control character in `text`; `oneLine` marks tab and line breaks too.
 */
export function replaceMarked(
  text: string,
  replace: (char: string) => string,
  options: { oneLine?: boolean } = {},
): string {
  const controls = options.oneLine === true ? ANY_CONTROL : CODE_CONTROL;
  return text.replace(HIDDEN_CHARACTER, replace).replace(controls, replace);
}

/**
 * `text` with each hidden or control character replaced by its visible mark
 * (`a\u202Eb` → `a⟨U+202E⟩b`); tab and line feed stay unless `oneLine`.
 */
export function markHidden(text: string, options: { oneLine?: boolean } = {}): string {
  return replaceMarked(text, markOf, options);
}

/** The distinct characters {@link markHidden} would mark in code, as `U+XXXX` labels in order of first use. */
export function markedCharacters(text: string): string[] {
  const seen = new Set<string>();
  replaceMarked(text, (char) => {
    seen.add(codePointLabel(char));
    return char;
  });
  return [...seen];
}

/**
 * The one-line warning shown above a code block or diff that contains
 * hidden or control characters, or null when it has none.
 */
export function hiddenCharacterWarning(text: string): string | null {
  const labels = markedCharacters(text);
  if (labels.length === 0) return null;
  return `This code contains bidirectional or invisible Unicode characters: ${labels.join(", ")}`;
}
