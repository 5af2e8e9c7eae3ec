/**
 * The advice in the Markdown report: the advice history table and, per
 * iteration, the advice it acted on, a fallback when the LLM advisor failed,
 * its language-model cost and its failure analysis. Long runs show the first
 * and the latest entries; the HTML report has them all. Every user string is
 * escaped for Markdown.
 */
import { type ExperimentRecord, truncate } from "@converge/core";
import {
  type AdviceFacts,
  adviceHistory,
  adviceLine,
  failureFacts,
  failureOrigin,
  fallbackLine,
  formatConfidence,
  llmCost,
  llmCostLine,
  recordAdvice,
} from "../view-model/advice.js";
import { formatNumber, MISSING, plural } from "../view-model/format.js";
import type { ExperimentView } from "../view-model/model.js";
import { cell, escapeMarkdown as md } from "./escape.js";

/** All items, or the first three and the latest ones, with the count left out between. */
function capped<T>(items: readonly T[], max: number): (T | number)[] {
  if (items.length <= max) return [...items];
  const head = 3;
  const tail = Math.max(1, max - head);
  return [...items.slice(0, head), items.length - head - tail, ...items.slice(-tail)];
}

function historyRow(f: AdviceFacts): string {
  const cells = [
    formatNumber(f.afterIteration),
    f.actedOnBy === null ? "final" : formatNumber(f.actedOnBy),
    f.nextAction ? `**${md(f.nextAction)}**` : MISSING,
    cell(f.convergence || MISSING),
    formatConfidence(f.confidence),
    cell(f.source || MISSING),
    cell(f.model ?? MISSING),
    cell(f.promptVersion ?? MISSING),
    f.fallback
      ? cell(`${f.fallback.from} failed: ${f.fallback.reason || "no reason given"}`)
      : MISSING,
    f.reasoning ? cell(truncate(f.reasoning, 200)) : MISSING,
  ];
  return `| ${cells.join(" | ")} |`;
}

/**
 * The advice history table, with the summary's final advice as its last row
 * and in a line below; "" when no record carries advice.
 */
export function adviceHistoryMarkdown(view: ExperimentView, maxRows: number): string {
  const history = adviceHistory(view);
  if (history.length === 0) return "";
  const head =
    "| After iteration | Acted on by | Next action | Convergence | Confidence | Source | Model | Prompt version | Fallback reason | Reasoning |\n|--:|--:|---|---|--:|---|---|---|---|---|";
  const rows = capped(history, maxRows).map((f) =>
    typeof f === "number"
      ? `| ⋮ | _${plural(f, "piece of advice", "pieces of advice")} not shown_ |${" |".repeat(8)}`
      : historyRow(f),
  );
  const out = [`${head}\n${rows.join("\n")}`];
  const final = history.at(-1);
  if (final && final.actedOnBy === null) {
    const fallback = fallbackLine(final);
    out.push(
      `Final advice, kept in the experiment summary: ${md(adviceLine(final), "space")}${fallback ? ` (⚠ ${md(fallback, "space")})` : ""}.`,
    );
  }
  return out.join("\n\n");
}

function notesOf(record: ExperimentRecord): string | null {
  const advice = recordAdvice(record);
  const cost = llmCost(record);
  const failure = failureFacts(record);
  if (!advice && !cost && !failure) return null;
  const lines = [`- **Iteration ${formatNumber(record.iteration)}**`];
  if (advice) {
    lines.push(`  - ${md(adviceLine(advice), "space")}`);
    const fallback = fallbackLine(advice);
    if (fallback) lines.push(`  - ⚠ **${md(fallback, "space")}**`);
  }
  if (cost) lines.push(`  - ${md(llmCostLine(cost), "space")}`);
  if (failure) {
    const origin = failureOrigin(failure);
    const cause = failure.rootCause ? ` ${md(failure.rootCause, "space")}` : "";
    lines.push(`  - Failure analysis${origin ? ` (${md(origin, "space")})` : ""}:${cause}`);
    for (const action of failure.actions) lines.push(`    - ${md(action, "space")}`);
  }
  return lines.join("\n");
}

/**
 * Per iteration that has them: the advice it acted on, the fallback note,
 * its LLM cost and its failure analysis; "" when no iteration has any.
 */
export function iterationNotesMarkdown(view: ExperimentView, maxRows: number): string {
  const notes: string[] = [];
  for (const row of view.rows) {
    const n = notesOf(row.record);
    if (n !== null) notes.push(n);
  }
  if (notes.length === 0) return "";
  return capped(notes, maxRows)
    .map((n) =>
      typeof n === "number"
        ? `- ⋮ _${plural(n, "more iteration")} not shown; the HTML report has them all_`
        : n,
    )
    .join("\n");
}
