import { type Advice, terminalSafe } from "@converge/core";
import type { AdviseOptions } from "./advise-command.js";
import {
  adviceJsonFields,
  adviseOrUsageError,
  chooseAdvisor,
  fallbackWarning,
  type LlmRows,
  llmLines,
  providerChoice,
} from "./advise-provider.js";
import { analyzePrepared, loadAnalyzers, outlookOf } from "./analyze-action.js";
import { loadTargets, resolveTargets } from "./analyze-command-load.js";
import { labelled } from "./analyze-command-render.js";
import { styleConvergence, TEXT_WIDTH as WIDTH, wrap } from "./analyze-text.js";
import type { CommandContext } from "./context.js";
import { toJson } from "./format.js";
import { redactSecrets } from "./store-uri.js";
import { createStyle, type Style, useColor } from "./style.js";
import { width } from "./table.js";
import { append, maxOf } from "./terminal-text.js";
import { UsageError } from "./usage-error.js";

/**
 * `converge advise <arg>`: loads the one experiment, asks the advisor and prints the advice.
 * Loaded when the command runs (see advise-command.ts).
 */
export async function advise(
  arg: string,
  options: AdviseOptions,
  ctx: CommandContext,
): Promise<void> {
  const env = ctx.io.env;
  const choice = providerChoice(options, env);
  const targets = await resolveTargets([arg], options, ctx);
  if (targets.length > 1) {
    throw new UsageError(
      `converge advise takes one experiment; ${arg} holds ${targets.length}. Name one: converge advise <experiment_id> --store ${arg}`,
    );
  }
  const { experiments } = await loadTargets(targets, options, ctx);
  const { ruleAdvisor } = await loadAnalyzers();
  const errStyle = createStyle(useColor(env, ctx.io.stderr));
  // Secrets are cut out first, then what the provider said is escaped (it may quote anything).
  const warn = (message: string) =>
    ctx.err(`${errStyle.yellow("warning:")} ${safe(redactSecrets(message, env))}`);
  for (const x of experiments) {
    const rule = ruleAdvisor(
      options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations },
    );
    const advisor = await chooseAdvisor(choice, rule, warn);
    // Analysed over the budget the rule advisor uses, so that it reuses this analysis
    // and its reasoning quotes the same outlook as the Outlook line.
    const trajectory = await analyzePrepared(x, options.maxIterations);
    const advice = await adviseOrUsageError(advisor, {
      records: x.records,
      trajectory,
      meta: x.meta,
    });
    const fellBack = fallbackWarning(advice, env);
    if (fellBack !== undefined) warn(fellBack);
    if (options.json) {
      const json = toJson({
        experiment_id: x.experimentId,
        source: advice.source,
        ...adviceJsonFields(advice, env),
        assessment: advice.assessment,
        success_probability: trajectory.success_probability,
        iterations_to_success: trajectory.iterations_to_success,
      });
      await ctx.json(`${json}\n`);
    } else {
      const { warning, model } = await llmLines(advice, ctx.style, env);
      for (const line of warning) ctx.out(line);
      const outlook = await outlookOf(trajectory);
      const lines = renderAdvice(x.experimentId, advice, ctx.style, { llm: model, outlook });
      for (const line of lines) ctx.out(line);
    }
  }
}

function styleAction(style: Style, action: string): string {
  const text = style.bold(action);
  if (action === "CONTINUE") return style.green(text);
  if (action === "PIVOT") return style.yellow(text);
  return style.red(text);
}

/** What `renderAdvice` shows beside the assessment. */
export interface AdviceExtras {
  /** Which model and prompt were asked, at what cost: after the next action, when an LLM was asked. */
  llm?: LlmRows | undefined;
  /** The analysis' outlook line (`outlookOf`): after the advisor's own estimates, whoever advised. */
  outlook?: string | undefined;
}

/** Text from the advisor (an LLM's answer may hold anything) or the records, shown and never acted on. */
const safe = (text: string): string => terminalSafe(text);

/**
 * The lines of `converge advise`: the next action first, then the evidence.
 * The advisor's text is escaped with `terminalSafe` before it is styled.
 */
export function renderAdvice(
  experimentId: string,
  advice: Advice,
  style: Style,
  extras: AdviceExtras = {},
): string[] {
  const { llm, outlook } = extras;
  const a = advice.assessment;
  const header: [string, string][] = [
    ["Experiment", style.bold(safe(experimentId))],
    [
      "Next action",
      `${styleAction(style, safe(a.next_action))}  (confidence ${a.confidence.toFixed(2)}, ${safe(advice.source)} advisor)`,
    ],
    ["Convergence", styleConvergence(style, safe(a.convergence_assessment))],
    // The vocabulary's labels (docs/vocabulary.md): gradient_effectiveness judges the parameter changes.
    ["Parameter changes", safe(a.gradient_effectiveness)],
    ["Likelihood of success", safe(a.likelihood_of_success)],
    [
      "Iterations needed",
      a.estimated_iterations_needed === null
        ? style.dim("- (no estimate)")
        : String(a.estimated_iterations_needed),
    ],
  ];
  if (outlook !== undefined) header.push(["Outlook", safe(outlook)]);
  const labelWidth = maxOf(header.map(([label]) => label.length));
  const llmRows = (rows: LlmRows): string[] =>
    (
      [
        ["Model", rows.model],
        ["Cost", rows.cost],
      ] as const
    ).flatMap(([label, value]) => {
      const [first = "", ...rest] = wrap(safe(value), WIDTH, " ".repeat(labelWidth + 2));
      return [`${style.dim(label.padEnd(labelWidth))}  ${first.trimStart()}`, ...rest];
    });
  const lines: string[] = [];
  for (const [i, [label, value]] of header.entries()) {
    append(lines, labelled(label, value, labelWidth, style));
    // Who answered and at what cost, right after the next action (however many lines it took).
    if (i === 1 && llm !== undefined) append(lines, llmRows(llm));
  }

  lines.push("", style.bold("Recommendations"));
  a.specific_recommendations.forEach((r, i) => {
    const [first = "", ...rest] = wrap(safe(r), WIDTH, "      ");
    lines.push(`  ${String(i + 1).padStart(2)}. ${first.trimStart()}`);
    append(lines, rest);
  });

  lines.push("", style.bold("Key findings"));
  for (const f of a.key_findings) {
    const [first = "", ...rest] = wrap(safe(f), WIDTH, "    ");
    lines.push(`  - ${first.trimStart()}`);
    append(lines, rest);
  }

  const params = Object.entries(a.parameter_recommendations).map(
    ([name, text]): [string, string] => [safe(name), safe(text)],
  );
  if (params.length > 0) {
    lines.push("", style.bold("Parameters"));
    const nameWidth = maxOf(params.map(([name]) => width(name)));
    for (const [name, advice] of params) {
      const pad = " ".repeat(nameWidth + 4);
      const [first = "", ...rest] = wrap(advice, WIDTH, pad);
      const verb = /^[A-Z]+/.exec(advice)?.[0] ?? "";
      const painted =
        verb === "KEEP"
          ? first.trimStart()
          : style.cyan(verb) + first.trimStart().slice(verb.length);
      lines.push(`  ${name.padEnd(nameWidth)}  ${painted}`);
      append(lines, rest);
    }
  }

  lines.push("", style.bold("Reasoning"));
  append(lines, wrap(safe(a.reasoning), WIDTH, "  "));
  return lines;
}
