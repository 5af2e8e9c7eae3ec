/**
 * The Markdown report, for pull-request reviews: summary, key numbers, the
 * advisor's assessment and advice history, a compact iteration table, the
 * latest strategy code change, each iteration's advice, LLM cost and failure
 * analysis, and the charts as SVG files linked beside the document. Every
 * user string is escaped for Markdown.
 */
import { directionText, type ReportExperiment, VOCABULARY } from "@converge/core";
import { ReportInputError } from "../errors.js";
import { own } from "../own.js";
import { adviceSourceText, fallbackLine, shownAdvice } from "../view-model/advice.js";
import type { ChartEngine } from "../view-model/chart-engine.js";
import { defaultChartEngine } from "../view-model/chart-engine.js";
import {
  formatCost,
  formatDate,
  formatDuration,
  formatNumber,
  formatPercent,
  formatValue,
  MISSING,
  plural,
} from "../view-model/format.js";
import { constantMetrics, tableMetrics } from "../view-model/metric-roles.js";
import {
  criterionText,
  type ExperimentView,
  experimentView,
  gateState,
  type IterationRow,
} from "../view-model/model.js";
import { etaText, outlookText } from "../view-model/outlook.js";
import { adviceHistoryMarkdown, iterationNotesMarkdown } from "./advice.js";
import { type ChartsContext, chartList, chartsMarkdown, type MarkdownCharts } from "./charts.js";
import { codeMarkdown } from "./code.js";
import { cell, escapeMarkdown as md } from "./escape.js";
import { informationalMarkdown, metricTrendsMarkdown, vocabularyDetails } from "./metrics.js";

/** Options of {@link renderMarkdownReport}. */
export interface MarkdownReportOptions {
  /** Directory of the chart files, relative to the document (default "charts"). */
  chartDir?: string;
  /** The document title; default the directive (one experiment) or "Comparison of N experiments". */
  title?: string;
  /** The time shown as "generated"; default now. */
  generatedAt?: Date;
  /** Where charts come from; default the package's own charts. */
  chartEngine?: ChartEngine;
  /** Iteration tables longer than this show a selection of rows (default 25). */
  maxRows?: number;
  /**
   * "files" (default): each chart is an SVG in `files`, linked as an image.
   * "omit": no chart is drawn and `files` stays empty; a one-line note says
   * the charts need a file output. For a report printed to a stream
   * (`converge report --format markdown -o -`).
   */
  charts?: MarkdownCharts;
  /**
   * Called once per chart that could not be drawn and when an experiment's
   * chart list could not be built, with a one-line, terminal-safe message
   * naming the experiment and the chart (the report says it too). Default: nothing.
   */
  onWarning?: (message: string) => void;
}

/** A rendered Markdown report. */
export interface MarkdownReport {
  markdown: string;
  /** Chart SVG documents by path relative to the Markdown file. */
  files: Record<string, string>;
}

const MAX_PARAMETERS = 8;

