/**
 * Trajectory statistics: where the loop is heading and how sure we are —
 * status with its reason, gradient, distance to the goal overall and per
 * criterion, the chance to pass within the iterations left (overall and per
 * criterion), the ETA with its range at the stated level, per-metric trends,
 * parameter effects, efficiency, change points and the overfitting guard.
 */

import { directionText, VOCABULARY } from "@converge/core";
import { own } from "../own.js";
import type { ReportTrajectory } from "../report-data.js";
import { finite, overfittingOf, trendStatistics } from "../view-model/analysis.js";
import {
  formatCost,
  formatNumber,
  formatP,
  formatSigned,
  MISSING,
  plural,
} from "../view-model/format.js";
import { spanText } from "../view-model/metric-roles.js";
import { criterionText, type ExperimentView } from "../view-model/model.js";
import {
  horizonText,
  levelText,
  probabilityText,
  rangeText,
  successText,
} from "../view-model/outlook.js";
import { escapeHtml as esc } from "./escape.js";
import { nameHtml } from "./marks.js";
import { scrollBox } from "./scroll-box.js";
import { informationalSection } from "./section-informational.js";
import { termLink } from "./section-vocabulary.js";

const TONE: Record<string, string> = {
  CONVERGING: "ok",
  DIVERGING: "bad",
  OSCILLATING: "warn",
  STAGNANT: "warn",
  INSUFFICIENT_DATA: "",
  INCREASE: "ok",
  DECREASE: "bad",
  LOW: "ok",
  MEDIUM: "warn",
  HIGH: "bad",
};

function badge(word: string | undefined | null): string {
  if (!word) return MISSING;
  return `<span class="badge ${own(TONE, word) ?? ""}">${esc(word.replace(/_/g, " "))}</span>`;
}

function interval(low: unknown, high: unknown): string {
  const l = finite(low);
  const h = finite(high);
  if (l === null && h === null) return "";
  return ` <small>[${esc(formatSigned(l))}, ${esc(formatSigned(h))}]</small>`;
}

/** A text table in a labelled scroll box that fits the page width (see scroll-box.ts). */
function table(
  className: string,
  label: string,
  head: readonly string[],
  rows: readonly string[],
): string {
  const th = head.map(
    (h) => `<th${h.startsWith("#") ? ' class="n"' : ""}>${h.replace(/^#/, "")}</th>`,
  );
  return scrollBox(
    `<table class="${className}"><thead><tr>${th.join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`,
    { label, kind: "fit", short: true },
  );
}

/**
 * The ETA: the median with its range at the stated level and the horizon the
 * range is over ("about N (range …)" for an older analysis without a level),
 * then the analysis' reason.
 */
function etaFact(a: ReportTrajectory): string {
  const eta = a.iterations_to_success;
  const estimate = finite(eta?.estimate ?? a.estimated_iterations_to_success);
  if (estimate === null) {
    return `no estimate${eta?.reason ? ` <small>(${esc(eta.reason)})</small>` : ""}`;
  }
  if (estimate === 0) return "0 <small>(passing now)</small>";
  const level = eta ? levelText(eta) : null;
  const range = eta ? rangeText(eta) : null;
  const over =
    finite(eta?.horizon) === null
      ? ""
      : `, over the predicted futures that pass within ${esc(plural(eta?.horizon as number, "iteration"))}`;
  const model = eta?.model ? `; ${esc(eta.model)} model` : "";
  const reason = eta?.reason ? `<br><small>${esc(eta.reason)}</small>` : "";
  if (level === null) {
    const old = range === null ? "" : ` (range ${esc(range)})`;
    return `about ${esc(plural(estimate, "iteration"))}${old}${model}${reason}`;
  }
  const ranged = range === null ? "" : ` · ${esc(level)} range ${esc(range)}`;
  return `median ${esc(plural(estimate, "iteration"))}${ranged}${over}${model}${reason}`;
}

