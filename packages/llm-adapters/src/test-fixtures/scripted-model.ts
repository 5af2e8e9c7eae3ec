/**
 * A `LanguageModel` (core's contract, implemented here, not a mock of a
 * provider SDK) that answers from a script, for the logic tests of the
 * structured call, the LLM advisor and the failure analyser. Text answers go
 * through the adapters' own `parseAnswer`, so invalid JSON and schema
 * mismatches come out as the same `LlmOutputError`s (with real zod issues) the
 * OpenAI and Anthropic adapters throw. Provider I/O is tested against the
 * fake HTTP server instead.
 */
import type { GenerateObjectOptions, GenerateObjectResult, LanguageModel } from "@converge/core";
import { LlmApiError } from "../errors.js";
import { type AnswerContext, outputError, parseAnswer } from "../parse-output.js";

export type ScriptStep =
  /** The model's text: parsed and validated against the requested schema. */
  | { text: string; inputTokens?: number; outputTokens?: number; costUsd?: number | null }
  /** The model declines. */
  | { refusal: string }
  /** The answer was cut off at the output limit. */
  | { truncated: string }
  /** The provider failed after the adapter's retries. */
  | { apiError: { status: number | null; retryable: boolean; attempts: number } }
  /** Anything else thrown. */
  | { throws: unknown };

export interface ScriptedCall {
  system: string | undefined;
  prompt: string;
  schemaName: string | undefined;
}

export interface ScriptedModel extends LanguageModel {
  readonly calls: ScriptedCall[];
}

/** Default tokens per scripted call. */
export const SCRIPTED_USAGE = { inputTokens: 1000, outputTokens: 200 };

export function scriptedModel(
  steps: ScriptStep[],
  ids: { provider?: string; modelId?: string } = {},
): ScriptedModel {
  const provider = ids.provider ?? "scripted";
  const modelId = ids.modelId ?? "model-1";
  const calls: ScriptedCall[] = [];
  const queue = [...steps];
  return {
    specificationVersion: "v1",
    provider,
    modelId,
    calls,
    async generateObject<T>(options: GenerateObjectOptions<T>): Promise<GenerateObjectResult<T>> {
      calls.push({
        system: options.system,
        prompt: options.prompt,
        schemaName: options.schemaName,
      });
      const step = queue.shift();
      if (!step) throw new Error(`scripted model: no step left for call ${calls.length}`);
      const context: AnswerContext = {
        provider,
        model: `${modelId}-2026`,
        usage: { ...SCRIPTED_USAGE },
        costUsd: 0.002,
        secrets: [],
      };
      if ("text" in step) {
        context.usage = {
          inputTokens: step.inputTokens ?? SCRIPTED_USAGE.inputTokens,
          outputTokens: step.outputTokens ?? SCRIPTED_USAGE.outputTokens,
        };
        if (step.costUsd !== undefined) context.costUsd = step.costUsd;
        const object = parseAnswer(context, step.text, options.schema);
        return {
          object,
          usage: context.usage,
          costUsd: context.costUsd,
          model: context.model,
          provider,
        };
      }
      if ("refusal" in step) {
        throw outputError(context, "refusal", `${provider} refused: ${step.refusal}`, step.refusal);
      }
      if ("truncated" in step) {
        throw outputError(
          context,
          "truncated",
          `${provider} hit the output limit.`,
          step.truncated,
        );
      }
      if ("apiError" in step) {
        const { status, attempts } = step.apiError;
        throw new LlmApiError(
          `${provider} failed with ${status ?? "no response"} after ${attempts} attempts.`,
          { provider, model: modelId, ...step.apiError },
        );
      }
      throw step.throws;
    },
  };
}
