/**
 * The top of each experiment: what it tries to do, where it stands, the key
 * numbers, and the advisor's assessment with the next action up front.
 */

import { own } from "../own.js";
import { adviceSourceText, fallbackLine, shownAdvice } from "../view-model/advice.js";
import { formatCost, formatDuration, formatNumber, formatPercent } from "../view-model/format.js";
import { type ExperimentView, gateState, hasGate } from "../view-model/model.js";
import { etaText, horizonText, outlookText, probabilityText } from "../view-model/outlook.js";
import { escapeHtml as esc } from "./escape.js";
import { nameHtml } from "./marks.js";
import { scrollBox } from "./scroll-box.js";
import { ACTION_TONE, adviceHistorySection } from "./section-advice.js";
import { termLink } from "./section-vocabulary.js";

const STATUS_TONE: Record<string, string> = {
  SUCCESS: "ok",
  FAILED: "bad",
  ABANDONED: "bad",
  IN_PROGRESS: "warn",
  PIVOT_TO_RESEARCH: "warn",
  MAX_ITERATIONS: "bad",
  BUDGET_EXHAUSTED: "bad",
};

/** A status word as a coloured badge. */
export function statusBadge(status: string): string {
  return `<span class="badge ${own(STATUS_TONE, status) ?? ""}">${esc(status.replace(/_/g, " "))}</span>`;
}

function bestIterationCard(view: ExperimentView): string {
  const best = view.summary.best_iteration;
  if (best === null) return `<div><dt>Best iteration</dt><dd>—</dd></div>`;
  const score = view.summary.best_gate_score;
  const detail =
    typeof score === "number" ? `<small>gate score ${esc(formatNumber(score, 3))}</small>` : "";
  return `<div><dt>Best iteration</dt><dd>${esc(formatNumber(best))}${detail}</dd></div>`;
}

function gateCard(view: ExperimentView): string {
  const state = gateState(view);
  const detail =
    view.firstPass === null
      ? hasGate(view)
        ? "<small>no iteration passed yet</small>"
        : "<small>no gate recorded</small>"
      : `<small>first passed at iteration ${esc(formatNumber(view.firstPass))}</small>`;
  return `<div><dt>Quality gate</dt><dd><span class="badge ${state.tone}">${state.text}</span>${detail}</dd></div>`;
}

/**
 * The chance to pass within the iterations left, with its horizon and the
 * ETA with its level; nothing when the analysis has no success probability.
 */
function outlookCard(view: ExperimentView): string {
  const s = view.analysis.success_probability;
  if (!s) return "";
  const eta = view.analysis.iterations_to_success;
  const when =
    eta && !(s.probability === 1 && eta.estimate === 0)
      ? `<small>ETA ${esc(etaText(eta))}</small>`
      : "";
  return `<div class="outlook"><dt>${termLink("success-probability", "Success probability")}</dt><dd>${esc(probabilityText(s.probability))}<small>${esc(horizonText(s))}</small>${when}</dd></div>`;
}

/** The experiment's header: directive, status, verdict and key numbers. */
export function summaryHeader(view: ExperimentView, headingLevel: 1 | 2): string {
  const s = view.summary;
  const heading = view.directive || `Experiment ${view.id}`;
  const tag = `h${headingLevel}`;
  const costNote = view.rows.some((r) => r.record.llm_usage.length > 0)
    ? "<small>including language-model calls</small>"
    : "";
  return `<header class="exp-head">
<p class="eyebrow">Experiment <code>${esc(view.id)}</code></p>
<${tag} class="directive-title">${esc(heading)}</${tag}>
<p>${statusBadge(view.status)}</p>
<p class="verdict">${esc(view.verdict)}</p>
<dl class="numbers">
${bestIterationCard(view)}
${gateCard(view)}
<div><dt>Iterations</dt><dd>${esc(formatNumber(s.total_iterations))}</dd></div>
<div><dt>Compute time</dt><dd>${esc(formatDuration(s.total_compute_time))}</dd></div>
<div><dt>Cost</dt><dd>${esc(formatCost(s.total_cost))}${costNote}</dd></div>
${outlookCard(view)}
</dl>
</header>`;
}

const ACTION_WORDS: Record<string, string> = {
  CONTINUE: "keep iterating on this strategy",
  PIVOT: "change approach: go back to research",
  ABANDON: "stop this experiment",
};

