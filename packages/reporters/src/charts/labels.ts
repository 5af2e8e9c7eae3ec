/**
 * User text (metric, parameter and criterion names, categorical levels) in a
 * chart spec. Vega-Lite splices encoding titles into expressions (tooltips,
 * the marks' ARIA descriptions) escaping only `"`, so a name with `\`, a
 * line break or U+2028 would make the chart fail to compile; the specs
 * therefore keep user text out of every field name, encoding title, sort
 * array and expression, and show it only in chart and axis titles and as
 * data values, passed through {@link chartText}.
 */
import { markHidden } from "../text-marks.js";

/**
 * A name as a chart shows it: on one line, with bidi, zero-width and control
 * characters (line breaks and tabs included) as visible `⟨U+XXXX⟩` marks. A
 * name equal to an `Object.prototype` member (`toString`, `constructor`)
 * is put in quotes: vega resolves a title with such a text as an operator
 * reference and fails ("Operator not defined").
 *
 * @param text a user-provided name or value
 * @returns text safe for a title or a data value of a chart
 */
export function chartText(text: string): string {
  const marked = markHidden(text, { oneLine: true });
  return marked in Object.prototype ? `“${marked}”` : marked;
}
