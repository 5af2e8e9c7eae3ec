/**
 * Hidden characters in the HTML report: each bidi control, zero-width
 * character or control character in code, diffs and names becomes a visible,
 * marked element, `<span class="hidden-char" title="U+202E">⟨U+202E⟩</span>`,
 * and a code block that has any gets a warning line above it, as code hosts
 * do against "Trojan Source" (CVE-2021-42574).
 */
import { codePointLabel } from "@converge/core";
import { hiddenCharacterWarning, markHidden, replaceMarked } from "../text-marks.js";
import { escapeHtml } from "./escape.js";

function markSpan(char: string): string {
  const label = codePointLabel(char);
  return `<span class="hidden-char" title="${label}">⟨${label}⟩</span>`;
}

/**
 * Escaped HTML text with each hidden or control character (tab and line
 * breaks kept, unless `oneLine`) replaced by a marked element. Apply it after
 * `escapeHtml`, which leaves these characters as they are.
 */
export function markHiddenHtml(escaped: string, options: { oneLine?: boolean } = {}): string {
  return replaceMarked(escaped, markSpan, options);
}

/** Code as HTML text: escaped, with hidden and control characters marked. */
export function codeHtml(code: string): string {
  return markHiddenHtml(escapeHtml(code));
}

/**
 * The warning line above a code block or diff showing `text`, or "" when it
 * has no hidden or control character.
 */
export function hiddenWarningHtml(text: string): string {
  const warning = hiddenCharacterWarning(text);
  return warning === null
    ? ""
    : `<p class="hidden-warning" role="note">⚠ ${escapeHtml(warning)}</p>`;
}

/**
 * A user name (metric, parameter, strategy) as HTML: escaped, hidden and
 * control characters marked, inside `<bdi>` so that no bidi character in it
 * reorders the text around it.
 */
export function nameHtml(name: string): string {
  return `<bdi>${markHiddenHtml(escapeHtml(name), { oneLine: true })}</bdi>`;
}

/** A user name for an attribute value (`title="…"`): escaped, hidden and control characters as plain `⟨U+XXXX⟩`. */
export function nameAttr(name: string): string {
  return escapeHtml(markHidden(name, { oneLine: true }));
}
