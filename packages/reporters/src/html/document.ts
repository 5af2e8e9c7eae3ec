/**
 * The HTML report: one self-contained file (inline CSS, inline SVG charts, no
 * external URL), guarded by a Content-Security-Policy meta tag. See `csp.ts`
 * for the policy and `interactive.ts` for the interactive build.
 */
import { type ReportExperiment, terminalSafe } from "@converge/core";
import { ReportInputError } from "../errors.js";
import { adviceHistory } from "../view-model/advice.js";
import {
  type ChartDescription,
  type ChartEngine,
  defaultChartEngine,
} from "../view-model/chart-engine.js";
import { formatDate } from "../view-model/format.js";
import { type ExperimentView, experimentView } from "../view-model/model.js";
import { writeFileAtomic } from "../write-file.js";
import { chartFigures, type PlacedChart, renderCharts } from "./charts.js";
import { contentSecurityPolicy } from "./csp.js";
import { escapeHtml as esc, escapeAttr } from "./escape.js";
import { EMBED_SCRIPT, vegaBundles } from "./interactive.js";
import { LIVE_CSS, type LiveReportOptions, liveBanner, liveScript } from "./live.js";
import { suffixRegionNames } from "./scroll-box.js";
import { codeSection } from "./section-code.js";
import { comparisonSection } from "./section-comparison.js";
import { iterationsSection } from "./section-iterations.js";
import { assessmentSection, summaryHeader } from "./section-summary.js";
import { trajectorySection } from "./section-trajectory.js";
import { vocabularySection } from "./section-vocabulary.js";
import { reportCss } from "./styles.js";

/** Options of {@link renderHtmlReport}. */
export interface HtmlReportOptions {
  /**
   * Inline the vega, vega-lite and vega-embed browser bundles (about 830 KB)
   * for tooltips and zoom; the file still works offline. Default false: a
   * static report with no script at all.
   */
  interactive?: boolean;
  /** The document title; default the directive (one experiment) or "Comparison of N experiments". */
  title?: string;
  /** The time shown as "generated"; default now. */
  generatedAt?: Date;
  /** Where charts come from; default the package's own charts. */
  chartEngine?: ChartEngine;
  /**
   * Called once per chart that could not be drawn and when a chart list could
   * not be built, with a one-line, terminal-safe message naming the
   * experiment and the chart (the report shows it too). Default: nothing.
   */
  onWarning?: (message: string) => void;
  /**
   * The live build served by `converge watch`: a status line and a script that
   * follows the server's events and swaps in each new version (see `live.ts`).
   * Static charts only: cannot be combined with `interactive`.
   */
  live?: LiveReportOptions;
}

const SECTIONS = [
  ["summary", "Summary"],
  ["assessment", "Assessment"],
  ["trajectory", "Trajectory"],
  ["charts", "Charts"],
  ["iterations", "Iterations"],
  ["code", "Strategy code"],
] as const;

function toList(experiments: ReportExperiment | readonly ReportExperiment[]): ReportExperiment[] {
  const list = Array.isArray(experiments)
    ? [...(experiments as readonly ReportExperiment[])]
    : [experiments as ReportExperiment];
  if (list.length === 0) {
    throw new ReportInputError(
      "a report needs at least one experiment: pass a ReportExperiment ({ meta, records }) or a non-empty array of them",
    );
  }
  for (const [i, e] of list.entries()) {
    if (!e || typeof e !== "object" || !e.meta || !Array.isArray(e.records)) {
      throw new ReportInputError(
        `experiment ${i + 1} is not a ReportExperiment: it needs meta (ExperimentMeta) and records (an array of ExperimentRecord)`,
      );
    }
  }
  return list;
}

