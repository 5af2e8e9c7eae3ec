/**
 * Escaping for user text in Markdown (CommonMark / GitHub Flavored): the text
 * renders literally — no HTML, no emphasis, no link, no table break.
 */

import { markOf, replaceMarked } from "../text-marks.js";

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const LINE_BREAK = /^[\r\u2028\u2029]$/;

/**
 * Escapes text for inline Markdown: `&`, `<`, `>` become character references
 * (so no raw HTML), the punctuation that starts emphasis, code, links,
 * strikethrough or a table cell (`\ ` * _ [ ] ~ |`) is backslash-escaped, a
 * line that would start a block (heading, list, quote, rule) is escaped at
 * its start, line breaks become `<br>` (or spaces with `breaks: "space"`),
 * and bidi, zero-width and control characters become visible `⟨U+202E⟩`
 * marks (a name cannot reorder the text around it or drive a terminal).
 */
export function escapeMarkdown(text: string, breaks: "br" | "space" = "br"): string {
  // Hidden and control characters become visible ⟨U+XXXX⟩ marks; line breaks stay breaks.
  const marked = replaceMarked(text, (c) => (LINE_BREAK.test(c) ? c : markOf(c)));
  const escaped = marked
    .replace(/[&<>]/g, (c) => HTML[c] as string)
    .replace(/[\\`*_[\]~|]/g, "\\$&")
    .replace(/^(\s*)([#+\-=])(?=[\s#+\-=]|$)/, "$1\\$2")
    .replace(/^(\s*\d{1,9})([.)])(?=\s|$)/, "$1\\$2");
  return escaped.replace(/\r\n|[\n\r\u2028\u2029]/g, breaks === "br" ? "<br>" : " ");
}

/** A table cell: {@link escapeMarkdown} with `<br>` for line breaks, never empty. */
export function cell(text: string): string {
  const out = escapeMarkdown(text).trim();
  return out === "" ? " " : out;
}