/** The success probability with its horizon, and the analysis' reason. */
function successFact(a: ReportTrajectory): string {
  const s = a.success_probability;
  if (!s) return "";
  const reason = s.reason ? `<br><small>${esc(s.reason)}</small>` : "";
  return `<dt>${termLink("success-probability", "Success probability")}</dt><dd class="outlook">${esc(successText(s))}${reason}</dd>`;
}

/** What a value of a vocabulary term means (docs/vocabulary.md), e.g. ASCENDING → "a real trend toward the goal". */
export function termMeaning(id: string, value: string | undefined): string {
  const term = VOCABULARY.find((t) => t.id === id);
  return term?.values.find((v) => v.value === value)?.meaning ?? "";
}

/** Which way the score is better: a gate score up; an objective metric its own way. */
function scoreDirection(view: ExperimentView): string {
  const source = view.analysis.score_trend?.source;
  if (source?.startsWith("objective:")) {
    return directionText(own(view.goals, source.slice("objective:".length)) ?? "maximize");
  }
  return "higher is better";
}

function overviewFacts(view: ExperimentView): string {
  const a = view.analysis;
  const trend = a.score_trend;
  const status = trend?.status ?? a.convergence_status;
  const source = trend?.source
    ? ` <small>of <code>${esc(trend.source)}</code> (${esc(scoreDirection(view))})</small>`
    : "";
  const gradient = termMeaning("gradient", a.gradient_direction);
  const facts = [
    `<dt>${termLink("convergence", "Convergence")}</dt><dd>${badge(status)}${source}${trend?.reason ? `<br>${esc(trend.reason)}` : ""}</dd>`,
    `<dt>${termLink("gradient", "Gradient")}</dt><dd>${esc(a.gradient_direction ?? MISSING)}${gradient ? ` <small>(${esc(gradient)})</small>` : ""}${
      finite(trend?.slope) === null
        ? ""
        : ` · slope ${esc(formatSigned(trend?.slope))} per iteration${interval(trend?.slope_low, trend?.slope_high)}${
            finite(trend?.p) === null ? "" : ` · Mann–Kendall p ${esc(formatP(trend?.p))}`
          }`
    }</dd>`,
    `<dt>Distance to goal</dt><dd>${
      finite(a.distance_to_goal) === null
        ? MISSING
        : `${esc(formatNumber(a.distance_to_goal, 3))} <small>(0 = passing, 1 = fully failing)</small>`
    }</dd>`,
    successFact(a),
    `<dt>Iterations to success</dt><dd>${etaFact(a)}</dd>`,
  ];
  return `<dl class="facts">${facts.join("")}</dl>`;
}

function criteriaTable(view: ExperimentView): string {
  if (!view.gate) return "";
  const last = view.rows.at(-1);
  const byCriterion = view.analysis.distance_by_criterion ?? {};
  const counts = new Map<string, number>();
  for (const c of view.gate.criteria) counts.set(c.metric, (counts.get(c.metric) ?? 0) + 1);
  // Each criterion's own chance, when the analysis predicted the criteria one by one.
  const success = view.analysis.success_probability;
  const chances =
    success?.by_criterion && Object.keys(success.by_criterion).length > 0
      ? success.by_criterion
      : null;
  const rows = view.gate.criteria.map((c) => {
    const threshold = Array.isArray(c.threshold) ? c.threshold.join("..") : c.threshold;
    const key = (counts.get(c.metric) ?? 0) > 1 ? `${c.metric} ${c.op} ${threshold}` : c.metric;
    const value = own(last?.record.metrics, c.metric);
    const failed = last ? last.failed.has(c.metric) : true;
    const distance = Object.hasOwn(byCriterion, key) ? byCriterion[key] : undefined;
    const chance = chances
      ? `<td class="n">${Object.hasOwn(chances, key) ? esc(probabilityText(chances[key] as number)) : MISSING}</td>`
      : "";
    return `<tr><td class="t">${nameHtml(c.metric)}</td><td>${esc(criterionText(c.op, c.threshold))}</td><td class="n">${esc(formatNumber(c.weight))}</td><td>${c.required ? "yes" : "no"}</td><td class="n${failed ? " f" : ""}">${esc(formatNumber(value))}</td><td class="n">${esc(formatNumber(distance, 3))}</td>${chance}</tr>`;
  });
  const head = ["Metric", "Criterion", "#Weight", "Required", "#Latest value", "#Distance"];
  const note =
    chances && success
      ? `<p class="note">Chance to pass: the chance that the criterion alone passes ${esc(horizonText(success))} (required criteria only).</p>`
      : "";
  return `<h3>Gate criteria at the latest iteration</h3>${table(
    "criteria",
    "Gate criteria at the latest iteration",
    chances ? [...head, "#Chance to pass"] : head,
    rows,
  )}${note}`;
}

