/**
 * Experiment comparison: one row per experiment with its outcome and key
 * numbers, the best value each shared metric reached, and the comparison
 * charts.
 */

import { truncate } from "@converge/core";
import { own } from "../own.js";
import { shownAdvice } from "../view-model/advice.js";
import { formatCost, formatDuration, formatNumber, MISSING } from "../view-model/format.js";
import type { ExperimentView } from "../view-model/model.js";
import { directionArrow, gateState } from "../view-model/model.js";
import { escapeHtml as esc } from "./escape.js";
import { nameAttr, nameHtml } from "./marks.js";
import { regionAttributes } from "./scroll-box.js";
import { statusBadge } from "./section-summary.js";

function sharedMetrics(views: readonly ExperimentView[]): string[] {
  const [first, ...rest] = views;
  if (!first) return [];
  return first.metricNames.filter((m) => rest.every((v) => v.metricNames.includes(m)));
}

/** The comparison section (without charts, which the caller appends). */
export function comparisonSection(
  views: readonly ExperimentView[],
  id: string,
  anchors: readonly string[],
  charts: string,
): string {
  const rows = views.map((v, i) => {
    const gate = gateState(v);
    const action = shownAdvice(v)?.advice.assessment.next_action;
    const score = v.summary.best_gate_score;
    const best =
      v.summary.best_iteration === null
        ? MISSING
        : `${esc(formatNumber(v.summary.best_iteration))}${typeof score === "number" ? ` <small>(${esc(formatNumber(score, 3))})</small>` : ""}`;
    return `<tr><td class="t"><a href="#${anchors[i]}"><code>${esc(v.id)}</code></a></td><td class="t">${esc(truncate(v.directive, 160)) || MISSING}</td><td>${statusBadge(v.status)}</td><td class="n">${esc(formatNumber(v.rows.length))}</td><td class="n">${best}</td><td><span class="badge ${gate.tone}">${gate.text}</span></td><td>${action ? esc(String(action)) : MISSING}</td><td class="n">${esc(formatDuration(v.summary.total_compute_time))}</td><td class="n">${esc(formatCost(v.summary.total_cost))}</td></tr>`;
  });
  const metrics = sharedMetrics(views);
  const metricTable =
    metrics.length === 0
      ? ""
      : `<h3>Metrics at each experiment's best iteration</h3><div class="table-wrap wide short"${regionAttributes("Metrics at each experiment's best iteration")}><table class="compare-metrics"><thead><tr><th>Experiment</th>${metrics
          .map(
            (m) =>
              `<th class="n" title="${nameAttr(m)}"><span class="name">${nameHtml(m)}</span><span class="crit">${directionArrow(views[0] ? own(views[0].goals, m) : null)}</span></th>`,
          )
          .join("")}</tr></thead><tbody>${views
          .map(
            (v) =>
              `<tr><td class="t"><code>${esc(v.id)}</code></td>${metrics
                .map(
                  (m) => `<td class="n">${esc(formatNumber(own(v.summary.best_metrics, m)))}</td>`,
                )
                .join("")}</tr>`,
          )
          .join("")}</tbody></table></div>`;
  return `<section class="comparison"><h2 id="${id}">Side by side</h2>
<div class="table-wrap fit short"${regionAttributes("Side by side")}><table class="compare"><thead><tr><th>Experiment</th><th>Directive</th><th>Status</th><th class="n">Iterations</th><th class="n">Best iteration (score)</th><th>Gate</th><th>Next action</th><th class="n">Compute time</th><th class="n">Cost</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>
${metricTable}
${charts}
</section>`;
}
