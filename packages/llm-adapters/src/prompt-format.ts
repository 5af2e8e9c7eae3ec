/**
 * Text helpers shared by the prompts: numbers, strings from records (kept on
 * one line, bounded, quoted as data), fenced blocks, and assembling sections
 * under a character budget.
 */
import { truncate as cut } from "@converge/core";

/** A number with 4 significant digits; NaN/null as "n/a", infinities as "∞"/"-∞"; integers below 1e6 exactly. */
export function num(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return "n/a";
  if (n === Number.POSITIVE_INFINITY) return "∞";
  if (n === Number.NEGATIVE_INFINITY) return "-∞";
  if (n === 0) return "0";
  if (Number.isInteger(n) && Math.abs(n) < 1e6) return String(n);
  return String(Number(n.toPrecision(4)));
}

/** Like `num`, with a "+" on positive numbers (rates and margins). */
export function signed(n: number | null | undefined): string {
  const text = num(n);
  return n !== null && n !== undefined && n > 0 ? `+${text}` : text;
}

/** Cuts `text` to at most `max` characters (UTF-16 units, the prompt's budget), ending in "…" when cut (never inside a surrogate pair). */
export function truncate(text: string, max: number): string {
  return cut(text, max, "utf-16");
}

/** `end` moved back by one when cutting there would split a surrogate pair. */
function pairSafe(text: string, end: number): number {
  const code = text.charCodeAt(end - 1);
  return code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}

/** Default bound of a string taken from a record (a name, an action, a root cause). */
export const MAX_FIELD_CHARS = 200;

/**
 * A string from a record on one line: line breaks, tabs and other control
 * characters become spaces (so it cannot start a heading or a list item of
 * its own), runs of spaces collapse, and it is cut to `max` characters.
 */
export function oneLine(text: string, max = MAX_FIELD_CHARS): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").replace(/\s{2,}/g, " ");
  return truncate(flat.trim(), max);
}

/** A free-text string from a record as a JSON string literal on one line: data, visibly quoted. */
export function quoted(text: string, max = MAX_FIELD_CHARS): string {
  return JSON.stringify(oneLine(text, max));
}

/**
 * Keeps the head and the tail of a long text (code: the end often holds the
 * logic that matters), with a line saying how much was cut between them.
 */
export function clipMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = pairSafe(text, Math.floor(max * 0.75));
  const tailStart = pairSafe(text, text.length - (max - Math.floor(max * 0.75)));
  return `${text.slice(0, head)}\n… [${tailStart - head} characters cut] …\n${text.slice(tailStart)}`;
}

/**
 * `text` in a fenced block whose fence is longer than any run of backticks
 * inside it, so nothing in the text can close the block early.
 */
export function fenced(text: string, info = "text"): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

/** A parameter value, compact: numbers to 6 significant digits, strings quoted, objects as JSON, all bounded. */
export function formatValue(value: unknown, max = 60): string {
  if (typeof value === "number") {
    return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : num(value);
  }
  if (typeof value === "string") return quoted(value, max);
  if (value === undefined) return "(none)";
  if (value === null || typeof value === "boolean") return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return oneLine(text, max);
}

/**
 * The first `max` items as lines, and a "… N more <noun>" line for the rest,
 * so a list never grows with the experiment.
 */
export function capped<T>(
  items: readonly T[],
  max: number,
  line: (item: T) => string,
  noun: string,
  indent = "",
): string[] {
  const lines = items.slice(0, max).map(line);
  if (items.length > max) lines.push(`${indent}- … ${items.length - max} more ${noun} not shown`);
  return lines;
}

/** One `## title` section of a prompt: entries are lines (or multi-line blocks cut as a whole). */
export interface PromptSection {
  title: string;
  entries: string[];
  /**
   * Which sections lose entries first when the prompt is over its budget:
   * the lowest priority first. `Infinity` is never cut.
   */
  priority: number;
  /** Which end loses entries: "end" (default) or "start" (e.g. the oldest iterations). */
  cutFrom?: "start" | "end";
  /** Entries kept in the first cutting pass, before every section is cut to one; default: all. */
  minEntries?: number;
}

function renderSection(s: PromptSection, cut: number): string {
  if (cut === 0) return `## ${s.title}\n${s.entries.join("\n")}`;
  const note = `- … ${cut} more line${cut === 1 ? "" : "s"} left out to keep the prompt short`;
  const kept =
    s.cutFrom === "start"
      ? [note, ...s.entries.slice(cut)]
      : [...s.entries.slice(0, s.entries.length - cut), note];
  return `## ${s.title}\n${kept.join("\n")}`;
}

/**
 * Joins sections under a budget of `maxChars`. While over it, sections lose
 * entries (from their `cutFrom` end) in two passes, lowest priority first:
 * first down to their `minEntries`, then down to one entry; each says how
 * many it lost. Entries are bounded by the renderers, so this converges; a
 * prompt whose uncuttable parts exceed the budget is returned as it is.
 */
export function assemble(sections: readonly PromptSection[], maxChars: number): string {
  const cuts = sections.map(() => 0);
  const render = () => sections.map((s, i) => renderSection(s, cuts[i] ?? 0)).join("\n\n");
  let text = render();
  const order = sections
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.priority !== Number.POSITIVE_INFINITY)
    .sort((a, b) => a.s.priority - b.s.priority);
  for (const floor of [(s: PromptSection) => s.minEntries ?? s.entries.length, () => 1]) {
    for (const { s, i } of order) {
      const keep = Math.max(1, floor(s));
      while (text.length > maxChars && s.entries.length - (cuts[i] ?? 0) > keep) {
        cuts[i] = (cuts[i] ?? 0) + 1;
        text = render();
      }
      if (text.length <= maxChars) return text;
    }
  }
  return text;
}