function list(items: readonly string[]): string {
  return `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join("")}</ul>`;
}

/**
 * The advisor's assessment (the advice given to the report, else the loop's
 * last advice from the summary), or a note that there is none; then the
 * advice history when the records carry advice.
 */
export function assessmentSection(view: ExperimentView, id: string): string {
  const heading = `<h2 id="${id}">Advisor's assessment</h2>`;
  const history = adviceHistorySection(view, `${id}-history`);
  const shown = shownAdvice(view);
  if (!shown) {
    return `<section>${heading}<p class="note">No advisor assessed this experiment for this report. Run an advisor (the rule advisor or a language model) and pass its advice to include it here.</p>${history}</section>`;
  }
  const { advice, stored } = shown;
  const a = advice.assessment;
  const action = String(a.next_action);
  const facts: string[] = [
    `<dt>Said by</dt><dd>${esc(adviceSourceText(advice.source))} <small>(<code>${esc(advice.source)}</code>)</small></dd>`,
  ];
  if (advice.model) facts.push(`<dt>Model</dt><dd><code>${esc(advice.model)}</code></dd>`);
  if (advice.promptVersion) {
    facts.push(`<dt>Prompt version</dt><dd><code>${esc(advice.promptVersion)}</code></dd>`);
  }
  if (advice.fallback) {
    facts.push(
      `<dt>Fallback</dt><dd class="fb">⚠ ${esc(fallbackLine({ fallback: advice.fallback, source: advice.source }))}</dd>`,
    );
  }
  facts.push(
    `<dt>Confidence</dt><dd>${esc(formatPercent(a.confidence))}</dd>`,
    // The assessment's words under the vocabulary's labels (docs/vocabulary.md): gradient_effectiveness
    // judges the parameter changes, not the score's gradient, so it is not labelled "Gradient".
    `<dt>${termLink("convergence", "Convergence")}</dt><dd>${esc(String(a.convergence_assessment))}</dd>`,
    `<dt>${termLink("parameter-changes", "Parameter changes")}</dt><dd>${esc(String(a.gradient_effectiveness))}</dd>`,
    `<dt>${termLink("likelihood", "Likelihood of success")}</dt><dd>${esc(String(a.likelihood_of_success))}</dd>`,
    `<dt>Iterations still needed</dt><dd>${
      a.estimated_iterations_needed === null
        ? "unknown"
        : esc(formatNumber(a.estimated_iterations_needed))
    }</dd>`,
  );
  // The model's numbers beside the advisor's words, from the analysis this report shows.
  const outlook = outlookText(
    view.analysis.success_probability,
    view.analysis.iterations_to_success,
  );
  if (outlook !== null) {
    facts.push(
      `<dt>Outlook</dt><dd class="outlook">${esc(outlook)} <small>(trajectory analysis)</small></dd>`,
    );
  }
  const storedNote = stored
    ? `<p class="note">The loop's last advice, kept in the experiment summary${
        typeof view.summary.advice?.after_iteration === "number"
          ? ` (asked after iteration ${esc(formatNumber(view.summary.advice.after_iteration))})`
          : ""
      }.</p>`
    : "";
  const params = Object.entries(a.parameter_recommendations);
  const paramTable =
    params.length === 0
      ? ""
      : `<h3>Parameter recommendations</h3>${scrollBox(
          `<table class="param-advice"><thead><tr><th>Parameter</th><th>Advice</th></tr></thead><tbody>${params
            .map(
              ([name, text]) =>
                `<tr><td class="t">${nameHtml(name)}</td><td class="t">${esc(text)}</td></tr>`,
            )
            .join("")}</tbody></table>`,
          { label: "Parameter recommendations", kind: "fit", short: true },
        )}`;
  return `<section>${heading}${storedNote}
<div class="callout ${own(ACTION_TONE, action) ?? ""}">
<p class="next-action">${esc(action)} <small>${esc(own(ACTION_WORDS, action) ?? "recommended next action")}</small></p>
<dl class="facts">${facts.join("")}</dl>
${a.reasoning ? `<p class="reasoning">${esc(a.reasoning)}</p>` : ""}
${a.specific_recommendations.length > 0 ? `<h3>Recommendations</h3>${list(a.specific_recommendations)}` : ""}
${a.key_findings.length > 0 ? `<h3>Key findings</h3>${list(a.key_findings)}` : ""}
${paramTable}
</div>
${history}
</section>`;
}
