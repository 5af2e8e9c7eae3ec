/**
 * What the text form of `converge analyze` (and `advise`) is written with:
 * the width, word wrapping, the number cells and the convergence colours.
 */
import { terminalSafe } from "@converge/core";
import { formatNumber } from "./format.js";
import type { Style } from "./style.js";
import { width } from "./table.js";

/** Text from records or the analysis (metric and parameter names, reasons), shown and never acted on. */
export const safe = (text: string): string => terminalSafe(text);

/** Text is wrapped to this many columns. */
export const TEXT_WIDTH = 100;

/** Word-wraps text to `max` columns, every line starting with `indent`. */
export function wrap(text: string, max: number, indent = ""): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && width(indent + line) + 1 + width(word) > max) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** A number for the tables, "-" for null. */
export const n = (x: number | null | undefined) =>
  x === null || x === undefined ? "-" : formatNumber(x);
/** With an explicit "+" on positive numbers. */
export const s = (x: number | null | undefined) =>
  x !== null && x !== undefined && x > 0 ? `+${formatNumber(x)}` : n(x);
export const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;

/** The colour of a convergence status. */
export function styleConvergence(style: Style, status: string): string {
  if (status === "CONVERGING") return style.green(status);
  if (status === "DIVERGING") return style.red(status);
  if (status === "INSUFFICIENT_DATA") return style.dim(status);
  return style.yellow(status);
}