function keyNumbers(view: ExperimentView): string {
  const s = view.summary;
  const gate = gateState(view);
  const a = view.analysis;
  const best =
    s.best_iteration === null
      ? MISSING
      : `${formatNumber(s.best_iteration)}${typeof s.best_gate_score === "number" ? ` (gate score ${formatNumber(s.best_gate_score, 3)})` : ""}`;
  const rows: [string, string][] = [
    ["Status", md(view.status)],
    ["Best iteration", best],
    [
      "Quality gate",
      `${gate.text}${view.firstPass === null ? "" : ` (first passed at iteration ${formatNumber(view.firstPass)})`}`,
    ],
    ["Iterations", formatNumber(s.total_iterations)],
    ["Compute time", formatDuration(s.total_compute_time)],
    ["Cost", formatCost(s.total_cost)],
  ];
  const status = a.score_trend?.status ?? a.convergence_status;
  if (status) {
    // The verdict with the score's direction (docs/vocabulary.md: convergence).
    const source = a.score_trend?.source;
    const scored = source?.startsWith("objective:")
      ? `${cell(source.slice("objective:".length))}, ${directionText(own(view.goals, source.slice("objective:".length)) ?? "maximize")}`
      : "gate score, higher is better";
    rows.push([
      "Trajectory",
      `${status} (${scored})${a.score_trend?.reason ? ` — ${cell(a.score_trend.reason)}` : ""}`,
    ]);
  }
  if (a.gradient_direction) {
    const meaning = VOCABULARY.find((t) => t.id === "gradient")?.values.find(
      (v) => v.value === a.gradient_direction,
    )?.meaning;
    rows.push(["Gradient", `${cell(a.gradient_direction)}${meaning ? ` (${meaning})` : ""}`]);
  }
  const eta = a.iterations_to_success;
  const outlook = outlookText(a.success_probability, eta);
  if (outlook !== null) rows.push(["Outlook", cell(outlook)]);
  else if (eta && eta.estimate !== null) {
    // An analysis from before the success probability: its ETA as it was stated.
    rows.push(["Iterations to success", cell(etaText(eta))]);
  }
  if (typeof a.distance_to_goal === "number")
    rows.push(["Distance to goal", formatNumber(a.distance_to_goal, 3)]);
  return `| Key numbers | |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join("\n")}`;
}

