/**
 * The Markdown report's metric lists and glossary: the objectives' trends
 * with their direction beside each verdict, the informational metrics on one
 * line each, and the vocabulary (core's `VOCABULARY`, docs/vocabulary.md)
 * folded in a <details>.
 */
import { directionText, VOCABULARY } from "@converge/core";
import { own } from "../own.js";
import { formatSigned } from "../view-model/format.js";
import { informationalMetrics, spanText } from "../view-model/metric-roles.js";
import type { ExperimentView } from "../view-model/model.js";
import { escapeMarkdown as md } from "./escape.js";

/**
 * One line per objective: "- sharpe_ratio (higher is better): **CONVERGING**,
 * +0.0967 per iteration — why"; a constant one: "… : **STAGNANT**, 252 (constant)".
 */
export function metricTrendsMarkdown(view: ExperimentView): string {
  const trends = view.analysis.metric_trends;
  if (!trends) return "";
  const lines = view.metricNames
    .filter((m) => Object.hasOwn(trends, m) && own(view.roles, m) !== "informational")
    .map((name) => {
      const t = own(trends, name) ?? {};
      const direction = directionText(t.goal ?? own(view.goals, name));
      const verdict = t.status ? `**${t.status}**` : "no verdict";
      const span = own(view.spans, name);
      const course = span?.constant
        ? spanText(span)
        : `${formatSigned(t.improvement_rate)} per iteration toward its goal`;
      const why = t.reason ? ` — ${md(t.reason, "space")}` : "";
      return `- ${md(name)} (${direction}): ${verdict}, ${md(course)}${why}`;
    });
  return lines.join("\n");
}

/** One line per informational metric: "- trade_count 62 → 11 (range 5 to 62)"; no direction, no verdict. */
export function informationalMarkdown(view: ExperimentView): string {
  const names = informationalMetrics(view);
  if (names.length === 0) return "";
  const items = names.map((name) => `- ${md(name)} ${md(spanText(own(view.spans, name)))}`);
  return [
    "_No goal is stated for these (not in the gate, not given maximize or minimize): no direction, no verdict._",
    "",
    ...items,
  ].join("\n");
}

/** The vocabulary in a <details> (GitHub renders it folded). */
export function vocabularyDetails(): string {
  const terms = VOCABULARY.map((t) => {
    const values = t.values.map((v) => `  - \`${v.value}\`: ${md(v.meaning, "space")}`);
    return [`- **${md(t.term)}**: ${md(t.definition, "space")}`, ...values].join("\n");
  });
  return [
    "<details><summary>Vocabulary: what the verdicts mean</summary>",
    "",
    ...terms,
    "",
    "The same definitions are in the Converge repository's docs/vocabulary.md.",
    "",
    "</details>",
  ].join("\n");
}
