import { type Advice, DEFAULT_MODELS, terminalSafe } from "@converge/core";
import type { Command } from "commander";
import {
  adviceJsonFields,
  adviseOrUsageError,
  BASE_URL_ENVS,
  chooseAdvisor,
  fallbackWarning,
  KEY_ENVS,
  type LlmRows,
  llmLines,
  type ProviderOptions,
  providerChoice,
  providerOptions,
} from "./advise-provider.js";
import {
  analysisOptions,
  analyzePrepared,
  foreignHelp,
  loadAnalyzers,
  outlookOf,
} from "./analyze-command.js";
import {
  type LoadOptions,
  loadTargets,
  positiveInteger,
  resolveTargets,
} from "./analyze-command-load.js";
import { labelled, styleConvergence, TEXT_WIDTH as WIDTH, wrap } from "./analyze-command-render.js";
import type { CommandContext } from "./context.js";
import { toJson } from "./format.js";
import { mlflowExperimentOption, storeOption } from "./options.js";
import { redactSecrets } from "./store-uri.js";
import { createStyle, type Style, useColor } from "./style.js";
import { width } from "./table.js";
import { append, maxOf } from "./terminal-text.js";
import { UsageError } from "./usage-error.js";

type AdviseOptions = LoadOptions & ProviderOptions & { json?: boolean; maxIterations?: number };

/** Adds `converge advise` to a program. */
export function registerAdvise(program: Command, ctx: CommandContext): Command {
  const command = program
    .command("advise")
    .description(
      "Ask an advisor about one experiment: CONTINUE, PIVOT or ABANDON, with findings, parameter advice and next steps. The offline rule advisor by default; an LLM (OpenAI, Anthropic or an OpenAI-compatible server) with --provider.",
    )
    .argument(
      "<experiment>",
      "an experiment id, or the path of an <experiment_id>.jsonl file; with --runs / --history, an MLflow experiment name",
    )
    .addOption(storeOption())
    .addOption(mlflowExperimentOption())
    .option(
      "--json",
      "print { experiment_id, source, model, prompt_version, fallback, usage, assessment, success_probability, iterations_to_success } as JSON",
    )
    .option(
      "--max-iterations <n>",
      "the loop's total budget of iterations (default: the experiment's max_iterations): the success probability, the outlook and the budget rule use what is left",
      positiveInteger,
    );
  for (const option of providerOptions()) command.addOption(option);
  return analysisOptions(command)
    .addHelpText("after", adviseHelp())
    .action((arg: string, options: AdviseOptions) => advise(arg, options, ctx));
}

/** The text after the options in `converge advise --help`. */
function adviseHelp(): string {
  return `
The experiment is analysed as converge analyze does (same --gate, --maximize,
--minimize), then the rule advisor decides by the first rule that applies. P
is the probability that the gate passes within the iterations left of the
budget (--max-iterations, else the experiment's max_iterations; without one,
within the next 20 iterations):
R0 fewer than 3 scored iterations → CONTINUE; R1 the gate passes → CONTINUE;
R2 budget spent → ABANDON; R3 P ≥ 0.05 → CONTINUE; R4 P < 0.05 and a HIGH
overfitting risk → ABANDON; R5 P < 0.05, and diverging or no improvement for
15 iterations → ABANDON; R6 P < 0.05 → PIVOT; R7 no goal (no P) and no
improvement for 5 iterations → PIVOT; R8 otherwise → CONTINUE.

With --strict, integrity problems in the records (a duplicate, out-of-order,
foreign or missing iteration) are an error (exit 1) listing each with its
file:line, and no advisor is asked; without it they are warnings on stderr.

Beside the advice, of every advisor, the Outlook line gives P with its
horizon and the ETA: the median and 80% range of the further iterations until
the gate first passes, over the predicted futures in which it passes. --json
prints the assessment with the Python logger's advisor field names, and the analysis'
success_probability and iterations_to_success.

LLM advisors (--provider openai | anthropic): the model reads the trajectory
(prompt trajectory-v2) and answers in the same schema; an unusable answer is
re-asked twice. Default models: ${DEFAULT_MODELS.openai} (openai), ${DEFAULT_MODELS.anthropic} (anthropic).
The output names the model, the prompt version and the cost from the token
usage and the price table ("cost unknown" for a model it has no price for).
If the model gives no usable answer (bad answers, refusal, provider errors,
timeout), the rule advisor answers instead: a warning on stderr and at the top
of the output says why, --json has it in "fallback", and the exit code is
still 0 (advice was given).

API keys are read from the environment only, never from a flag (it would end
up in your shell history), and are never printed:
  ${KEY_ENVS.openai}       for --provider openai (also OpenAI-compatible servers)
  ${KEY_ENVS.anthropic}    for --provider anthropic
A missing key exits 2. Without --base-url, ${BASE_URL_ENVS.openai} /
${BASE_URL_ENVS.anthropic} set the base URL. For a local OpenAI-compatible server
(Ollama, vLLM, LM Studio) pass its /v1 URL and any key it accepts, e.g.
OPENAI_API_KEY=local; Ollama listens on http://127.0.0.1:11434/v1, vLLM on
http://HOST:8000/v1.

Examples:
  $ converge advise exp_20260118_143022
  $ converge advise ./logs/exp_20260118_143022.jsonl --json
  $ converge advise exp_a --store ./runs --max-iterations 20
  $ converge advise exp_a --gate gate.json --minimize max_drawdown
  $ export OPENAI_API_KEY=sk-...
  $ converge advise exp_a --provider openai
  $ converge advise exp_a --provider openai --model gpt-4.1-mini --api responses
  $ export ANTHROPIC_API_KEY=sk-ant-...
  $ converge advise exp_a --provider anthropic --model claude-haiku-4-5
  $ OPENAI_API_KEY=local converge advise exp_a --provider openai \\
      --model llama3.1 --base-url http://127.0.0.1:11434/v1 --timeout 120
${foreignHelp("advise")}`;
}

/** `converge advise <arg>`: loads the one experiment, asks the advisor and prints the advice. */
async function advise(arg: string, options: AdviseOptions, ctx: CommandContext): Promise<void> {
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
