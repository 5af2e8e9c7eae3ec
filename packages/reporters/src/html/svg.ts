/**
 * Prepares an SVG document (as vega's `toSVG()` writes it) for inlining in an
 * HTML page: no XML prolog, no namespace URLs (the HTML parser puts `<svg>`
 * in the SVG namespace by itself), ids prefixed so several charts on one page
 * do not share `clip1`, and a refusal of anything executable.
 */
import { ConvergeError } from "@converge/core";
import { escapeAttr } from "./escape.js";

/** Thrown when an SVG contains something a report must never inline. */
export class UnsafeSvgError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<UnsafeSvgError>(
    "converge.error.unsafe-svg",
  );
  /** What was found, e.g. "a <script> element". */
  readonly found: string;

  constructor({ found }: { found: string }) {
    super(
      `refusing to inline a chart SVG that contains ${found}; chart SVGs come from vega and never should: report it as a bug in @converge/reporters`,
    );
    this.name = "UnsafeSvgError";
    this.found = found;
  }
}

const TAG =
  /<([A-Za-z][\w:-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
const FORBIDDEN_ELEMENTS = new Set(["script", "foreignobject", "iframe", "object", "embed"]);
const URL_ATTRIBUTES = new Set(["href", "xlink:href", "src", "action", "formaction"]);

/** Decodes the character references vega writes in attribute values. */
export function decodeAttribute(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, name: string) => {
    const map: Record<string, string> = {
      amp: "&",
      lt: "<",
      gt: ">",
      quot: '"',
      "#39": "'",
      apos: "'",
    };
    return map[name] as string;
  });
}

/** The result of {@link inlineSvg}. */
export interface InlinedSvg {
  /** Markup to place in the page. */
  markup: string;
  /** Decoded values of `style` attributes (for the CSP). */
  styleAttributes: string[];
}

/**
 * Rewrites one SVG for inlining with ids in the namespace `prefix`; `label`
 * (plain text, escaped here) becomes the root's accessible name.
 *
 * @throws UnsafeSvgError when the SVG has a script, a foreignObject, an event
 *   handler attribute, or a link/source attribute other than a reference to
 *   an id inside the same SVG (a report has no URLs).
 */
export function inlineSvg(svg: string, prefix: string, label?: string): InlinedSvg {
  const start = svg.indexOf("<svg");
  if (start < 0) throw new UnsafeSvgError({ found: "no <svg> element" });
  const body = svg.slice(start).replace(/<!--[\s\S]*?-->/g, "");
  const styleAttributes: string[] = [];
  const ids = new Set<string>();
  body.replace(/\sid="([^"]+)"/g, (_, id: string) => {
    ids.add(id);
    return "";
  });
  const fixRefs = (value: string) =>
    value.replace(/url\(\s*#([^)\s]+)\s*\)/g, (whole, id: string) =>
      ids.has(id) ? `url(#${prefix}${id})` : whole,
    );
  let root = true;
  const markup = body.replace(TAG, (_whole, name: string, attrs: string, selfClose: string) => {
    if (FORBIDDEN_ELEMENTS.has(name.toLowerCase()))
      throw new UnsafeSvgError({ found: `a <${name}> element` });
    let out = `<${name}`;
    for (const m of attrs.matchAll(ATTRIBUTE)) {
      const attr = m[1] as string;
      const lower = attr.toLowerCase();
      const raw = m[2] ?? m[3] ?? m[4] ?? "";
      if (lower.startsWith("on")) throw new UnsafeSvgError({ found: `an event handler (${attr})` });
      if (URL_ATTRIBUTES.has(lower)) {
        const target = raw.startsWith("#") ? raw.slice(1) : undefined;
        if (
          target === undefined ||
          !ids.has(target) ||
          lower === "src" ||
          lower.includes("action")
        ) {
          throw new UnsafeSvgError({ found: `a link attribute (${attr})` });
        }
        out += ` ${attr}="#${prefix}${target.replace(/"/g, "&quot;")}"`;
        continue;
      }
      if (lower === "xmlns" || lower.startsWith("xmlns:")) continue;
      if (root && (lower === "version" || lower === "aria-label" || lower === "role")) continue;
      let value = raw;
      if (lower === "id") value = `${prefix}${raw}`;
      else value = fixRefs(raw);
      if (lower === "style") styleAttributes.push(decodeAttribute(value));
      out += ` ${attr}="${value.replace(/"/g, "&quot;")}"`;
    }
    if (root) {
      out += ' role="img"';
      if (label !== undefined) out += ` aria-label="${escapeAttr(label)}"`;
      root = false;
    }
    return `${out}${selfClose ? "/" : ""}>`;
  });
  return { markup, styleAttributes };
}
