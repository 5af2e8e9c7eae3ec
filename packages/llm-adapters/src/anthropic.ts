/**
 * `anthropic()`: a `LanguageModel` on the official `@anthropic-ai/sdk`.
 */

import Anthropic from "@anthropic-ai/sdk";
import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import type { GenerateObjectOptions, GenerateObjectResult, LanguageModel } from "@converge/core";
import { z } from "zod";
import {
  type CommonSettings,
  CommonSettingsSchema,
  readApiKey,
  resolveSettings,
} from "./adapter-settings.js";
import {
  AnthropicMessageShape,
  AnthropicUsageShape,
  checkShape,
  parsedAnswer,
  type ShapeExpectation,
  usageOf,
} from "./answer-shape.js";
import { type AnswerContext, outputError, parseAnswer, validateAnswer } from "./parse-output.js";
import { costOf, priceOfAnswer } from "./pricing.js";
import { sdkClassifier, withRetries } from "./retry.js";
import { schemaName as cleanName, warnOnce } from "./shared.js";

/** Settings of `anthropic()`. */
export interface AnthropicSettings extends CommonSettings {
  /**
   * How the answer's shape is enforced: "json-schema" (structured output,
   * `output_config.format`, the default) or "tool" (a forced tool call whose
   * input schema is the answer's schema: for models or gateways without
   * structured output).
   */
  mode?: "json-schema" | "tool";
}

const AnthropicSettingsSchema = CommonSettingsSchema.extend({
  mode: z.enum(["json-schema", "tool"]).optional(),
}).strict();

const PROVIDER = "anthropic";
// Anthropic bills cache writes at 1.25x and cache reads at 0.1x the input price.
const CACHE_WRITE_FACTOR = 1.25;
const CACHE_READ_FACTOR = 0.1;

// Anthropic's error body is { type: "error", error: { type, message } }.
const classify = sdkClassifier(
  Anthropic,
  (body) => (body as { error?: { message?: unknown } } | undefined)?.error?.message,
);

/**
 * A `LanguageModel` on Anthropic's SDK. The key comes from `apiKey` or
 * ANTHROPIC_API_KEY, read at the first call; `baseURL` (or
 * ANTHROPIC_BASE_URL) points it at a gateway.
 */
