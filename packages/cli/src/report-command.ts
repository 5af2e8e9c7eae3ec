import { type Command, Option } from "commander";
import { analysisOptions, foreignHelp } from "./analyze-command.js";
import type { LoadOptions } from "./analyze-command-load.js";
import type { CommandContext } from "./context.js";
import { mlflowExperimentOption, storeOption } from "./options.js";

/** The options of `converge report`. */
export interface ReportOptions extends LoadOptions {
  output?: string;
  format: "html" | "md";
  interactive?: boolean;
  title?: string;
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
      const { runReport } = await import("./report-action.js");
      await runReport(args, options, ctx);
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
