/**
 * The LLM advisor: asks a language model to read the trajectory and answer
 * with a `TrajectoryAssessment`, validated, re-asked when unusable, and
 * falling back to another advisor (the rule advisor) when the model cannot
 * give a usable answer, so a bad answer or an outage never breaks the loop.
 */
import {
  type Advice,
  type Advisor,
  type AdvisorInput,
  ConfigurationError,
  ConvergeError,
  CostlyFailureError,
  describeCause,
  type LanguageModel,
  type LlmCallUsage,
  resolvePlugin,
} from "@converge/core";
import { AssessmentWireSchema, toAssessment } from "./assessment-wire.js";
import { oneLine } from "./prompt-format.js";
import type { PromptTemplate } from "./prompt-template.js";
import { generateValidated, StructuredOutputError } from "./structured-call.js";
import { trajectoryPromptV2 } from "./trajectory-prompt.js";

export interface LlmAdvisorOptions {
  /** The model to ask, e.g. `openai({ model: "gpt-4.1" })`. */
  model: LanguageModel;
  /**
   * Who answers when the model cannot: usually `ruleAdvisor()` from
   * `@converge/analyzers` (this package does not depend on it, so it is not
   * a default). `null`: no fallback; a failure throws an error carrying the
   * usage of the calls made.
   */
  fallback: Advisor | null;
  /** The prompt; default `trajectoryPromptV2`. Its version is recorded with the advice. */
  prompt?: PromptTemplate<AdvisorInput>;
  /** Re-asks after an unusable answer; default 2 (at most 3 calls per advice). */
  maxRepairs?: number;
}

/** Options of {@link LlmAdvisorError}. */
export interface LlmAdvisorErrorOptions {
  /** The advisor that failed, e.g. "llm:openai/gpt-4.1". */
  advisor: string;
  /** One line saying why the model gave no usable answer. */
  reason: string;
  /** Every LLM call made for this advice. */
  usage: LlmCallUsage[];
  /** What failed last (the model's error, or the fallback's). */
  cause: unknown;
  /** More of the story after the reason, e.g. that the fallback failed too. */
  detail?: string;
}

/**
 * The LLM advisor could not answer and neither could its fallback (or there
 * was none). `usage` holds every LLM call made for this advice (the LLM's and
 * any the fallback reported), so the loop can record what was paid.
 */
export class LlmAdvisorError extends CostlyFailureError {
  static override readonly isInstance = ConvergeError.instanceCheck<LlmAdvisorError>(
    "converge.error.llm-advisor",
  );
  /** The advisor that failed, e.g. "llm:openai/gpt-4.1". */
  readonly advisor: string;
  /** One line saying why the model gave no usable answer. */
  readonly reason: string;

  constructor({ advisor, reason, usage, cause, detail = "" }: LlmAdvisorErrorOptions) {
    super(`advisor "${advisor}" gave no advice: ${reason}${detail}`, {
      cause,
      usage,
      hint: "pass a fallback advisor, e.g. llmAdvisor({ model, fallback: ruleAdvisor() })",
    });
    this.name = "LlmAdvisorError";
    this.advisor = advisor;
    this.reason = reason;
  }
}

function checkOptions(options: LlmAdvisorOptions): void {
  resolvePlugin("language model", options?.model, {
    required: true,
    by: "llmAdvisor",
    methods: ["generateObject"],
    example: 'openai({ model: "gpt-4.1" })',
  });
  if (options.fallback === undefined) {
    throw new ConfigurationError("llmAdvisor: name a `fallback` advisor, or null for none.", {
      hint: 'import { ruleAdvisor } from "@converge/analyzers"; llmAdvisor({ model, fallback: ruleAdvisor() })',
    });
  }
  const m = options.maxRepairs;
  if (m !== undefined && !(Number.isInteger(m) && m >= 0)) {
    throw new ConfigurationError(`llmAdvisor: maxRepairs must be a whole number >= 0, got ${m}.`, {
      hint: "llmAdvisor({ model, fallback, maxRepairs: 2 })",
    });
  }
}

/**
 * An `Advisor` that asks `model` (name `llm:<provider>/<modelId>`).
 *
 * On success the advice names its source, the model ("provider/modelId"),
 * the prompt version and the usage of every call (re-asks included). When the
 * model gives no usable answer (unusable answers after the re-asks, a refusal,
 * a provider error, anything thrown), the `fallback` advisor answers: its
 * advice comes back with `fallback: { from: <this advisor>, reason }`, the
 * usage of the failed calls plus the fallback's, and this advisor's model and
 * prompt version (unless the fallback names its own). With `fallback: null`,
 * or when the fallback fails too, `advise` throws `LlmAdvisorError` carrying
 * the usage. A `ConfigurationError` (e.g. no API key) is thrown as it is:
 * that is the user's to fix, not the fallback's to hide.
 *
 * ```ts
 * import { ruleAdvisor } from "@converge/analyzers";
 * const advisor = llmAdvisor({ model: openai({ model: "gpt-4.1" }), fallback: ruleAdvisor() });
 * ```
 */
export function llmAdvisor(options: LlmAdvisorOptions): Advisor {
  checkOptions(options);
  const { model, fallback } = options;
  const prompt = options.prompt ?? trajectoryPromptV2;
  const maxRepairs = options.maxRepairs ?? 2;
  const name = `llm:${model.provider}/${model.modelId}`;
  const modelLabel = `${model.provider}/${model.modelId}`;

  return {
    specificationVersion: "v1",
    name,
    async advise(input: AdvisorInput): Promise<Advice> {
      let usage: LlmCallUsage[] = [];
      let reason: string;
      let failure: unknown;
      try {
        const result = await generateValidated({
          model,
          schema: AssessmentWireSchema,
          schemaName: "trajectory_assessment",
          system: prompt.system,
          prompt: prompt.render(input),
          maxRepairs,
          purpose: "advisor",
        });
        usage = result.usage;
        return {
          assessment: toAssessment(result.object),
          source: name,
          usage,
          model: modelLabel,
          promptVersion: prompt.version,
        };
      } catch (error) {
        // No key or a bad setting: the user must fix it; a fallback would hide it.
        if (ConfigurationError.isInstance(error)) throw error;
        failure = error;
        if (StructuredOutputError.isInstance(error)) {
          usage = error.usage;
          reason = error.reason;
        } else {
          reason = oneLine(describeCause(error), 300);
        }
      }
      if (!fallback) throw new LlmAdvisorError({ advisor: name, reason, usage, cause: failure });
      let advice: Advice;
      try {
        advice = await fallback.advise(input);
      } catch (error) {
        throw new LlmAdvisorError({
          advisor: name,
          reason,
          usage: [...usage, ...CostlyFailureError.usageOf(error)],
          cause: error,
          detail: `; the fallback "${fallback.name}" failed too: ${oneLine(describeCause(error), 300)}`,
        });
      }
      const chained = advice.fallback
        ? `; then ${advice.fallback.from} failed: ${advice.fallback.reason}`
        : "";
      return {
        ...advice,
        usage: [...usage, ...(advice.usage ?? [])],
        model: advice.model ?? modelLabel,
        promptVersion: advice.promptVersion ?? prompt.version,
        fallback: { from: name, reason: `${reason}${chained}` },
      };
    },
  };
}
