/**
 * The charts of the Markdown report: SVG files linked as images, or (for a
 * report written to a stream, where no file can sit beside it) a one-line
 * note in their place. A chart that cannot be drawn is said in the report and
 * through `onWarning`.
 */
import { terminalSafe } from "@converge/core";
import type { ChartDescription } from "../view-model/chart-engine.js";
import { escapeMarkdown as md } from "./escape.js";

/** Where the charts go: "files" (SVG files beside the document) or "omit" (a note instead). */
export type MarkdownCharts = "files" | "omit";

/** What {@link chartsMarkdown} needs. */
export interface ChartsContext {
  renderSvg(spec: unknown): Promise<string>;
  charts: MarkdownCharts;
  chartDir: string;
  /** Chart SVG documents by path relative to the document; filled in. */
  files: Record<string, string>;
  onWarning: (message: string) => void;
}

function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+/, "") || "chart";
}

function linkPath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The line that stands for charts left out of a report written without files. */
export function omittedChartsNote(titles: readonly string[]): string {
  const list = titles.map((t) => `“${md(t, "space")}”`).join(", ");
  const what =
    titles.length === 1 ? `The chart ${list} is` : `${titles.length} charts (${list}) are`;
  return `_${what} not included: charts are SVG files written beside the Markdown file, so they need a file output (e.g. \`-o report.md\`)._`;
}

/**
 * The charts' Markdown: an image and a caption per chart drawn, a note per
 * chart that could not be drawn (also passed to `onWarning`, naming `owner`).
 *
 * @param list the charts
 * @param prefix file name prefix within the chart directory
 * @param owner who the charts belong to, for warnings: "experiment exp_1" or "the comparison"
 */
export async function chartsMarkdown(
  context: ChartsContext,
  list: readonly ChartDescription[],
  prefix: string,
  owner: string,
): Promise<string> {
  if (list.length === 0) return "";
  if (context.charts === "omit") return omittedChartsNote(list.map((c) => c.title));
  const out: string[] = [];
  for (const chart of list) {
    const path = `${context.chartDir}/${fileSafe(`${prefix}${chart.id}`)}.svg`;
    try {
      context.files[path] = await context.renderSvg(chart.spec);
      out.push(
        `![${md(chart.title, "space")}](${linkPath(path)})\n\n_${md(chart.description, "space")}_`,
      );
    } catch (error) {
      const reason = messageOf(error);
      context.onWarning(
        terminalSafe(`${owner}: the chart “${chart.title}” could not be drawn: ${reason}`),
      );
      out.push(
        `_The chart “${md(chart.title, "space")}” could not be drawn: ${md(reason, "space")}_`,
      );
    }
  }
  return out.join("\n\n");
}

/**
 * The chart list of an experiment (or of the comparison); a failure to build
 * it is an `error` for the report and a warning naming `owner`.
 */
export function chartList(
  produce: () => ChartDescription[],
  owner: string,
  onWarning: (message: string) => void,
): { list: ChartDescription[]; error?: string } {
  try {
    return { list: produce() };
  } catch (error) {
    const reason = messageOf(error);
    onWarning(terminalSafe(`${owner}: the charts could not be built: ${reason}`));
    return { list: [], error: reason };
  }
}