function safeCharts(
  produce: () => ChartDescription[],
  owner: string,
  onWarning: (message: string) => void,
): {
  charts: ChartDescription[];
  error?: string;
} {
  try {
    return { charts: produce() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    onWarning(terminalSafe(`${owner}: the charts could not be built: ${message}`));
    return { charts: [], error: message };
  }
}

function chartsSection(
  id: string,
  rendered: readonly PlacedChart[],
  error: string | undefined,
  interactive: boolean,
): string {
  const heading = `<h2 id="${id}">Charts</h2>`;
  if (error !== undefined) {
    return `<section>${heading}<p class="chart-error">The charts could not be built: ${esc(error)}</p></section>`;
  }
  if (rendered.length === 0) {
    return `<section>${heading}<p class="note">No charts for this experiment.</p></section>`;
  }
  const hint = interactive ? "Hover over a chart to read its values." : "";
  return `<section>${heading}${hint ? `<p class="note">${hint}</p>` : ""}<div class="charts">${chartFigures(rendered, { interactive })}</div></section>`;
}

function experimentArticle(
  view: ExperimentView,
  index: number,
  single: boolean,
  charts: { rendered: PlacedChart[]; error?: string },
  interactive: boolean,
): string {
  const anchor = (s: string) => `e${index + 1}-${s}`;
  const article = `<article class="experiment" id="e${index + 1}">
<div id="${anchor("summary")}">${summaryHeader(view, single ? 1 : 2)}</div>
${assessmentSection(view, anchor("assessment"))}
${trajectorySection(view, anchor("trajectory"))}
${chartsSection(anchor("charts"), charts.rendered, charts.error, interactive)}
${iterationsSection(view, anchor("iterations"))}
${codeSection(view, anchor("code"))}
</article>`;
  // In a comparison, the same box ("Metric trends") is in every experiment: name each apart.
  return single ? article : suffixRegionNames(article, ` · experiment ${index + 1}`);
}

function tableOfContents(views: readonly ExperimentView[]): string {
  const withHistory = views.length === 1 && adviceHistory(views[0] as ExperimentView).length > 0;
  const items =
    views.length === 1
      ? SECTIONS.flatMap(([key, label]) => [
          `<li><a href="#e1-${key}">${label}</a></li>`,
          ...(key === "assessment" && withHistory
            ? [`<li><a href="#e1-assessment-history">Advice history</a></li>`]
            : []),
        ])
      : [
          `<li><a href="#comparison">Comparison</a></li>`,
          ...views.map((v, i) => `<li><a href="#e${i + 1}">${esc(v.id)}</a></li>`),
        ];
  return `<nav class="toc" aria-label="Contents"><ol>${items.join("")}</ol></nav>`;
}

interface ExperimentCharts {
  rendered: PlacedChart[];
  error?: string;
}

/** Each experiment's charts, drawn; a failure is reported and kept as that experiment's error. */
function experimentCharts(
  list: readonly ReportExperiment[],
  views: readonly ExperimentView[],
  engine: ChartEngine,
  onWarning: (message: string) => void,
): Promise<ExperimentCharts[]> {
  return Promise.all(
    list.map(async (experiment, i) => {
      const owner = `experiment ${views[i]?.id ?? i + 1}`;
      const { charts, error } = safeCharts(() => engine.chartsFor(experiment), owner, onWarning);
      const rendered = await renderCharts(engine, charts, `e${i + 1}-`, owner, onWarning);
      return error === undefined ? { rendered } : { rendered, error };
    }),
  );
}

/** The comparison section of several experiments, and the charts drawn for it. */
async function comparisonPart(
  list: readonly ReportExperiment[],
  views: readonly ExperimentView[],
  engine: ChartEngine,
  onWarning: (message: string) => void,
  interactive: boolean,
): Promise<{ html: string; rendered: PlacedChart[] }> {
  const owner = `the comparison of ${views.length} experiments`;
  const { charts, error } = safeCharts(() => engine.comparisonCharts(list), owner, onWarning);
  const rendered = await renderCharts(engine, charts, "cmp-", owner, onWarning);
  const figures =
    error !== undefined
      ? `<p class="chart-error">The comparison charts could not be built: ${esc(error)}</p>`
      : rendered.length > 0
        ? `<h3>Charts</h3><div class="charts">${chartFigures(rendered, { interactive })}</div>`
        : "";
  const html = comparisonSection(
    views,
    "comparison",
    views.map((_, i) => `e${i + 1}`),
    figures,
  );
  return { html, rendered };
}

/**
 * Renders one or more experiments as a self-contained HTML document.
 *
 * Sections per experiment: summary (directive, status, verdict, best
 * iteration, gate, totals), the advisor's assessment with the advice history,
 * trajectory statistics, charts, the iteration table and the strategy code
 * with diffs and each iteration's advice, LLM cost and failure analysis; with several
 * experiments a comparison comes first. Every user string is escaped for its
 * context. A chart that fails to draw shows its error in place.
 *
 * @param experiments one experiment or several (several add a comparison)
 * @param options interactive build, title, generated time, chart engine, `onWarning` for charts that could not be drawn
 * @returns the HTML text
 * @throws Error when no experiment is given or one lacks meta/records, or
 *   (interactive) when the vega bundles cannot be found
 */
export async function renderHtmlReport(
  experiments: ReportExperiment | readonly ReportExperiment[],
  options: HtmlReportOptions = {},
): Promise<string> {
  const list = toList(experiments);
  const interactive = options.interactive === true;
  const live = options.live;
  if (live && interactive) {
    throw new ReportInputError(
      "options.live and options.interactive cannot be combined: the live report swaps static charts in place; drop interactive.",
    );
  }
  const engine = options.chartEngine ?? defaultChartEngine;
  const generatedAt = options.generatedAt ?? new Date();
  const views = list.map(experimentView);
  const single = views.length === 1;

  const onWarning = options.onWarning ?? (() => undefined);
  const perExperiment = await experimentCharts(list, views, engine, onWarning);
  const allCharts = perExperiment.flatMap((c) => c.rendered);
  let comparison = "";
  if (!single) {
    const part = await comparisonPart(list, views, engine, onWarning, interactive);
    for (const chart of part.rendered) allCharts.push(chart);
    comparison = part.html;
  }

  const title =
    options.title ??
    (single
      ? views[0]?.directive || `Experiment ${views[0]?.id ?? ""}`
      : `Comparison of ${views.length} experiments`);
  const articles = views.map((v, i) =>
    experimentArticle(v, i, single, perExperiment[i] ?? { rendered: [] }, interactive),
  );
  const css = reportCss(interactive) + (live ? LIVE_CSS : "");
  const scripts = await pageScripts(interactive, live);
  const csp = contentSecurityPolicy({
    styles: [css],
    styleAttributes: allCharts.flatMap((c) => c.styleAttributes),
    scripts,
    connectSelf: live !== undefined,
  });
  const docHead = single
    ? ""
    : `<header class="doc-head"><p class="eyebrow">Converge report</p><h1>${esc(title)}</h1><p class="generated">Generated ${esc(formatDate(generatedAt))}</p></header>`;
  const singleGenerated = single
    ? `<header><p class="generated">Converge report · generated ${esc(formatDate(generatedAt))}</p></header>`
    : "";
  const scriptTags = scripts.map((s) => `<script>${s}</script>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="@converge/reporters">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${css}</style>
</head>
<body>
${live ? liveBanner(live) : ""}
<div class="page">
${docHead}${singleGenerated}
${tableOfContents(views)}
<main>
${comparison}
${articles.join("\n")}
${vocabularySection()}
</main>
<footer class="doc-foot">Generated ${esc(formatDate(generatedAt))} by Converge. ${footerNote(interactive, live !== undefined)}</footer>
</div>
${scriptTags}
</body>
</html>
`;
}

/** The page's inline scripts: the vega bundles and embedding (interactive), the live script, or none. */
async function pageScripts(
  interactive: boolean,
  live: LiveReportOptions | undefined,
): Promise<string[]> {
  if (interactive) return [...(await vegaBundles()), EMBED_SCRIPT];
  return live ? [liveScript(live)] : [];
}

/** What the footer says about where the page's content and scripts come from. */
function footerNote(interactive: boolean, live: boolean): string {
  if (live) {
    return "Served live by converge watch on this machine: the page follows the experiment through its own server and loads nothing from anywhere else.";
  }
  return `This file is self-contained: it loads nothing from the network${interactive ? "; the interactive charts run from scripts inlined in it" : " and runs no script"}.`;
}

/**
 * Renders the report (see {@link renderHtmlReport}) and writes it to `path`
 * with `writeFileAtomic`: a regular file atomically (temporary file in the
 * same directory, fsync, rename; through a symbolic link, the file it points
 * to), a device or FIFO (`/dev/stdout`, `/dev/null`) in place; a directory
 * is refused.
 *
 * @returns the number of bytes written
 */
export async function writeHtmlReport(
  experiments: ReportExperiment | readonly ReportExperiment[],
  path: string,
  options: HtmlReportOptions = {},
): Promise<number> {
  const html = await renderHtmlReport(experiments, options);
  await writeFileAtomic(path, html);
  return Buffer.byteLength(html);
}
