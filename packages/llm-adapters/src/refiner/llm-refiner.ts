/**
 * The LLM refiner: asks a language model for the next strategy (parameters,
 * and optionally a code change as a unified diff), checks the answer against
 * the declared space, the sets already tried and the code, re-asks once with
 * the reasons, and falls back to another refiner when the model cannot give
 * a usable proposal, so a bad answer or an outage never breaks the loop.
 */
import {
  ConfigurationError,
  CostlyFailureError,
  describeCause,
  type LanguageModel,
  type LlmCallUsage,
  type Refiner,
  type RefinerInput,
  type RefinerProposal,
  resolvePlugin,
} from "@converge/core";
import { oneLine } from "../prompt-format.js";
import type { PromptTemplate } from "../prompt-template.js";
import {
  generateValidated,
  repairableOutput,
  repairPrompt,
  StructuredOutputError,
} from "../structured-call.js";
import {
  checkProposal,
  proposalSchema,
  type RefineProposalWire,
  reaskPrompt,
} from "./refine-answer.js";
import { type RefinePromptInput, refinePromptV1 } from "./refine-prompt.js";

/** The built-in refiner prompts by version. */
const PROMPTS: Readonly<Record<string, PromptTemplate<RefinePromptInput>>> = {
  [refinePromptV1.version]: refinePromptV1,
};

export interface LlmRefinerOptions {
  /** The model to ask, e.g. `openai({ model: "gpt-4.1" })`. */
  model: LanguageModel;
  /**
   * Who proposes when the model cannot: usually core's `ruleRefiner()` (or
   * any `Refiner`). Required: a refine step must always answer.
   */
  fallback: Refiner;
  /** A built-in prompt by version; default and only one today: "refine-v1". */
  promptVersion?: string;
  /** Your own prompt template instead (its `version` is reported). */
  prompt?: PromptTemplate<RefinePromptInput>;
  /**
   * The most tokens (input + output, every call) one proposal may spend: once
   * the calls made reach it, no re-ask is made and the fallback answers. The
   * output limit of each call is the model's own setting (`maxOutputTokens`).
   * Default: no budget beyond `maxRepairs`.
   */
  maxTokens?: number;
  /** Re-asks after an unusable answer, whatever was wrong; default 1 (at most 2 calls). */
  maxRepairs?: number;
  /** Whether the model may change the strategy's code, as a unified diff; default false. */
  allowCode?: boolean;
}

/** A proposal of `llmRefiner`: core's, with the model and prompt version that were asked. */
export interface LlmRefinerProposal extends RefinerProposal {
  /** "provider/modelId" of the model that was asked (also when the fallback answered). */
  model: string;
  /** The version of the prompt the model was asked with, e.g. "refine-v1". */
  promptVersion: string;
}

function wholeAtLeast(value: number | undefined, min: number, field: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
    throw new ConfigurationError(
      `llmRefiner: ${field} must be a whole number >= ${min}, got ${value}.`,
      { hint: `llmRefiner({ model, fallback, ${field}: ${Math.max(min, 1)} })` },
    );
  }
}

function choosePrompt(options: LlmRefinerOptions): PromptTemplate<RefinePromptInput> {
  const { prompt, promptVersion } = options;
  if (prompt) {
    if (promptVersion !== undefined && promptVersion !== prompt.version) {
      throw new ConfigurationError(
        `llmRefiner: promptVersion "${promptVersion}" does not match the prompt given ("${prompt.version}").`,
        { hint: "pass one of them" },
      );
    }
    return prompt;
  }
  const version = promptVersion ?? refinePromptV1.version;
  const chosen = Object.hasOwn(PROMPTS, version) ? PROMPTS[version] : undefined;
  if (!chosen) {
    throw new ConfigurationError(`llmRefiner: no built-in prompt "${version}".`, {
      hint: `use one of ${Object.keys(PROMPTS).join(", ")}, or pass your own \`prompt\``,
    });
  }
  return chosen;
}

function checkOptions(options: LlmRefinerOptions): PromptTemplate<RefinePromptInput> {
  resolvePlugin("language model", options?.model, {
    required: true,
    by: "llmRefiner",
    methods: ["generateObject"],
    example: 'openai({ model: "gpt-4.1" })',
  });
  resolvePlugin("fallback refiner", options.fallback, {
    required: true,
    by: "llmRefiner",
    methods: ["refine"],
    example: "ruleRefiner()",
  });
  wholeAtLeast(options.maxRepairs, 0, "maxRepairs");
  wholeAtLeast(options.maxTokens, 1, "maxTokens");
  return choosePrompt(options);
}

const tokensOf = (usage: readonly LlmCallUsage[]) =>
  usage.reduce((sum, u) => sum + u.inputTokens + u.outputTokens, 0);

