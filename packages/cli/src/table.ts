import { truncate as cutText, terminalSafe } from "@converge/core";
import type { Style } from "./style.js";
import { maxOf } from "./terminal-text.js";

/** A column of a text table. */
export interface Column {
  header: string;
  /** Numbers read best right-aligned. Default "left". */
  align?: "left" | "right";
}

/**
 * A cell: its plain text (used for widths) and an optional style applied
 * after padding. The text may come from records: control and invisible
 * characters in it are shown as escapes, so a newline cannot start a new row.
 */
export interface Cell {
  text: string;
  paint?: (text: string) => string;
}

/** A cell, or its plain text. */
export type CellInput = string | Cell;

const GAP = "  ";

/**
 * Renders an aligned table: a header, a rule, then the rows, with two spaces
 * between columns and no trailing spaces. Widths are measured on the plain
 * text and colour is added after padding, so ANSI codes never skew alignment.
 * Headers and cells are escaped with `terminalSafe` before they are measured.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly CellInput[])[],
  style: Style,
  indent = "",
): string[] {
  const cells = rows.map((row) => columns.map((_, i) => toCell(row[i])));
  const headers = columns.map((c) => terminalSafe(c.header));
  // No spread into Math.max: a table may have hundreds of thousands of rows.
  const widths = headers.map((h, i) =>
    Math.max(width(h), maxOf(cells.map((row) => width(row[i]?.text ?? "")))),
  );
  const line = (parts: string[]) => `${indent}${parts.join(GAP)}`.trimEnd();
  const header = line(
    headers.map((h, i) => paintInside(pad(h, widths[i] ?? 0, columns[i]?.align), h, style.bold)),
  );
  const rule = line(widths.map((w) => style.dim("─".repeat(w))));
  const body = cells.map((row) =>
    line(
      row.map((cell, i) => {
        const padded = pad(cell.text, widths[i] ?? 0, columns[i]?.align);
        // Paint the text only, keeping the padding outside the colour codes.
        return cell.paint ? paintInside(padded, cell.text, cell.paint) : padded;
      }),
    ),
  );
  return [header, rule, ...body];
}

function toCell(input: CellInput | undefined): Cell {
  if (input === undefined) return { text: "" };
  return typeof input === "string"
    ? { text: terminalSafe(input) }
    : { ...input, text: terminalSafe(input.text) };
}

/** Display width: code points, which is right for the ASCII and box characters used here. */
export function width(text: string): number {
  return [...text].length;
}

function pad(text: string, w: number, align: "left" | "right" = "left"): string {
  const fill = " ".repeat(Math.max(0, w - width(text)));
  return align === "right" ? fill + text : text + fill;
}

function paintInside(padded: string, text: string, paint: (t: string) => string): string {
  const at = padded.indexOf(text);
  if (text === "" || at < 0) return padded;
  return padded.slice(0, at) + paint(text) + padded.slice(at + text.length);
}

/** Cuts text to `max` characters, ending with "…" when cut; newlines become spaces. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const cut = cutText(flat, max);
  // No space left dangling before the ellipsis.
  return cut === flat ? flat : `${cut.slice(0, -1).trimEnd()}…`;
}
