/**
 * Informational metrics: those with no stated goal (not in the gate, not
 * given maximize or minimize; docs/vocabulary.md). They are recorded for
 * context, so they get one compact line each: first → last with the range,
 * or the value and "(constant)". No direction and no verdict.
 */
import { own } from "../own.js";
import { informationalMetrics, spanText } from "../view-model/metric-roles.js";
import type { ExperimentView } from "../view-model/model.js";
import { escapeHtml as esc } from "./escape.js";
import { nameHtml } from "./marks.js";
import { termLink } from "./section-vocabulary.js";

/** The compact list of informational metrics; empty when every metric has a goal. */
export function informationalSection(view: ExperimentView): string {
  const names = informationalMetrics(view);
  if (names.length === 0) return "";
  const items = names.map(
    (name) =>
      `<li><code>${nameHtml(name)}</code> <span class="n">${esc(spanText(own(view.spans, name)))}</span></li>`,
  );
  return `<h3>Informational metrics</h3>
<p class="note">No goal is stated for these (not in the gate, not given maximize or minimize), so they have no direction and no verdict (${termLink("role", "metric roles")}).</p>
<ul class="info-metrics">${items.join("")}</ul>`;
}