/**
 * A `Refiner` that asks `model` (name `llm:<provider>/<modelId>`).
 *
 * The prompt (`refine-v1`) gives the directive, the gate and how far the
 * metrics are from it, the recent trajectory, the advice, the parameter
 * space, the sets already tried and (with `allowCode`) the code. The answer
 * `{ parameters, code_diff, description }` is validated with zod, then
 * checked: every parameter of its type and within the space (never clamped
 * here), not a set already tried, and the diff applying exactly to the code.
 * An unusable answer (not JSON, off the schema, out of the space, a repeat, a
 * diff that does not apply) is re-asked `maxRepairs` times (default once)
 * with the reasons quoted; then, or at once after a refusal or a provider
 * error, `fallback` answers, with `source` "<its source> (fallback from
 * llm:<provider>/<model>: <reason>)". `usage` lists every call, failed ones
 * included, plus the fallback's. A `ConfigurationError` (e.g. no API key) is
 * thrown as it is; when the fallback fails too, a `CostlyFailureError`
 * carrying the usage is thrown.
 */
export function llmRefiner(options: LlmRefinerOptions): Refiner {
  const prompt = checkOptions(options);
  const { model, fallback } = options;
  const allowCode = options.allowCode ?? false;
  const maxRepairs = options.maxRepairs ?? 1;
  const label = `${model.provider}/${model.modelId}`;
  const name = `llm:${label}`;
  const stamp = { model: label, promptVersion: prompt.version };

  const fallBack = async (
    input: RefinerInput,
    reason: string,
    usage: LlmCallUsage[],
  ): Promise<LlmRefinerProposal> => {
    let proposal: RefinerProposal;
    try {
      proposal = await fallback.refine(input);
    } catch (error) {
      throw new CostlyFailureError(
        `refiner "${name}" gave no proposal: ${reason}; the fallback "${fallback.name}" failed too: ${oneLine(describeCause(error), 300)}`,
        {
          cause: error,
          usage: [...usage, ...CostlyFailureError.usageOf(error)],
          hint: "check the fallback refiner; the model's reason is above",
        },
      );
    }
    return {
      ...proposal,
      usage: [...usage, ...(proposal.usage ?? [])],
      source: `${proposal.source} (fallback from ${name}: ${reason})`,
      ...stamp,
    };
  };

  return {
    specificationVersion: "v1",
    name,
    async refine(input: RefinerInput): Promise<LlmRefinerProposal> {
      // zod's object parsing assigns `result[key] = value`, which for "__proto__"
      // sets the prototype instead: such a parameter cannot come back in an answer.
      if (Object.hasOwn(input.space, "__proto__")) {
        return fallBack(input, 'a parameter named "__proto__" cannot be read from an answer', []);
      }
      const promptInput: RefinePromptInput = { ...input, allowCode };
      const base = prompt.render(promptInput);
      const schema = proposalSchema(input.space);
      const usage: LlmCallUsage[] = [];
      const reasons: string[] = [];
      const mayReask = () =>
        reasons.length <= maxRepairs &&
        (options.maxTokens === undefined || tokensOf(usage) < options.maxTokens);
      const why = () =>
        oneLine(
          reasons.length === 1
            ? (reasons[0] ?? "")
            : reasons.map((r, i) => `answer ${i + 1}: ${r}`).join("; "),
          600,
        );
      let text = base;
      for (;;) {
        let answer: RefineProposalWire;
        try {
          const result = await generateValidated({
            model,
            schema,
            schemaName: "refiner_proposal",
            system: prompt.system,
            prompt: text,
            maxRepairs: 0,
            purpose: "refiner",
          });
          usage.push(...result.usage);
          answer = result.object;
        } catch (error) {
          // No key or a bad setting: the user must fix it; a fallback would hide it.
          if (ConfigurationError.isInstance(error)) throw error;
          const structured = StructuredOutputError.isInstance(error) ? error : null;
          if (structured) usage.push(...structured.usage);
          reasons.push(structured ? structured.reason : oneLine(describeCause(error), 300));
          const fixable = repairableOutput(structured?.cause);
          if (!fixable || !mayReask()) return fallBack(input, why(), usage);
          text = repairPrompt(base, fixable, reasons.length);
          continue;
        }
        const checked = checkProposal(answer, input, allowCode);
        if (checked.ok) {
          return { ...checked.proposal, usage, source: name, ...stamp };
        }
        reasons.push(checked.problems.join("; "));
        if (!mayReask()) return fallBack(input, why(), usage);
        text = reaskPrompt(base, answer, checked.problems, reasons.length);
      }
    },
  };
}
