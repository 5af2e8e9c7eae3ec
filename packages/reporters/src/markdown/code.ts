/**
 * The strategy code in the Markdown report: the latest code change as a
 * fenced `diff` block (or the code itself while there is one version), with
 * each hidden or control character shown as a visible `⟨U+202E⟩` and a
 * warning line above a block that has any. The HTML report has every
 * version and diff.
 */
import type { ExperimentRecord } from "@converge/core";
import { structuredPatch } from "diff";
import { hiddenCharacterWarning, markHidden } from "../text-marks.js";
import { formatNumber, plural } from "../view-model/format.js";
import type { ExperimentView } from "../view-model/model.js";
import { escapeMarkdown as md } from "./escape.js";

/** Most lines a code block shows; the rest are counted. */
const MAX_LINES = 80;

/** A backtick fence longer than any run of backticks in `body`, so the code cannot close it. */
function fence(body: string): string {
  let longest = 0;
  for (const run of body.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

/**
 * A fenced code block of `text` (at most 80 lines), with hidden and control
 * characters as visible marks and, when it has any, the warning line above it.
 *
 * @param text the code or diff text (its real characters; marks are added here)
 * @param language the fence's info string, e.g. "diff"
 */
export function codeBlockMarkdown(text: string, language: string): string {
  const warning = hiddenCharacterWarning(text);
  const lines = markHidden(text).replace(/\n$/, "").split("\n");
  const shown =
    lines.length > MAX_LINES
      ? [...lines.slice(0, MAX_LINES), `… ${plural(lines.length - MAX_LINES, "more line")}`]
      : lines;
  const body = shown.join("\n");
  const f = fence(body);
  const block = `${f}${language}\n${body}\n${f}`;
  return warning === null ? block : `> ⚠ ${md(warning, "space")}\n\n${block}`;
}

/** The unified diff text from `before` to `after`, with its line counts. */
function diffText(before: string, after: string) {
  const patch = structuredPatch("previous", "current", before, after, "", "", { context: 3 });
  // "\ No newline at end of file" only says something when that changed.
  const newlineChanged = before.endsWith("\n") !== after.endsWith("\n");
  const lines: string[] = [];
  let added = 0;
  let removed = 0;
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    for (const line of hunk.lines) {
      if (line.startsWith("\\") && !newlineChanged) continue;
      if (line.startsWith("+")) added++;
      else if (line.startsWith("-")) removed++;
      lines.push(line);
    }
  }
  return { text: lines.join("\n"), added, removed };
}

/**
 * The strategy code part of the Markdown report: the latest change as a
 * diff, or the only version's code; "" when no iteration recorded code.
 */
export function codeMarkdown(view: ExperimentView): string {
  const records = view.rows.map((r) => r.record);
  if (!records.some((r) => r.strategy_code !== "")) return "";
  let versions = 0;
  let latest: { before: ExperimentRecord | null; after: ExperimentRecord } | null = null;
  let previous: ExperimentRecord | null = null;
  for (const record of records) {
    if (previous === null || record.strategy_code !== previous.strategy_code) {
      versions++;
      latest = { before: previous, after: record };
    }
    previous = record;
  }
  if (latest === null) return "";
  const at = `Iteration ${formatNumber(latest.after.iteration)}`;
  if (latest.before === null) {
    const code = latest.after.strategy_code;
    return `${at}: the only code version (the HTML report shows it with every iteration's notes).\n\n${codeBlockMarkdown(code, "")}`;
  }
  const diff = diffText(latest.before.strategy_code, latest.after.strategy_code);
  return `${at} changed the code: +${diff.added} −${diff.removed} lines, the latest of ${plural(versions, "code version")} (the HTML report has every version and diff).\n\n${codeBlockMarkdown(diff.text, "diff")}`;
}
