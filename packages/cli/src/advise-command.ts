import { DEFAULT_MODELS } from "@converge/core";
import type { Command } from "commander";
import {
  BASE_URL_ENVS,
  KEY_ENVS,
  type ProviderOptions,
  providerOptions,
} from "./advise-provider.js";
import { analysisOptions, foreignHelp } from "./analyze-command.js";
import { type LoadOptions, positiveInteger } from "./analyze-command-load.js";
import type { CommandContext } from "./context.js";
import { mlflowExperimentOption, storeOption } from "./options.js";

/** The options of `converge advise`. */
export type AdviseOptions = LoadOptions &
  ProviderOptions & { json?: boolean; maxIterations?: number };

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
    .action(async (arg: string, options: AdviseOptions) => {
      const { advise } = await import("./advise-action.js");
      await advise(arg, options, ctx);
    });
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
