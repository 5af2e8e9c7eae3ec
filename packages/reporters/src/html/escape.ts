/**
 * Escaping for every place a user-provided string can land in a report: HTML
 * text, a double-quoted HTML attribute, inline JSON inside a `<script>` data
 * block. One module, so every renderer uses the same rules.
 */
import { ConvergeError } from "@converge/core";
import { ReportInputError } from "../errors.js";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const HTML_SPECIAL = /[&<>"']/g;
const HTML_SPECIAL_TEST = /[&<>"']/;

/**
 * Escapes a string for HTML text content (including `<title>` and `<textarea>`)
 * and for double- or single-quoted attribute values: `&`, `<`, `>`, `"`, `'`
 * become character references. Anything else (U+2028, control characters)
 * is inert in HTML text and passes through unchanged.
 */
export function escapeHtml(value: string): string {
  return HTML_SPECIAL_TEST.test(value)
    ? value.replace(HTML_SPECIAL, (c) => HTML_ESCAPES[c] as string)
    : value;
}

/**
 * Escapes a string for a double-quoted attribute value (`attr="..."`). The
 * same rules as {@link escapeHtml}; a separate name so call sites say which
 * context they are in. Never use it to build a URL attribute from user data:
 * reports contain no user-controlled URLs at all.
 */
export function escapeAttr(value: string): string {
  return escapeHtml(value);
}

const JSON_SCRIPT_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};
const JSON_SCRIPT_SPECIAL = /[<>&\u2028\u2029]/g;

/**
 * JSON text safe to place inside a `<script>` element (of any type): `<`,
 * `>`, `&`, U+2028 and U+2029 become `\u003c`, `\u003e`, `\u0026`, `\u2028`,
 * `\u2029`, so no `</script`, `<!--` or line terminator can end or change the
 * element, and `JSON.parse(element.textContent)` gives the value back.
 * Non-finite numbers become `null`, as in `JSON.stringify`.
 *
 * @throws ReportInputError when the value has no JSON form (undefined, a function, a symbol)
 * @throws TypeError (from `JSON.stringify`) when it cannot be serialised (a cycle, a BigInt)
 */
export function jsonForScript(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new ReportInputError(
      "jsonForScript: the value has no JSON form (undefined, a function or a symbol); pass a plain object, array, string, number, boolean or null",
    );
  }
  return text.replace(JSON_SCRIPT_SPECIAL, (c) => JSON_SCRIPT_ESCAPES[c] as string);
}

/**
 * Makes JavaScript source (a vendored bundle) safe to inline in a `<script>`
 * element: `</script` and `<!--` only ever occur inside string literals,
 * template literals, regular expressions or comments of minified bundles,
 * where `<\/script` and `<\x21--` mean the same thing.
 *
 * @throws ConvergeError when the result would still contain a sequence that ends or
 *   changes the script element (it never should; the message says what to do).
 */
export function scriptSafeSource(source: string): string {
  const out = source.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\x21--");
  if (/<\/script|<!--/i.test(out)) {
    throw new ConvergeError(
      "scriptSafeSource: the bundle still contains '</script' or '<!--' after escaping; report it as a bug in @converge/reporters",
    );
  }
  return out;
}
