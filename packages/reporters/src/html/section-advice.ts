/**
 * The advice in the HTML report: the notes under each iteration (the advice
 * it acted on, a fallback when the LLM advisor failed, its language-model
 * cost, its failure analysis) and the advice history table. Every user
 * string is escaped here; the facts come from `advice.ts`.
 */
import { type ExperimentRecord, truncate } from "@converge/core";
import { own } from "../own.js";
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
import { escapeHtml as esc } from "./escape.js";
import { scrollBox } from "./scroll-box.js";

/** Badge tone of a next action. */
export const ACTION_TONE: Record<string, string> = {
  CONTINUE: "ok",
  PIVOT: "warn",
  ABANDON: "bad",
};

function actionBadge(action: string): string {
  if (action === "") return MISSING;
  return `<span class="badge ${own(ACTION_TONE, action) ?? ""}">${esc(action)}</span>`;
}

/** The compact advice line: the words of `adviceLine`, with the names as code. */
function adviceItem(f: AdviceFacts): string {
  const origin = [`<code>${esc(f.source || "an unnamed advisor")}</code>`];
  if (f.model && f.source !== `llm:${f.model}`) origin.push(`model <code>${esc(f.model)}</code>`);
  if (f.promptVersion) origin.push(`prompt <code>${esc(f.promptVersion)}</code>`);
  const line = `advice after iteration ${esc(formatNumber(f.afterIteration))}: <strong>${esc(f.nextAction || "no action")}</strong> (confidence ${esc(formatConfidence(f.confidence))}) by ${origin.join(", ")}`;
  return `<li class="advice-line">${line}</li>`;
}

/**
 * The notes under one iteration of the code section; "" when the record has
 * no advice, no language-model call and no failure analysis to show.
 */
export function iterationNotes(record: ExperimentRecord): string {
  const advice = recordAdvice(record);
  const cost = llmCost(record);
  const failure = failureFacts(record);
  if (!advice && !cost && !failure) return "";
  const items: string[] = [];
  if (advice) {
    items.push(adviceItem(advice));
    const fallback = fallbackLine(advice);
    if (fallback) items.push(`<li class="fallback">⚠ ${esc(fallback)}</li>`);
  }
  if (cost) {
    items.push(
      `<li class="llm-cost${cost.cost === null ? " unknown" : ""}">${esc(llmCostLine(cost))}</li>`,
    );
  }
  if (failure) {
    const origin = failureOrigin(failure);
    const cause = failure.rootCause === "" ? "" : ` ${esc(failure.rootCause)}`;
    const actions =
      failure.actions.length === 0
        ? ""
        : `<ul class="actions">${failure.actions.map((a) => `<li>${esc(a)}</li>`).join("")}</ul>`;
    items.push(
      `<li class="failure">Failure analysis${origin ? ` <small>(${esc(origin)})</small>` : ""}:${cause}${actions}</li>`,
    );
  }
  return `<ul class="iter-notes" aria-label="Iteration ${esc(formatNumber(record.iteration))}: advice, LLM calls and failure analysis">${items.join("")}</ul>`;
}

/** Reasoning up to this many characters shows whole; longer folds into a `<details>`. */
const REASONING_SHOWN = 200;

/** The reasoning cell: whole when short, else its start with the rest behind a disclosure. */
function reasoningCell(reasoning: string): string {
  if (!reasoning) return `<td>${MISSING}</td>`;
  const text = truncate(reasoning, 4000);
  if (text.length <= REASONING_SHOWN) return `<td class="t">${esc(text)}</td>`;
  const cut = text.lastIndexOf(" ", REASONING_SHOWN);
  const head = text.slice(0, cut > REASONING_SHOWN / 2 ? cut : REASONING_SHOWN);
  return `<td class="t"><details class="more"><summary>${esc(head)}</summary>${esc(text.slice(head.length))}</details></td>`;
}

/** The optional columns of the advice history: shown when any row has a value. */
interface HistoryColumns {
  model: boolean;
  prompt: boolean;
  fallback: boolean;
}

function historyRow(f: AdviceFacts, shown: HistoryColumns): string {
  const fallback = f.fallback
    ? `${esc(f.fallback.from)} failed: ${esc(f.fallback.reason || "no reason given")}`
    : MISSING;
  const actedOn =
    f.actedOnBy === null
      ? `<td class="n" title="the loop's last advice: no iteration followed it">final</td>`
      : `<td class="n">${esc(formatNumber(f.actedOnBy))}</td>`;
  const optional = [
    shown.model ? `<td class="t">${esc(f.model ?? MISSING)}</td>` : "",
    shown.prompt ? `<td class="t">${esc(f.promptVersion ?? MISSING)}</td>` : "",
    shown.fallback ? `<td class="t${f.fallback ? " fb" : ""}">${fallback}</td>` : "",
  ].join("");
  return `<tr${f.actedOnBy === null ? ' class="final"' : ""}><td class="n">${esc(formatNumber(f.afterIteration))}</td>${actedOn}<td>${actionBadge(f.nextAction)}</td><td>${esc(f.convergence || MISSING)}</td><td class="n">${esc(formatConfidence(f.confidence))}</td><td class="t"><code>${esc(f.source || MISSING)}</code></td>${optional}${reasoningCell(f.reasoning)}</tr>`;
}

/**
 * The advice history, a sub-section of the assessment: one row per advice
 * the loop asked for (after which iteration, which iteration acted on it, the
 * action, convergence, confidence, who answered with which model and prompt,
 * the fallback reason), the summary's final advice last. "" when no record
 * carries advice.
 */
export function adviceHistorySection(view: ExperimentView, id: string): string {
  const history = adviceHistory(view);
  if (history.length === 0) return "";
  const final = history.at(-1)?.actedOnBy === null ? history.at(-1) : undefined;
  const fallbacks = history.filter((f) => f.fallback).length;
  const note = `${plural(history.length, "piece of advice", "pieces of advice")}${
    fallbacks > 0
      ? `, ${fallbacks} of them from a fallback advisor after the LLM advisor failed`
      : ""
  }. Each was asked for after one iteration and acted on by the next${
    final ? "; the last, marked final, is the loop's last advice" : ""
  }.`;
  const finalNote = final
    ? `<p class="final-advice">Final advice, kept in the experiment summary: ${esc(adviceLine(final))}${final.fallback ? ` <span class="fb">(${esc(fallbackLine(final))})</span>` : ""}.</p>`
    : "";
  const shown: HistoryColumns = {
    model: history.some((f) => f.model),
    prompt: history.some((f) => f.promptVersion),
    fallback: history.some((f) => f.fallback),
  };
  const head = [
    '<th class="n">After iteration</th><th class="n">Acted on by</th><th>Next action</th><th>Convergence</th><th class="n">Confidence</th><th>Source</th>',
    shown.model ? "<th>Model</th>" : "",
    shown.prompt ? "<th>Prompt version</th>" : "",
    shown.fallback ? "<th>Fallback reason</th>" : "",
    "<th>Reasoning</th>",
  ].join("");
  const table = `<table class="advice-history"><thead><tr>${head}</tr></thead>
<tbody>${history.map((f) => historyRow(f, shown)).join("\n")}</tbody></table>`;
  return `<h3 id="${id}">Advice history</h3>
<p class="note">${esc(note)}</p>
${scrollBox(table, { label: "Advice history", kind: "fit" })}
${finalNote}`;
}
