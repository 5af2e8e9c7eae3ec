import { statSync } from "node:fs";
import { resolve } from "node:path";
import { type ReportExperiment, StoreError, terminalSafe } from "@converge/core";
import { loadTargets, resolveTargets } from "./analyze-command-load.js";
import type { CommandContext } from "./context.js";
import type { ReportOptions } from "./report-command.js";
import { reportExperiments } from "./report-experiments.js";
import { UsageError } from "./usage-error.js";

/**
 * The options every reporter call of `converge report` shares: the title, and
 * `onWarning` saying on stderr (`warning: ...`) each chart that could not be
 * drawn, which the report itself only shows where the chart would be.
 */
export function reportRenderOptions(
  ctx: CommandContext,
  title: string | undefined,
): { title?: string; onWarning: (message: string) => void } {
  return {
    ...(title !== undefined && { title }),
    onWarning: (message) => ctx.err(`warning: ${message}`),
  };
}

/** `converge report`: loaded when the command runs (see report-command.ts). */
export async function runReport(
  args: string[],
  options: ReportOptions,
  ctx: CommandContext,
): Promise<void> {
  if (options.interactive && options.format === "md") {
    throw new UsageError(
      "--interactive applies to HTML reports only; drop it or use --format html.",
    );
  }
  const targets = await resolveTargets(args, options, ctx);
  const { experiments, failed } = await loadTargets(targets, options, ctx);
  if (failed > 0) {
    throw new StoreError(
      `${failed} experiment(s) could not be read (see the messages above); no report was written.`,
    );
  }
  await writeReport(await reportExperiments(experiments), options, ctx);
}

/** Renders the report and writes it to -o (a file, a device, or stdout with "-"), with a status line. */
async function writeReport(
  report: ReportExperiment[],
  options: ReportOptions,
  ctx: CommandContext,
): Promise<void> {
  const reporters = await import("@converge/reporters");
  const common = reportRenderOptions(ctx, options.title);
  const count = `${report.length} experiment${report.length === 1 ? "" : "s"}`;
  if (options.output === "-") {
    // stdout is the report: every status line goes to stderr.
    if (options.format === "md") {
      const md = await reporters.renderMarkdownReport(report, { ...common, charts: "omit" });
      ctx.io.stdout.write(md.markdown);
      ctx.err(
        "note: the charts were omitted: Markdown on stdout has no files beside it. Give -o FILE.md to get them as SVG files in FILE-charts/.",
      );
    } else {
      const html = await reporters.renderHtmlReport(report, {
        ...common,
        interactive: options.interactive === true,
      });
      ctx.io.stdout.write(html);
      ctx.err(`Wrote the report to stdout (${kilobytes(Buffer.byteLength(html))}, ${count}).`);
    }
    return;
  }
  const path = resolve(
    ctx.io.cwd,
    options.output ?? (options.format === "md" ? "report.md" : "report.html"),
  );
  const shown = terminalSafe(path);
  if (options.format === "md") {
    const files = await reporters.writeMarkdownReport(report, path, common);
    const toFile = isRegularFile(path);
    // A report written into a device or FIFO (even /dev/stdout) must not get a status line mixed in.
    const say = toFile ? ctx.out : ctx.err;
    say(`Wrote ${shown} and ${files.length - 1} chart file(s) beside it.`);
    if (!toFile) {
      ctx.err(
        `note: the charts were omitted: ${shown} is no regular file, so no chart files can sit beside it. Give -o FILE.md to get them.`,
      );
    }
  } else {
    const bytes = await reporters.writeHtmlReport(report, path, {
      ...common,
      interactive: options.interactive === true,
    });
    const say = isRegularFile(path) ? ctx.out : ctx.err;
    say(`Wrote ${shown} (${kilobytes(bytes)}, ${count}).`);
  }
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KB`;
}

/** Whether `path` is (or links to) a regular file, as opposed to a device, FIFO or terminal. */
function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