export function anthropic(settings: AnthropicSettings): LanguageModel {
  const { resolved, parsed } = resolveSettings("anthropic", AnthropicSettingsSchema, settings);
  const mode = parsed.mode ?? "json-schema";
  let client: Anthropic | undefined;
  let key: string | undefined;
  const warned = new Set<string>();

  const connect = (): Anthropic => {
    if (client) return client;
    key = readApiKey("anthropic", resolved.explicitKey, "ANTHROPIC_API_KEY");
    client = new Anthropic({
      apiKey: key,
      ...(resolved.baseURL !== undefined && { baseURL: resolved.baseURL }),
      ...(resolved.headers && { defaultHeaders: resolved.headers }),
      ...(resolved.fetch && { fetch: resolved.fetch }),
      maxRetries: 0,
      timeout: resolved.policy.timeoutMs,
    });
    return client;
  };

  const answerContext = (answeredModel: string | undefined, usage: unknown): AnswerContext => {
    const model = answeredModel || resolved.model;
    const u = usageOf(AnthropicUsageShape, usage);
    const price = priceOfAnswer(model, resolved.model, resolved.prices);
    if (!u) {
      warnOnce(
        warned,
        `usage:${model}`,
        resolved.warn,
        `the server reported no token usage for ${PROVIDER}/${model}: costUsd is null.`,
      );
      return {
        provider: PROVIDER,
        model,
        usage: { inputTokens: 0, outputTokens: 0 },
        costUsd: null,
        secrets: [key],
      };
    }
    const written = u.cache_creation_input_tokens ?? 0;
    const read = u.cache_read_input_tokens ?? 0;
    if (!price) {
      warnOnce(
        warned,
        `price:${model}`,
        resolved.warn,
        `no price known for ${PROVIDER}/${model}: costUsd is null. Pass anthropic({ prices: { "${model}": { inputPerMillion, outputPerMillion } } }) to record its cost.`,
      );
    }
    const base = costOf({ inputTokens: u.input_tokens, outputTokens: u.output_tokens }, price);
    const cacheCost = price
      ? ((written * CACHE_WRITE_FACTOR + read * CACHE_READ_FACTOR) * price.inputPerMillion) / 1e6
      : 0;
    return {
      provider: PROVIDER,
      model,
      usage: { inputTokens: u.input_tokens + written + read, outputTokens: u.output_tokens },
      costUsd: base === null ? null : base + cacheCost,
      secrets: [key],
    };
  };

  return {
    specificationVersion: "v1",
    provider: PROVIDER,
    modelId: resolved.model,
    async generateObject<T>(options: GenerateObjectOptions<T>): Promise<GenerateObjectResult<T>> {
      const sdk = connect();
      const name = cleanName(options.schemaName);
      // The SDK's helper turns zod into the JSON Schema subset Anthropic accepts.
      const jsonSchema = zodOutputFormat(options.schema as z.ZodType).schema;
      const shape =
        mode === "tool"
          ? {
              tools: [
                {
                  name,
                  description: "Give the answer as this tool's input.",
                  input_schema: jsonSchema as Anthropic.Tool.InputSchema,
                },
              ],
              tool_choice: { type: "tool" as const, name },
            }
          : { output_config: { format: { type: "json_schema" as const, schema: jsonSchema } } };
      const expect: ShapeExpectation = {
        provider: PROVIDER,
        model: resolved.model,
        baseURL: sdk.baseURL,
        shape: "the Anthropic Messages shape",
        fix: "check that baseURL points at Anthropic's API or a gateway that speaks it (without /v1: the SDK adds it)",
      };
      const answer = await withRetries(
        {
          provider: PROVIDER,
          model: resolved.model,
          secrets: [key],
          classify,
          policy: resolved.policy,
          abortSignal: options.abortSignal,
        },
        ({ signal, timeoutMs }) =>
          parsedAnswer(
            sdk.messages.create(
              {
                model: resolved.model,
                max_tokens: resolved.maxOutputTokens,
                ...(options.system && { system: options.system }),
                messages: [{ role: "user", content: options.prompt }],
                ...(resolved.temperature !== undefined && { temperature: resolved.temperature }),
                ...shape,
              },
              { signal, timeout: timeoutMs, maxRetries: 0 },
            ),
            expect,
          ),
      );
      // Validated where it is read: the SDK's types are a promise the server may not keep.
      const message = checkShape(AnthropicMessageShape, answer, expect);
      const context = answerContext(message.model, message.usage);
      const text = message.content
        .map((b) => (b.type === "text" && typeof b.text === "string" ? b.text : ""))
        .join("");
      const label = `${PROVIDER}/${context.model}`;
      if (message.stop_reason === "refusal") {
        throw outputError(context, "refusal", `${label} refused to answer.`, text);
      }
      if (
        message.stop_reason === "max_tokens" ||
        message.stop_reason === "model_context_window_exceeded"
      ) {
        throw outputError(
          context,
          "truncated",
          `${label} ran out of output tokens (maxOutputTokens ${resolved.maxOutputTokens}) before finishing the answer.`,
          text,
        );
      }
      let object: T;
      if (mode === "tool") {
        const call = message.content.find((b) => b.type === "tool_use" && b.name === name);
        if (!call) {
          throw outputError(
            context,
            "empty",
            `${label} answered without calling the "${name}" tool.`,
            text,
          );
        }
        object = validateAnswer(context, call.input, options.schema);
      } else {
        object = parseAnswer(context, text, options.schema);
      }
      return {
        object,
        usage: context.usage,
        costUsd: context.costUsd,
        model: context.model,
        provider: PROVIDER,
      };
    },
  };
}