/**
 * The objectives' trends (informational metrics have their own list), each
 * verdict beside its direction; a constant objective is one line: its value
 * and "(constant)" in place of the statistics.
 */
function metricTrendTable(view: ExperimentView, trajectory: unknown): string {
  const trends = view.analysis.metric_trends;
  if (!trends || Object.keys(trends).length === 0) return "";
  const names = [
    ...view.metricNames.filter((m) => Object.hasOwn(trends, m)),
    ...Object.keys(trends).filter((m) => !view.metricNames.includes(m)),
  ].filter(
    (m) => own(view.roles, m) !== "informational" && own(trends, m)?.role !== "informational",
  );
  if (names.length === 0) return "";
  const rows = names.map((name) => {
    const t = own(trends, name) ?? {};
    const direction = esc(directionText(t.goal ?? own(view.goals, name)));
    const head = `<tr><td class="t">${nameHtml(name)}</td><td>${direction}</td><td>${badge(t.status)}</td>`;
    const span = own(view.spans, name);
    if (span?.constant || t.constant === true) {
      return `${head}<td class="n" colspan="4">${esc(spanText(span))}</td><td class="t">${esc(t.reason ?? "")}</td></tr>`;
    }
    const s = trendStatistics(trajectory, name);
    return `${head}<td class="n">${esc(formatSigned(t.improvement_rate))}</td><td class="n">${esc(formatSigned(s.slope))}${interval(s.low, s.high)}</td><td class="n">${esc(formatP(s.p))}</td><td class="n">${esc(formatNumber(t.n))}</td><td class="t">${esc(t.reason ?? "")}</td></tr>`;
  });
  return `<h3>Metric trends</h3>${table(
    "trends",
    "Metric trends",
    [
      "Metric",
      "Direction",
      termLink("convergence", "Convergence"),
      "#Improvement / iter.",
      "#Slope [95% CI]",
      "#p",
      "#n",
      "Why",
    ],
    rows,
  )}<p class="note">Metrics with a goal (objectives). Improvement is the robust (Theil–Sen) slope signed so that positive means better; the slope column keeps the metric's own sign.</p>`;
}

function parameterTable(view: ExperimentView): string {
  const effects = view.analysis.parameter_effects;
  if (!effects) return "";
  const entries = Object.entries(effects.parameters).sort(
    (x, y) => (finite(y[1].importance) ?? -1) - (finite(x[1].importance) ?? -1),
  );
  const rows = entries.map(([name, e]) => {
    const impact =
      e.kind === "categorical"
        ? `${esc(formatSigned(e.impact))}${e.current !== undefined && e.best !== undefined ? ` <small>${esc(e.current)} → ${esc(e.best)}</small>` : ""}`
        : `${esc(formatSigned(e.impact))}${finite(e.stderr) === null ? "" : ` <small>± ${esc(formatNumber(e.stderr, 2))}</small>`}`;
    return `<tr><td class="t">${nameHtml(name)}</td><td>${esc(e.kind)}</td><td>${badge(e.direction)}</td><td class="n">${impact}</td><td class="n">${esc(formatNumber(e.importance, 3))}</td><td class="n">${esc(formatNumber(e.changes))}</td></tr>`;
  });
  const skipped = Object.entries(effects.skipped);
  const skippedList =
    skipped.length === 0
      ? ""
      : `<p class="note">Not estimated: ${skipped
          .map(([name, why]) => `<code>${nameHtml(name)}</code> (${esc(why)})`)
          .join("; ")}.</p>`;
  const method = effects.method ? ` <small>(method: ${esc(effects.method)})</small>` : "";
  return `<h3>Parameter effects${method}</h3>${
    rows.length === 0
      ? `<p class="note">No parameter changed often enough to estimate its effect.</p>`
      : table(
          "effects",
          "Parameter effects",
          ["Parameter", "Kind", "Direction", "#Score change per unit", "#Importance", "#Changes"],
          rows,
        )
  }${skippedList}`;
}

