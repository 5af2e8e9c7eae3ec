import type { Advice } from "@converge/core";
import type { Command } from "commander";
import { analysisOptions, analyzePrepared, loadAnalyzers } from "./analyze-command.js";
import {
  type LoadOptions,
  loadTargets,
  positiveInteger,
  resolveTargets,
} from "./analyze-command-load.js";
import { styleConvergence, TEXT_WIDTH as WIDTH, wrap } from "./analyze-command-render.js";
import type { CommandContext } from "./context.js";
import { toJson } from "./format.js";
import { mlflowExperimentOption, storeOption } from "./options.js";
import type { Style } from "./style.js";
import { width } from "./table.js";
import { UsageError } from "./usage-error.js";

/** Adds `converge advise` to a program. */
export function registerAdvise(program: Command, ctx: CommandContext): Command {
  const command = program
    .command("advise")
    .description(
      "Ask the offline rule advisor about one experiment: CONTINUE, PIVOT or ABANDON, with findings, parameter advice, next steps and the rule that decided.",
    )
    .argument("<experiment>", "an experiment id, or the path of an <experiment_id>.jsonl file")
    .addOption(storeOption())
    .addOption(mlflowExperimentOption())
    .option("--json", "print { experiment_id, source, assessment } as JSON")
    .option(
      "--max-iterations <n>",
      "the loop's total budget of iterations (for the likelihood of success and the budget rules)",
      positiveInteger,
    );
  return analysisOptions(command)
    .addHelpText(
      "after",
      `
The experiment is analysed as converge analyze does (same --gate, --maximize,
--minimize), then the rule advisor decides by the first rule that applies:
R0 too few iterations → CONTINUE; R1 the gate passes → CONTINUE; R2 budget
spent → ABANDON; R3 no improvement for 15 iterations (10 while diverging) →
ABANDON; R4 high overfitting risk and no improvement for 5 → ABANDON;
R5 diverging → PIVOT; R6 converging too slowly for the budget, or levelling
off below the goal → PIVOT; R7 converging → CONTINUE; R8 flat or oscillating
with no improvement for 5 → PIVOT; R9 otherwise → CONTINUE.
--json prints the assessment with the seed's advisor field names.

Examples:
  $ converge advise exp_20260118_143022
  $ converge advise ./logs/exp_20260118_143022.jsonl --json
  $ converge advise exp_a --store ./runs --max-iterations 20
  $ converge advise exp_a --gate gate.json --minimize max_drawdown`,
    )
    .action(
      async (arg: string, options: LoadOptions & { json?: boolean; maxIterations?: number }) => {
        const targets = await resolveTargets([arg], options, ctx);
        if (targets.length > 1) {
          throw new UsageError(
            `converge advise takes one experiment; ${arg} holds ${targets.length}. Name one: converge advise <experiment_id> --store ${arg}`,
          );
        }
        const { experiments } = await loadTargets(targets, options, ctx);
        const { ruleAdvisor } = await loadAnalyzers();
        for (const x of experiments) {
          const advisor = ruleAdvisor(
            options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations },
          );
          const advice = await advisor.advise({
            records: x.records,
            trajectory: await analyzePrepared(x),
            meta: x.meta,
          });
          if (options.json) {
            ctx.out(
              toJson({
                experiment_id: x.experimentId,
                source: advice.source,
                assessment: advice.assessment,
              }),
            );
          } else {
            for (const line of renderAdvice(x.experimentId, advice, ctx.style)) ctx.out(line);
          }
        }
      },
    );
}

function styleAction(style: Style, action: string): string {
  const text = style.bold(action);
  if (action === "CONTINUE") return style.green(text);
  if (action === "PIVOT") return style.yellow(text);
  return style.red(text);
}

/** The lines of `converge advise`: the next action first, then the evidence. */
export function renderAdvice(experimentId: string, advice: Advice, style: Style): string[] {
  const a = advice.assessment;
  const header: [string, string][] = [
    ["Experiment", style.bold(experimentId)],
    [
      "Next action",
      `${styleAction(style, a.next_action)}  (confidence ${a.confidence.toFixed(2)}, ${advice.source} advisor)`,
    ],
    ["Convergence", styleConvergence(style, a.convergence_assessment)],
    ["Gradient", a.gradient_effectiveness],
    ["Likelihood", a.likelihood_of_success],
    [
      "Iterations needed",
      a.estimated_iterations_needed === null
        ? style.dim("- (no estimate)")
        : String(a.estimated_iterations_needed),
    ],
  ];
  const labelWidth = Math.max(...header.map(([label]) => label.length));
  const lines = header.map(([label, value]) => `${style.dim(label.padEnd(labelWidth))}  ${value}`);

  lines.push("", style.bold("Recommendations"));
  a.specific_recommendations.forEach((r, i) => {
    const [first = "", ...rest] = wrap(r, WIDTH, "      ");
    lines.push(`  ${String(i + 1).padStart(2)}. ${first.trimStart()}`, ...rest);
  });

  lines.push("", style.bold("Key findings"));
  for (const f of a.key_findings) {
    const [first = "", ...rest] = wrap(f, WIDTH, "    ");
    lines.push(`  - ${first.trimStart()}`, ...rest);
  }

  const params = Object.entries(a.parameter_recommendations);
  if (params.length > 0) {
    lines.push("", style.bold("Parameters"));
    const nameWidth = Math.max(...params.map(([name]) => width(name)));
    for (const [name, advice] of params) {
      const pad = " ".repeat(nameWidth + 4);
      const [first = "", ...rest] = wrap(advice, WIDTH, pad);
      const verb = /^[A-Z]+/.exec(advice)?.[0] ?? "";
      const painted =
        verb === "KEEP"
          ? first.trimStart()
          : style.cyan(verb) + first.trimStart().slice(verb.length);
      lines.push(`  ${name.padEnd(nameWidth)}  ${painted}`, ...rest);
    }
  }

  lines.push("", style.bold("Reasoning"), ...wrap(a.reasoning, WIDTH, "  "));
  return lines;
}
