/**
 * Text widths for Vega's layout when there is no canvas to measure with.
 *
 * Without a canvas Vega estimates every character at 0.8 em, about 1.5 times
 * the real width of a sans-serif text: titles and labels get cut with "…"
 * long before they fill their space, and legends spread out. Vega lets a
 * user-defined `textMetrics.width` take over (vl-convert does the same);
 * this one uses Helvetica's per-character widths with a 15% margin, so that
 * wider system fonts (DejaVu Sans on Linux is the widest common one) still fit.
 */

/** Helvetica advance widths (1/1000 em) of the printable ASCII characters, from space (32) to "~" (126). */
const ASCII_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
  556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
  611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
  667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
  222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const MARGIN = 1.15;
const BOLD = 1.07;

function charWidth(code: number): number {
  if (code >= 32 && code <= 126) return ASCII_WIDTHS[code - 32] as number;
  // East Asian wide characters take a full em; anything else an average letter.
  if (code >= 0x2e80 && code <= 0xffdc) return 1000;
  if (code >= 0x1f300) return 1000;
  return 600;
}

/**
 * The estimated width in pixels of `text` in a sans-serif font.
 *
 * @param text the text (one line)
 * @param fontSize in pixels
 * @param bold whether the weight is bold (600 and up)
 * @returns the width in pixels, rounded up
 */
export function estimateTextWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) units += charWidth(ch.codePointAt(0) as number);
  return Math.ceil((units / 1000) * fontSize * MARGIN * (bold ? BOLD : 1));
}

/** The fields of a Vega text item the width depends on. */
interface TextItem {
  text?: unknown;
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}

function isBold(weight: unknown): boolean {
  if (typeof weight === "number") return weight >= 600;
  if (typeof weight === "string")
    return weight === "bold" || weight === "bolder" || Number(weight) >= 600;
  return false;
}

/**
 * A `vega.textMetrics.width` replacement: the width of one line of a text
 * item, at most the item's `limit` (Vega cuts longer text to fit it).
 *
 * @param item the text scenegraph item
 * @param line the line to measure (default the item's text)
 * @returns the width in pixels
 */
export function vegaTextWidth(item: TextItem, line?: unknown): number {
  const raw = line ?? item.text;
  const text = raw == null ? "" : Array.isArray(raw) ? raw.join(" ") : String(raw).trim();
  const size = item.fontSize == null ? 11 : Number(item.fontSize) || 0;
  if (size <= 0 || !text) return 0;
  const width = estimateTextWidth(text, size, isBold(item.fontWeight));
  return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
}
