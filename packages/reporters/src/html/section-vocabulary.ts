/**
 * The report's glossary: core's `VOCABULARY` (the same text as
 * docs/vocabulary.md), folded in a <details> once per document. Verdicts link
 * to its terms (`#vocabulary-<id>`).
 */
import { VOCABULARY } from "@converge/core";
import { escapeHtml as esc } from "./escape.js";

/** The anchor of a term in the glossary, e.g. `#vocabulary-gradient`. */
export function termHref(id: string): string {
  return `#vocabulary-${id}`;
}

/** A link to a term: the label, linked to its definition. */
export function termLink(id: string, label: string): string {
  return `<a class="term" href="${termHref(id)}">${esc(label)}</a>`;
}

/** The glossary section: each term's definition and values. */
export function vocabularySection(): string {
  const terms = VOCABULARY.map((t) => {
    const values =
      t.values.length === 0
        ? ""
        : `<ul>${t.values.map((v) => `<li><code>${esc(v.value)}</code>: ${esc(v.meaning)}</li>`).join("")}</ul>`;
    return `<dt id="vocabulary-${esc(t.id)}">${esc(t.term)} <small>(${t.fields.map((f) => `<code>${esc(f)}</code>`).join(", ")})</small></dt><dd>${esc(t.definition)}${values}</dd>`;
  });
  return `<section class="vocabulary" id="vocabulary" aria-labelledby="vocabulary-h"><h2 id="vocabulary-h">Vocabulary</h2>
<details><summary>What the verdicts mean: convergence, gradient, parameter changes, success probability, likelihood of success, metric roles and directions</summary>
<dl class="glossary">${terms.join("")}</dl>
<p class="note">The same definitions are in the Converge repository's docs/vocabulary.md.</p>
</details></section>`;
}
