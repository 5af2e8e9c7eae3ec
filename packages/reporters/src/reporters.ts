/**
 * The reports as core `Reporter` plugins (specificationVersion "v1"), for
 * code that picks a reporter by format (the CLI's `converge report`).
 */
import type { ReportExperiment, Reporter, ReportOutput } from "@converge/core";
import { type HtmlReportOptions, renderHtmlReport } from "./html/document.js";
import { type MarkdownReportOptions, renderMarkdownReport } from "./markdown/render.js";

/**
 * The HTML report as a `Reporter`: `render({ experiments })` gives the
 * self-contained document as `body` (`text/html; charset=utf-8`), no
 * attachments.
 *
 * @param options as for `renderHtmlReport` (interactive, title, generatedAt, chartEngine)
 */
export function htmlReporter(options: HtmlReportOptions = {}): Reporter {
  return Object.freeze({
    specificationVersion: "v1" as const,
    name: options.interactive ? "html-interactive" : "html",
    async render({
      experiments,
    }: {
      experiments: readonly ReportExperiment[];
    }): Promise<ReportOutput> {
      return {
        body: await renderHtmlReport(experiments, options),
        contentType: "text/html; charset=utf-8",
      };
    },
  });
}

/**
 * The Markdown report as a `Reporter`: `render({ experiments })` gives the
 * document as `body` (`text/markdown; charset=utf-8`) and the chart SVGs as
 * `attachments`, keyed by the relative paths the document links
 * (`<chartDir>/<chart>.svg`); write them beside the document.
 *
 * @param options as for `renderMarkdownReport` (chartDir default "charts", title, generatedAt, ...)
 */
export function markdownReporter(options: MarkdownReportOptions = {}): Reporter {
  return Object.freeze({
    specificationVersion: "v1" as const,
    name: "markdown",
    async render({
      experiments,
    }: {
      experiments: readonly ReportExperiment[];
    }): Promise<ReportOutput> {
      const { markdown, files } = await renderMarkdownReport(experiments, options);
      return { body: markdown, contentType: "text/markdown; charset=utf-8", attachments: files };
    },
  });
}
