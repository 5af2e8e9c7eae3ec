import { resolve } from "node:path";
import type { ReportExperiment } from "@converge/core";
import { type Command, Option } from "commander";
import { analysisOptions, analyzePrepared, loadAnalyzers } from "./analyze-command.js";
import { type LoadOptions, loadTargets, resolveTargets } from "./analyze-command-load.js";
import type { CommandContext } from "./context.js";
import { mlflowExperimentOption, storeOption } from "./options.js";
import { UsageError } from "./usage-error.js";

interface ReportOptions extends LoadOptions {
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
      "experiment ids, <experiment_id>.jsonl files, or directories (every experiment in each)",
    )
    .addOption(storeOption())
    .addOption(mlflowExperimentOption())
    .option("-o, --output <file>", "where to write the report (default: report.html or report.md)")
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
    .addHelpText(
      "after",
      `
Each experiment is analysed as converge analyze does and assessed by the rule
advisor; the report shows both. Several experiments (or a directory) give a
comparison report. The HTML file has no external URL of any kind and opens
offline, e.g. as an email attachment; Markdown writes its charts as SVG files
into <name>-charts/ beside it. Files are written atomically.

Examples:
  $ converge report exp_20260118_143022
  $ converge report ./logs/exp_20260118_143022.jsonl -o review.html --interactive
  $ converge report exp_a exp_b --store ./runs -o comparison.html
  $ converge report ./experiments --format md -o REPORT.md`,
    )
    .action(async (args: string[], options: ReportOptions) => {
      if (options.interactive && options.format === "md") {
        throw new UsageError(
          "--interactive applies to HTML reports only; drop it or use --format html.",
        );
      }
      const targets = await resolveTargets(args, options, ctx);
      const { experiments, failed } = await loadTargets(targets, options, ctx);
      if (failed > 0) {
        throw new Error(
          `${failed} experiment(s) could not be read (see the messages above); no report was written.`,
        );
      }
      const { ruleAdvisor } = await loadAnalyzers();
      const advisor = ruleAdvisor();
      const report: ReportExperiment[] = [];
      for (const x of experiments) {
        const trajectory = await analyzePrepared(x);
        const advice = await advisor.advise({ records: x.records, trajectory, meta: x.meta });
        report.push({ meta: x.meta, records: x.records, trajectory, advice });
      }
      const reporters = await import("@converge/reporters");
      const path = resolve(
        ctx.io.cwd,
        options.output ?? (options.format === "md" ? "report.md" : "report.html"),
      );
      const common = options.title === undefined ? {} : { title: options.title };
      if (options.format === "md") {
        const files = await reporters.writeMarkdownReport(report, path, common);
        ctx.out(`Wrote ${path} and ${files.length - 1} chart file(s) beside it.`);
      } else {
        const bytes = await reporters.writeHtmlReport(report, path, {
          ...common,
          interactive: options.interactive === true,
        });
        ctx.out(
          `Wrote ${path} (${(bytes / 1024).toFixed(0)} KB, ${report.length} experiment${report.length === 1 ? "" : "s"}).`,
        );
      }
    });
}
