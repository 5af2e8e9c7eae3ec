/**
 * The LLM failure analyser for `runGateLoop`: classifies why an iteration
 * failed its gate and recommends the next step (the failure analysis of
 * docs/record-format.md), with structured output validated and re-asked like the advisor's.
 */
import {
  ConfigurationError,
  type FailureAnalysis,
  type FailureAnalysisInput,
  type FailureAnalyzer,
  type LanguageModel,
  resolvePlugin,
} from "@converge/core";
import { z } from "zod";
import { failurePromptV1 } from "./failure-prompt.js";
import type { PromptTemplate } from "./prompt-template.js";
import { generateValidated } from "./structured-call.js";

/** Why an iteration failed. */
export const FailureClassificationSchema = z.enum([
  "PARAMETER_ISSUE",
  "ALGORITHM_BUG",
  "DESIGN_FLAW",
  "DATA_ISSUE",
]);

/** What the loop should do about it; becomes the record's `action_taken`. */
export const FailureRecommendationSchema = z.enum([
  "TUNE_PARAMETERS",
  "FIX_BUG",
  "REFINE_RESEARCH",
  "ABANDON",
]);

/** The answer a model is asked for: strict-output friendly (every property required, no records). */
export const FailureAnalysisWireSchema = z.object({
  failure_classification: FailureClassificationSchema.describe("Why the iteration failed"),
  recommendation: FailureRecommendationSchema.describe("What the loop should do next"),
  root_cause: z.string().describe("One or two sentences naming the cause"),
  specific_actions: z.array(z.string()).describe("Concrete actions for the next iteration"),
  confidence: z.number().min(0).max(1).describe("How sure the classification is, from 0 to 1"),
  reasoning: z.string().describe("A few sentences linking the classification to the evidence"),
});
export type FailureAnalysisWire = z.infer<typeof FailureAnalysisWireSchema>;

export interface LlmFailureAnalyzerOptions {
  /** The model to ask, e.g. `anthropic({ model: "claude-sonnet-4-5" })`. */
  model: LanguageModel;
  /** The prompt; default `failurePromptV1`. Its version is stored in `details.prompt_version`. */
  prompt?: PromptTemplate<FailureAnalysisInput>;
  /** Re-asks after an unusable answer; default 2 (at most 3 calls per analysis). */
  maxRepairs?: number;
}

/**
 * A `FailureAnalyzer` that asks `model` (name `llm:<provider>/<modelId>`).
 * Returns the classification, the recommendation, the root cause, and in
 * `details` the specific actions, confidence, reasoning, model and prompt
 * version, with the usage of every call. There is no fallback: when the model
 * gives no usable answer it throws `StructuredOutputError`, whose `usage`
 * `runGateLoop` records; the loop goes on without an analysis.
 *
 * ```ts
 * await runGateLoop({ tracker, ..., failureAnalyzer: llmFailureAnalyzer({ model }) });
 * ```
 */
export function llmFailureAnalyzer(options: LlmFailureAnalyzerOptions): FailureAnalyzer {
  resolvePlugin("language model", options?.model, {
    required: true,
    by: "llmFailureAnalyzer",
    methods: ["generateObject"],
    example: 'openai({ model: "gpt-4.1" })',
  });
  const m = options.maxRepairs;
  if (m !== undefined && !(Number.isInteger(m) && m >= 0)) {
    throw new ConfigurationError(
      `llmFailureAnalyzer: maxRepairs must be a whole number >= 0, got ${m}.`,
      { hint: "llmFailureAnalyzer({ model, maxRepairs: 2 })" },
    );
  }
  const languageModel = options.model;
  const prompt = options.prompt ?? failurePromptV1;
  const label = `${languageModel.provider}/${languageModel.modelId}`;

  return {
    specificationVersion: "v1",
    name: `llm:${label}`,
    async analyze(input: FailureAnalysisInput): Promise<FailureAnalysis> {
      const { object, usage } = await generateValidated({
        model: languageModel,
        schema: FailureAnalysisWireSchema,
        schemaName: "failure_analysis",
        system: prompt.system,
        prompt: prompt.render(input),
        maxRepairs: m ?? 2,
        purpose: "failure_analysis",
      });
      return {
        classification: object.failure_classification,
        recommendation: object.recommendation,
        root_cause: object.root_cause,
        details: {
          specific_actions: object.specific_actions,
          confidence: object.confidence,
          reasoning: object.reasoning,
          model: label,
          prompt_version: prompt.version,
        },
        usage,
      };
    },
  };
}
