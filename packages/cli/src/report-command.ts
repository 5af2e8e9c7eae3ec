import { statSync } from "node:fs";
import { resolve } from "node:path";
import { type ReportExperiment, StoreError, terminalSafe } from "@converge/core";
import { type Command, Option } from "commander";
import { analysisOptions, foreignHelp } from "./analyze-command.js";
import { type LoadOptions, loadTargets, resolveTargets } from "./analyze-command-load.js";
import type { CommandContext } from "./context.js";
import { mlflowExperimentOption, storeOption } from "./options.js";
import { reportExperiments } from "./report-experiments.js";
import { UsageError } from "./usage-error.js";

interface ReportOptions extends LoadOptions {
  output?: string;
  format: "html" | "md";
  interactive?: boolean;
  title?: string;
}

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

/** Adds `converge report` to a program. */
export function registerReport(program: Command, ctx: CommandContext): Command {
  const command = program
    .command("report")
    .description(
      "Write a report of one experiment, or a comparison of several: a self-contained HTML file (charts, statistics, the advisor's assessment, every iteration and its code diff) or Markdown with SVG charts.",
    )
    .argument(
      "<experiment...>",
      "experiment ids, <experiment_id>.jsonl files, or directories (every experiment in each); with --runs / --history, MLflow experiment names",
    )
    .addOption(storeOption())
    .addOption(mlflowExperimentOption())
    .option(
      "-o, --output <file>",
      "where to write the report; - for stdout (default: report.html or report.md)",
    )
    .addOption(
      new Option("--format <format>", "html (one self-contained file) or md (Markdown + SVG files)")
        .choices(["html", "md"])
        .default("html"),
    )
    .option(
      "--interactive",
      "HTML only: inline the vega browser bundles (~830 KB) for tooltips; still offline",
    )
    .option("--title <text>", "the report's title (default: the directive)");
  return analysisOptions(command)
    .addHelpText("after", reportHelp())
    .action(async (args: string[], options: ReportOptions) => {
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
    });
}

/** The text after the options in `converge report --help`. */
function reportHelp(): string {
  return `
Each experiment is analysed as converge analyze does and assessed by the rule
advisor; the report shows both. Several experiments (or a directory) give a
comparison report. The HTML file has no external URL of any kind and opens
offline, e.g. as an email attachment; Markdown writes its charts as SVG files
into <name>-charts/ beside it. Files are written atomically; a device or
FIFO given as -o is written in place. With -o - the report goes to stdout and
status lines to stderr (Markdown then has no charts: they need a file path).

Examples:
  $ converge report exp_20260118_143022
  $ converge report ./logs/exp_20260118_143022.jsonl -o review.html --interactive
  $ converge report exp_a exp_b --store ./runs -o comparison.html
  $ converge report ./experiments --format md -o REPORT.md
  $ converge report exp_20260118_143022 -o - > review.html
${foreignHelp("report", " -o sweep.html")}`;
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