function efficiencyFacts(view: ExperimentView): string {
  const e = view.analysis.efficiency;
  if (!e) return "";
  const points = e.change_points ?? [];
  const changes =
    points.length === 0
      ? "none detected"
      : points
          .map(
            (c) =>
              `after iteration ${esc(formatNumber(c.after_iteration))}: mean ${esc(formatNumber(c.mean_before, 3))} → ${esc(formatNumber(c.mean_after, 3))}${c.p === undefined ? "" : ` (p ${esc(formatP(c.p))})`}`,
          )
          .join("<br>");
  return `<h3>Efficiency</h3><dl class="facts">
<dt>Improvement per iteration</dt><dd>${esc(formatSigned(e.improvement_per_iteration))}</dd>
<dt>Improvement per dollar</dt><dd>${esc(formatSigned(e.improvement_per_cost))}</dd>
<dt>Best iteration</dt><dd>${esc(formatNumber(e.best_iteration))}${
    finite(e.iterations_since_best) === null
      ? ""
      : ` <small>(${esc(plural(e.iterations_since_best as number, "iteration"))} since)</small>`
  }</dd>
<dt>Total cost</dt><dd>${esc(formatCost(e.total_cost))}</dd>
<dt>Change points</dt><dd>${changes}</dd>
</dl>`;
}

function overfittingFacts(trajectory: unknown): string {
  const o = overfittingOf(trajectory);
  if (!o) return "";
  const assumptions =
    o.assumptions.length === 0
      ? ""
      : `<dt>Assumed</dt><dd><ul class="assumptions">${o.assumptions.map((a) => `<li>${esc(a)}</li>`).join("")}</ul></dd>`;
  return `<h3>Overfitting guard</h3><dl class="facts">
<dt>Risk</dt><dd>${badge(o.risk)}</dd>
<dt>Metric</dt><dd><code>${esc(o.metric)}</code> ${esc(formatNumber(o.sharpe, 3))} at iteration ${esc(formatNumber(o.best_iteration))}</dd>
<dt>Deflated Sharpe ratio</dt><dd>${esc(formatNumber(o.dsr, 3))} <small>P(true Sharpe &gt; best of ${esc(formatNumber(o.trials))} unskilled tries)</small></dd>
<dt>Probabilistic Sharpe ratio</dt><dd>${esc(formatNumber(o.psr, 3))} <small>P(true Sharpe &gt; 0) from ${esc(formatNumber(o.observations))} observations</small></dd>
${assumptions}
</dl>`;
}

/** The trajectory statistics section. */
export function trajectorySection(view: ExperimentView, id: string): string {
  const trajectory = view.experiment.trajectory;
  const empty = Object.keys(view.analysis).length === 0;
  const intro = empty
    ? `<p class="note">No trajectory analysis was supplied with this report. Pass the trajectory analyzer's result (<code>@converge/analyzers</code>) as <code>trajectory</code> to see trends, the ETA and parameter effects.</p>`
    : overviewFacts(view);
  return `<section><h2 id="${id}">Trajectory</h2>
${intro}
${criteriaTable(view)}
${empty ? "" : metricTrendTable(view, trajectory)}
${informationalSection(view)}
${empty ? "" : parameterTable(view)}
<div class="stat-grid"><div>${empty ? "" : efficiencyFacts(view)}</div><div>${overfittingFacts(trajectory)}</div></div>
</section>`;
}
