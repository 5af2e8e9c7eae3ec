/**
 * Server-side rendering of a Vega-Lite spec to SVG text: no canvas package,
 * no browser. Vega's headless view estimates text widths without a canvas.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { ReportInputError } from "../errors.js";
import { vegaTextWidth } from "./text-width.js";

type TextWidth = (item: object, text?: unknown) => number;
/**
 * Vega's text measurer: not in its type declarations, but a documented hook
 * (vl-convert sets it too). Without a canvas Vega's own estimate is ~1.5x too
 * wide and cuts titles short; ours is per character (see text-width.ts).
 */
const textMetrics = (vega as unknown as { textMetrics?: { width: TextWidth } }).textMetrics;

export interface RenderSvgOptions {
  /** Receives Vega-Lite's and Vega's warnings (default: dropped). */
  onWarning?: (message: string) => void;
}

/** A loader that refuses every URL: chart data is inline, and a report must not fetch. */
const NO_LOADER: vega.Loader = {
  load: (uri) =>
    Promise.reject(new ReportInputError(`charts load no external data (asked for ${uri})`)),
  sanitize: (uri) =>
    Promise.reject(new ReportInputError(`charts load no external data (asked for ${uri})`)),
  http: (uri) =>
    Promise.reject(new ReportInputError(`charts make no HTTP request (asked for ${uri})`)),
  file: (name) => Promise.reject(new ReportInputError(`charts read no file (asked for ${name})`)),
};

function logger(onWarning: ((message: string) => void) | undefined) {
  return vega.logger(vega.Warn, "warn", (_method, _level, args) => {
    onWarning?.(args.map((a) => (a instanceof Error ? a.message : String(a))).join(" "));
  });
}

/**
 * Applies `edit` to every tag of an SVG and to nothing else: text nodes have
 * their "<" escaped by Vega, so user text never looks like a tag.
 */
function inTags(svg: string, edit: (tag: string) => string): string {
  return svg.replace(/<[^>]+>/g, edit);
}

/**
 * Drops anything in an SVG that could make a viewer load something: `href`
 * attributes other than in-document `#` references (image marks would carry
 * one), attribute values `url(...)` pointing outside the document, and the
 * xlink namespace declaration that only such links use. Text is untouched.
 */
export function stripExternalReferences(svg: string): string {
  return inTags(svg, (tag) =>
    tag
      .replace(/\s(?:xlink:)?href="(?!#)[^"]*"/g, "")
      .replace(/\sxmlns:xlink="[^"]*"/g, "")
      .replace(/="url\((?!#)[^)"]*\)"/g, '="none"'),
  );
}

const LONG_NUMBER = /-?\d+\.\d{3,}(?:e-?\d+)?/g;
const round2 = (n: string) => String(Math.round(Number(n) * 100) / 100);

/**
 * Rounds the coordinates of `transform` attributes to 1/100 px (Vega writes
 * them with 15 digits, e.g. 30.00000000000003): about a quarter of a dense
 * scatter's SVG, invisible.
 */
export function compactSvg(svg: string): string {
  return inTags(svg, (tag) =>
    tag.replace(/\stransform="[^"]*"/g, (attr) => attr.replace(LONG_NUMBER, round2)),
  );
}

/**
 * Renders a Vega-Lite spec to a standalone SVG document: `vegaLite.compile`
 * → `vega.parse` → a headless `vega.View` (`renderer: "none"`) → `toSVG()`.
 * The view is finalized afterwards; external loads are refused; text from
 * the spec (titles, labels, data) comes out XML-escaped by Vega.
 *
 * @param spec a Vega-Lite spec with inline data
 * @param options where warnings go
 * @returns the SVG markup, with no reference to anything outside itself
 */
export async function renderSvg(
  spec: TopLevelSpec,
  options: RenderSvgOptions = {},
): Promise<string> {
  if (textMetrics && textMetrics.width !== vegaTextWidth)
    textMetrics.width = vegaTextWidth as TextWidth;
  const log = logger(options.onWarning);
  const compiled = compile(spec, { logger: log }).spec;
  const view = new vega.View(vega.parse(compiled), {
    renderer: "none",
    loader: NO_LOADER,
    logger: log,
    logLevel: vega.Warn,
  });
  try {
    return compactSvg(stripExternalReferences(await view.toSVG()));
  } finally {
    view.finalize();
  }
}
