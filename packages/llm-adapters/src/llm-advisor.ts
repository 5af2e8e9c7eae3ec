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
  describeCause,
  type LanguageModel,
  type LlmCallUsage,
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

const advisorMarker = Symbol.for("converge.error.llm-advisor");

/**
 * The LLM advisor could not answer and neither could its fallback (or there
 * was none). `usage` holds every LLM call made for this advice, so the loop
 * can record what was paid.
 */
export class LlmAdvisorError extends ConvergeError {
  readonly [advisorMarker] = true;
  /** The advisor that failed, e.g. "llm:openai/gpt-4.1". */
  readonly advisor: string;
  /** Every LLM call made for this advice (the LLM's and any the fallback reported). */
  readonly usage: LlmCallUsage[];
  /** One line saying why the model gave no usable answer. */
  readonly reason: string;

  constructor(advisor: string, reason: string, usage: LlmCallUsage[], cause: unknown, extra = "") {
    super(`advisor "${advisor}" gave no advice: ${reason}${extra}`, {
      cause,
      hint: "pass a fallback advisor, e.g. llmAdvisor({ model, fallback: ruleAdvisor() })",
    });
    this.name = "LlmAdvisorError";
    this.advisor = advisor;
    this.usage = usage;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is LlmAdvisorError {
    return (
      error != null &&
      typeof error === "object" &&
      (error as Record<symbol, unknown>)[advisorMarker] === true
    );
  }
}

/** LLM usage a failing advisor reported on its error (the convention core's gate loop reads). */
function usageCarriedBy(error: unknown): LlmCallUsage[] {
  const usage = (error as { usage?: unknown } | null)?.usage;
  return Array.isArray(usage)
    ? usage.filter((u): u is LlmCallUsage => u !== null && typeof u === "object")
    : [];
}

function checkOptions(options: LlmAdvisorOptions): void {
  const model = options?.model as Partial<LanguageModel> | undefined;
  if (!model || typeof model.generateObject !== "function") {
    throw new ConfigurationError("llmAdvisor: `model` must be a LanguageModel.", {
      hint: 'llmAdvisor({ model: openai({ model: "gpt-4.1" }), fallback: ruleAdvisor() })',
    });
  }
  if (model.specificationVersion !== "v1") {
    throw new ConfigurationError(
      `llmAdvisor: the model implements LanguageModel specification ${String(model.specificationVersion)}; this advisor supports "v1".`,
      { hint: "upgrade @converge/llm-adapters or the package that made the model" },
    );
  }
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
      if (!fallback) throw new LlmAdvisorError(name, reason, usage, failure);
      let advice: Advice;
      try {
        advice = await fallback.advise(input);
      } catch (error) {
        throw new LlmAdvisorError(
          name,
          reason,
          [...usage, ...usageCarriedBy(error)],
          error,
          `; the fallback "${fallback.name}" failed too: ${oneLine(describeCause(error), 300)}`,
        );
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
