/**
 * Strategy code of each iteration with a unified diff against the previous
 * one, and under it the iteration's notes: the advice it acted on, its
 * language-model cost, its failure analysis (`section-advice.ts`). Runs of
 * iterations whose code did not change and that have no notes collapse into
 * one "unchanged" line, so 10,000 iterations with a few dozen code versions
 * stay short. Every code line is escaped text: code containing `</script>`,
 * `<!--` or markup renders literally, and each bidi control, zero-width or
 * control character shows as a marked `⟨U+202E⟩` with a warning above the
 * block (`marks.ts`).
 */
import type { ExperimentRecord } from "@converge/core";
import { structuredPatch } from "diff";
import { formatNumber, plural } from "../view-model/format.js";
import type { ExperimentView } from "../view-model/model.js";
import { escapeHtml as esc } from "./escape.js";
import { codeHtml, hiddenWarningHtml, nameHtml } from "./marks.js";
import { regionAttributes } from "./scroll-box.js";
import { iterationNotes } from "./section-advice.js";

const DIFF_CLASS: Record<string, string> = { "+": "a", "-": "d", "\\": "x" };

/**
 * Renders the diff from `before` to `after` as `<pre class="diff">`, with
 * line counts; `complete` when the hunks show every line of `after` (then a
 * separate full listing adds nothing). The `<pre>` scrolls sideways for long
 * lines, so it is a focusable region named `label`; so is a full listing.
 */
export function renderDiff(
  before: string,
  after: string,
  label = "Code diff",
): { html: string; added: number; removed: number; complete: boolean } {
  const patch = structuredPatch("previous", "current", before, after, "", "", { context: 3 });
  // "\ No newline at end of file" only says something when that changed.
  const newlineChanged = before.endsWith("\n") !== after.endsWith("\n");
  let added = 0;
  let removed = 0;
  let shown = 0;
  const lines: string[] = [];
  const shownText: string[] = [];
  for (const hunk of patch.hunks) {
    shown += hunk.newLines;
    lines.push(
      `<span class="h">@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@</span>`,
    );
    for (const line of hunk.lines) {
      const mark = line[0] ?? " ";
      if (mark === "\\" && !newlineChanged) continue;
      if (mark === "+") added++;
      else if (mark === "-") removed++;
      const cls = DIFF_CLASS[mark];
      shownText.push(line);
      lines.push(`<span${cls ? ` class="${cls}"` : ""}>${codeHtml(line)}</span>`);
    }
  }
  const total = after === "" ? 0 : after.replace(/\n$/, "").split("\n").length;
  return {
    html: `${hiddenWarningHtml(shownText.join("\n"))}<pre class="diff"${regionAttributes(label)}>${lines.join("")}</pre>`,
    added,
    removed,
    complete: shown >= total,
  };
}

function codeBlock(code: string, label: string): string {
  return `${hiddenWarningHtml(code)}<pre class="code-text"${regionAttributes(label)}><code>${codeHtml(code)}</code></pre>`;
}

function titleOf(record: ExperimentRecord, what: string): string {
  const name = record.strategy_name ? ` · ${nameHtml(record.strategy_name)}` : "";
  return `Iteration ${formatNumber(record.iteration)}${name} · ${what}`;
}

function describe(record: ExperimentRecord): string {
  return record.strategy_description
    ? `<p class="meta">${esc(record.strategy_description)}</p>`
    : "";
}

function unchangedLine(from: ExperimentRecord, to: ExperimentRecord): string {
  const range =
    from === to
      ? `Iteration ${formatNumber(from.iteration)}`
      : `Iterations ${formatNumber(from.iteration)}–${formatNumber(to.iteration)}`;
  return `<p class="unchanged">${range}: code unchanged</p>`;
}

/** Iterations without code: only those with notes, each under its number. */
function notesOnly(records: readonly ExperimentRecord[]): string[] {
  const parts: string[] = [];
  for (const record of records) {
    const notes = iterationNotes(record);
    if (notes !== "") {
      parts.push(`<p class="unchanged">Iteration ${formatNumber(record.iteration)}</p>${notes}`);
    }
  }
  return parts;
}

/** The strategy code section, with each iteration's notes. */
export function codeSection(view: ExperimentView, id: string): string {
  const heading = `<h2 id="${id}">Strategy code</h2>`;
  const records = view.rows.map((r) => r.record);
  if (!records.some((r) => r.strategy_code !== "")) {
    const notes = notesOnly(records);
    const intro = `<p class="note">No strategy code was recorded for these iterations.${
      notes.length > 0
        ? " Below: the advice, language-model calls and failure analysis of each iteration that has them."
        : ""
    }</p>`;
    return `<section>${heading}${intro}${notes.join("\n")}</section>`;
  }
  const parts: string[] = [];
  let previous: ExperimentRecord | undefined;
  let runStart: ExperimentRecord | undefined;
  let runEnd: ExperimentRecord | undefined;
  let versions = 0;
  let noted = false;
  const flush = () => {
    if (runStart && runEnd) parts.push(unchangedLine(runStart, runEnd));
    runStart = undefined;
    runEnd = undefined;
  };
  for (const record of records) {
    const notes = iterationNotes(record);
    if (notes !== "") noted = true;
    if (previous && record.strategy_code === previous.strategy_code) {
      previous = record;
      if (notes === "") {
        runStart ??= record;
        runEnd = record;
        continue;
      }
      flush();
      parts.push(`${unchangedLine(record, record)}${notes}`);
      continue;
    }
    flush();
    versions++;
    const code = record.strategy_code;
    const lineCount = code === "" ? 0 : code.split("\n").length;
    if (!previous) {
      parts.push(
        `<details class="code"><summary>${titleOf(record, `initial code, ${plural(lineCount, "line")}`)}</summary>${describe(record)}${codeBlock(code, `Code of iteration ${formatNumber(record.iteration)}`)}</details>${notes}`,
      );
    } else {
      const iteration = formatNumber(record.iteration);
      const diff = renderDiff(previous.strategy_code, code, `Code diff of iteration ${iteration}`);
      const full = diff.complete
        ? ""
        : `<details class="code full"><summary>Full code (${plural(lineCount, "line")})</summary>${codeBlock(code, `Full code of iteration ${iteration}`)}</details>`;
      parts.push(
        `<details class="code"><summary>${titleOf(record, `changed: +${diff.added} −${diff.removed} lines`)}</summary>${describe(record)}${diff.html}${full}</details>${notes}`,
      );
    }
    previous = record;
  }
  flush();
  const notesText = noted
    ? " Under an iteration: the advice it acted on, its language-model cost and its failure analysis."
    : "";
  return `<section>${heading}
<p class="note">${plural(versions, "code version")} over ${plural(records.length, "iteration")}. Open an iteration to see its diff against the previous one.${notesText}</p>
${parts.join("\n")}
</section>`;
}