function assessment(view: ExperimentView): string {
  const shown = shownAdvice(view);
  if (!shown) return "_No advisor assessed this experiment for this report._";
  const { advice, stored } = shown;
  const a = advice.assessment;
  const origin = [
    advice.model && advice.source !== `llm:${advice.model}` ? `model ${md(advice.model)}` : "",
    advice.promptVersion ? `prompt ${md(advice.promptVersion)}` : "",
  ].filter((s) => s !== "");
  const lines = [
    `> **Next action: ${md(String(a.next_action))}** · confidence ${formatPercent(a.confidence)} · likelihood of success ${md(String(a.likelihood_of_success))} · convergence ${md(String(a.convergence_assessment))} · parameter changes ${md(String(a.gradient_effectiveness))}`,
    `> Said by ${md(adviceSourceText(advice.source))} (source: ${md(advice.source)}${origin.length > 0 ? `; ${origin.join(", ")}` : ""})`,
  ];
  if (advice.fallback) {
    lines.push(
      `> ⚠ ${md(fallbackLine({ fallback: advice.fallback, source: advice.source }), "space")}`,
    );
  }
  const outlook = outlookText(
    view.analysis.success_probability,
    view.analysis.iterations_to_success,
  );
  if (outlook !== null) lines.push(`> Outlook (trajectory analysis): ${md(outlook, "space")}`);
  if (stored) lines.push(">", "> _The loop's last advice, kept in the experiment summary._");
  if (a.reasoning) lines.push(">", `> ${md(a.reasoning, "space")}`);
  const list = (title: string, items: readonly string[]) =>
    items.length === 0 ? [] : ["", `**${title}**`, "", ...items.map((i) => `- ${md(i, "space")}`)];
  // No spread into push: a list of any length must not overflow the call stack.
  for (const line of list("Recommendations", a.specific_recommendations)) lines.push(line);
  for (const line of list("Key findings", a.key_findings)) lines.push(line);
  const params = Object.entries(a.parameter_recommendations);
  if (params.length > 0) {
    lines.push(
      "",
      "| Parameter | Advice |",
      "|---|---|",
      ...params.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`),
    );
  }
  return lines.join("\n");
}

/** The rows to show: all, or the first 3, the best, the first pass and the last ones. */
function selectRows(view: ExperimentView, maxRows: number): (IterationRow | number)[] {
  const rows = view.rows;
  if (rows.length <= maxRows) return rows;
  const keep = new Set<number>([0, 1, 2]);
  const best = rows.findIndex((r) => r.record.iteration === view.summary.best_iteration);
  const pass = rows.findIndex((r) => r.record.gate_passed);
  if (best >= 0) keep.add(best);
  if (pass >= 0) keep.add(pass);
  for (let i = Math.max(0, rows.length - (maxRows - keep.size)); i < rows.length; i++) keep.add(i);
  const out: (IterationRow | number)[] = [];
  let last = -1;
  for (const i of [...keep].sort((x, y) => x - y)) {
    if (i > last + 1) out.push(i - last - 1);
    out.push(rows[i] as IterationRow);
    last = i;
  }
  return out;
}

function iterationTable(view: ExperimentView, maxRows: number): string {
  if (view.rows.length === 0) return "_No iterations yet._";
  const changedAny = view.parameterNames.filter((p) => view.rows.some((r) => r.changed.has(p)));
  const params = (changedAny.length > 0 ? changedAny : view.parameterNames).slice(
    0,
    MAX_PARAMETERS,
  );
  const metrics = tableMetrics(view);
  const criteria = new Map(
    view.gate?.criteria.map((c) => [c.metric, criterionText(c.op, c.threshold)]),
  );
  const head = [
    "#",
    ...params.map((p) => cell(p)),
    ...metrics.map((m) => `${cell(m)}${criteria.has(m) ? ` (${criteria.get(m)})` : ""}`),
    "Gate score",
    "Action",
    "Cost",
  ];
  const align = [
    "--:",
    ...params.map(() => "--:"),
    ...metrics.map(() => "--:"),
    "--:",
    "---",
    "--:",
  ];
  const lines = [`| ${head.join(" | ")} |`, `| ${align.join(" | ")} |`];
  for (const row of selectRows(view, maxRows)) {
    if (typeof row === "number") {
      lines.push(`| ⋮ | _${plural(row, "iteration")} not shown_ |${" |".repeat(head.length - 2)}`);
      continue;
    }
    const r = row.record;
    const mark = r.gate_passed ? " ✓" : "";
    const cells = [
      `${r.iteration === view.summary.best_iteration ? "★ " : ""}${r.iteration}${mark}`,
      ...params.map((p) => {
        const text = Object.hasOwn(r.parameters, p) ? cell(formatValue(r.parameters[p])) : MISSING;
        return row.changed.has(p) ? `**${text}**` : text;
      }),
      ...metrics.map((m) => `${formatNumber(own(r.metrics, m))}${row.failed.has(m) ? " ✗" : ""}`),
      formatNumber(r.gate_score, 3),
      cell(r.action_taken),
      formatCost(r.cost),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  const note = [
    "**Bold**: parameter changed since the previous iteration · ✗ metric failed its gate criterion · ✓ passed the gate · ★ best iteration",
  ];
  if (view.parameterNames.length > params.length) {
    note.push(
      `Showing ${params.length} of ${view.parameterNames.length} parameters (those that changed); the HTML report has them all.`,
    );
  }
  const constant = constantMetrics(view).map(
    (m) => `${md(m)} ${formatNumber(own(view.spans, m)?.first)}`,
  );
  if (constant.length > 0) note.push(`The same in every iteration: ${constant.join(", ")}`);
  return `${lines.join("\n")}\n\n_${note.join(". ")}_`;
}

function comparison(views: readonly ExperimentView[]): string {
  const head =
    "| Experiment | Directive | Status | Iterations | Best iteration (score) | Gate | Next action | Cost |\n|---|---|---|--:|--:|---|---|--:|";
  const rows = views.map((v) => {
    const s = v.summary;
    const best =
      s.best_iteration === null
        ? MISSING
        : `${s.best_iteration}${typeof s.best_gate_score === "number" ? ` (${formatNumber(s.best_gate_score, 3)})` : ""}`;
    const action = shownAdvice(v)?.advice.assessment.next_action;
    return `| \`${v.id}\` | ${cell(v.directive || MISSING)} | ${md(v.status)} | ${v.rows.length} | ${best} | ${gateState(v).text} | ${action ? md(String(action)) : MISSING} | ${formatCost(s.total_cost)} |`;
  });
  return `${head}\n${rows.join("\n")}`;
}

