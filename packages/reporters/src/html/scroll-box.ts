/**
 * A table in its own scroll box. The box is a labelled region that takes
 * keyboard focus (`tabindex="0"`), so a reader without a mouse can scroll it
 * with the arrow keys and a screen reader announces what it holds.
 *
 * Two kinds: a text table (`fit`) takes the width of the page and wraps its
 * text, so it never needs to scroll at a desktop width (on a phone it still
 * may, inside its box); the per-iteration data table (`wide`) keeps one line
 * per value and scrolls sideways inside its box.
 */
import { escapeAttr } from "./escape.js";

/** Options of {@link scrollBox}. */
export interface ScrollBoxOptions {
  /** The region's accessible name (plain text, escaped here), e.g. "Metric trends". */
  label: string;
  /** `fit`: a text table that wraps to the page width; `wide`: a data table that scrolls. */
  kind: "fit" | "wide";
  /** No height limit (short tables); the wide table's box is at most 75% of the viewport tall. */
  short?: boolean;
}

/**
 * The attributes of any box that scrolls (a table's, a code block's): a
 * region named `label` (plain text, escaped here) that takes keyboard focus.
 */
export function regionAttributes(label: string): string {
  return ` role="region" tabindex="0" aria-label="${escapeAttr(label)}"`;
}

const REGION_NAME = / role="region" tabindex="0" aria-label="([^"]*)"/g;

/**
 * Makes the region names of one experiment's markup distinct from another's
 * in the same document (a comparison): each name gets `suffix`, e.g.
 * "Metric trends" → "Metric trends · experiment 2". Names are escaped
 * attribute values, so they hold no `"`.
 */
export function suffixRegionNames(html: string, suffix: string): string {
  const tail = escapeAttr(suffix);
  return html.replace(
    REGION_NAME,
    (_, name: string) => ` role="region" tabindex="0" aria-label="${name}${tail}"`,
  );
}

/** Wraps `table` (markup) in a focusable, labelled scroll box. */
export function scrollBox(table: string, options: ScrollBoxOptions): string {
  const classes = ["table-wrap", options.kind, ...(options.short ? ["short"] : [])].join(" ");
  return `<div class="${classes}"${regionAttributes(options.label)}>${table}</div>`;
}
