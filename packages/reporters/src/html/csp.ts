/**
 * The report's Content-Security-Policy, delivered in a
 * `<meta http-equiv="Content-Security-Policy">` so it travels with the file.
 *
 * Static build: `default-src 'none'; style-src 'sha256-<stylesheet>'; img-src
 * data:; base-uri 'none'; form-action 'none'` (no `script-src`, so no script of
 * any kind runs). When an inline SVG carries `style` attributes, their hashes
 * are allowed with `'unsafe-hashes'` (vega's SVG normally has none).
 * Interactive build: the same plus `script-src` with the hashes of the inlined
 * vega, vega-lite and vega-embed bundles and of the embedding script; vega
 * evaluates expressions with its CSP-safe interpreter (`ast: true`), so no
 * `'unsafe-eval'` is needed.
 * Live build (`converge watch`): the static policy plus `script-src` with the
 * live script's hash and `connect-src 'self'`.
 */
import { createHash } from "node:crypto";

/** The CSP source for an inline element's exact text: `'sha256-<base64>'`. */
export function cspHash(content: string): string {
  return `'sha256-${createHash("sha256").update(content, "utf8").digest("base64")}'`;
}

/** What the policy must allow. */
export interface CspInput {
  /** Text of each inline `<style>` element. */
  styles: readonly string[];
  /** Values of `style="..."` attributes (decoded), allowed by hash with 'unsafe-hashes'. */
  styleAttributes?: readonly string[];
  /** Text of each inline executable `<script>` element; none means no script-src at all. */
  scripts?: readonly string[];
  /** Adds `connect-src 'self'` (the live build's event stream and fetches to the server that served it). */
  connectSelf?: boolean;
}

/** Builds the policy text (a meta tag's `content`). */
export function contentSecurityPolicy(input: CspInput): string {
  const styleSources = [...new Set(input.styles.map(cspHash))];
  const attributes = [...new Set(input.styleAttributes ?? [])];
  if (attributes.length > 0) styleSources.push("'unsafe-hashes'", ...attributes.map(cspHash));
  const directives = [
    "default-src 'none'",
    `style-src ${styleSources.join(" ")}`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ];
  if (input.connectSelf) directives.push("connect-src 'self'");
  const scripts = input.scripts ?? [];
  if (scripts.length > 0)
    directives.push(`script-src ${[...new Set(scripts.map(cspHash))].join(" ")}`);
  return directives.join("; ");
}