/**
 * Renders one or more experiments as Markdown with the charts as separate SVG
 * files (linked as images under `chartDir`).
 *
 * @param experiments one experiment or several (several add a comparison)
 * @param options chart directory, title, generated time, chart engine, row limit, `charts: "omit"` (no chart files, a note instead), `onWarning`
 * @returns the Markdown text and the chart files by relative path
 * @throws ReportInputError when no experiment is given
 */
export async function renderMarkdownReport(
  experiments: ReportExperiment | readonly ReportExperiment[],
  options: MarkdownReportOptions = {},
): Promise<MarkdownReport> {
  const list = Array.isArray(experiments) ? [...experiments] : [experiments as ReportExperiment];
  if (list.length === 0) {
    throw new ReportInputError(
      "a report needs at least one experiment: pass a ReportExperiment ({ meta, records }) or a non-empty array of them",
    );
  }
  const engine = options.chartEngine ?? defaultChartEngine;
  const chartDir = (options.chartDir ?? "charts").replace(/\/+$/, "") || "charts";
  const maxRows = Math.max(5, options.maxRows ?? 25);
  const views = list.map(experimentView);
  const single = views.length === 1;
  const files: Record<string, string> = {};
  const onWarning = options.onWarning ?? (() => undefined);
  const context: ChartsContext = {
    renderSvg: (spec) => engine.renderSvg(spec),
    charts: options.charts ?? "files",
    chartDir,
    files,
    onWarning,
  };
  const title =
    options.title ??
    (single
      ? views[0]?.directive || `Experiment ${views[0]?.id}`
      : `Comparison of ${views.length} experiments`);
  const parts = [
    `# ${md(title, "space")}`,
    `_Converge report · generated ${formatDate(options.generatedAt ?? new Date())}_`,
  ];
  if (!single) {
    parts.push(`## Comparison of ${views.length} experiments`, comparison(views));
    const owner = `the comparison of ${views.length} experiments`;
    const { list: cmp, error } = chartList(() => engine.comparisonCharts(list), owner, onWarning);
    if (error) parts.push(`_The comparison charts could not be built: ${md(error, "space")}_`);
    const drawn = await chartsMarkdown(context, cmp, "comparison-", owner);
    if (drawn) parts.push(drawn);
  }
  for (const [i, view] of views.entries()) {
    const h = single ? "##" : "###";
    if (!single) parts.push(`## ${md(view.directive || view.id, "space")}`);
    parts.push(
      `Experiment \`${view.id}\` · **${md(view.status)}**`,
      md(view.verdict),
      keyNumbers(view),
    );
    parts.push(`${h} Assessment`, assessment(view));
    const trends = metricTrendsMarkdown(view);
    if (trends) parts.push(`${h} Metric trends`, trends);
    const informational = informationalMarkdown(view);
    if (informational) parts.push(`${h} Informational metrics`, informational);
    const history = adviceHistoryMarkdown(view, maxRows);
    if (history) parts.push(`${h} Advice history`, history);
    const owner = `experiment ${view.id}`;
    const charts = chartList(() => engine.chartsFor(view.experiment), owner, onWarning);
    const { error } = charts;
    const drawn = await chartsMarkdown(context, charts.list, single ? "" : `e${i + 1}-`, owner);
    if (error) parts.push(`${h} Charts`, `_The charts could not be built: ${md(error, "space")}_`);
    else if (drawn) parts.push(`${h} Charts`, drawn);
    parts.push(`${h} Iterations`, iterationTable(view, maxRows));
    const code = codeMarkdown(view);
    if (code) parts.push(`${h} Strategy code`, code);
    const notes = iterationNotesMarkdown(view, maxRows);
    if (notes) parts.push(`${h} Advice, LLM cost and failure analysis by iteration`, notes);
  }
  parts.push(vocabularyDetails());
  return { markdown: `${parts.join("\n\n")}\n`, files };
}
