/**
 * `openai()`: a `LanguageModel` on the official `openai` SDK, for OpenAI and
 * every server that speaks its API (vLLM, Ollama, LM Studio, gateways).
 */
import type { GenerateObjectOptions, GenerateObjectResult, LanguageModel } from "@converge/core";
import { ConfigurationError } from "@converge/core";
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";
import {
  type CommonSettings,
  CommonSettingsSchema,
  readApiKey,
  resolveSettings,
} from "./adapter-settings.js";
import {
  ChatCompletionShape,
  ChatUsageShape,
  checkShape,
  parsedAnswer,
  ResponsesShape,
  ResponsesUsageShape,
  type ShapeExpectation,
  usageOf,
} from "./answer-shape.js";
import { type AnswerContext, outputError, parseAnswer } from "./parse-output.js";
import { costOf, priceOfAnswer } from "./pricing.js";
import { sdkClassifier, withRetries } from "./retry.js";
import { schemaName as cleanName, warnOnce } from "./shared.js";

/** Settings of `openai()`. */
export interface OpenAISettings extends CommonSettings {
  /**
   * Which endpoint: "chat" (Chat Completions, the default: what compatible
   * servers implement) or "responses" (the Responses API).
   */
  api?: "chat" | "responses";
  /**
   * Strict structured output. Default: on when the schema allows it (every
   * field required, no open-ended maps), else off with our own validation.
   * Some compatible servers reject strict schemas: set false there.
   */
  strict?: boolean;
  organization?: string;
  project?: string;
}

const OpenAISettingsSchema = CommonSettingsSchema.extend({
  api: z.enum(["chat", "responses"]).optional(),
  strict: z.boolean().optional(),
  organization: z.string().min(1).optional(),
  project: z.string().min(1).optional(),
}).strict();

const PROVIDER = "openai";
const COMPATIBLE_FIX =
  "check that baseURL points at an OpenAI-compatible endpoint (usually ending in /v1)";

// OpenAI's error body is { message, type, param, code }.
const classify = sdkClassifier(
  OpenAI,
  (body) => (body as { message?: unknown } | undefined)?.message,
);

/**
 * A `LanguageModel` on OpenAI's SDK. The key comes from `apiKey` or
 * OPENAI_API_KEY, read at the first call; `baseURL` (or OPENAI_BASE_URL)
 * points it at any OpenAI-compatible server.
 */
export function openai(settings: OpenAISettings): LanguageModel {
  const { resolved, parsed } = resolveSettings("openai", OpenAISettingsSchema, settings);
  const api = parsed.api ?? "chat";
  let client: OpenAI | undefined;
  let key: string | undefined;
  const warned = new Set<string>();

  const connect = (): OpenAI => {
    if (client) return client;
    key = readApiKey("openai", resolved.explicitKey, "OPENAI_API_KEY");
    client = new OpenAI({
      apiKey: key,
      ...(resolved.baseURL !== undefined && { baseURL: resolved.baseURL }),
      ...(parsed.organization !== undefined && { organization: parsed.organization }),
      ...(parsed.project !== undefined && { project: parsed.project }),
      ...(resolved.headers && { defaultHeaders: resolved.headers }),
      ...(resolved.fetch && { fetch: resolved.fetch }),
      maxRetries: 0,
      timeout: resolved.policy.timeoutMs,
    });
    return client;
  };

  const answerContext = (
    answeredModel: string | undefined,
    usage: { input?: number; output?: number; cached?: number } | null | undefined,
  ): AnswerContext => {
    const model = answeredModel || resolved.model;
    const tokens = {
      inputTokens: usage?.input ?? 0,
      outputTokens: usage?.output ?? 0,
      cachedInputTokens: usage?.cached ?? 0,
    };
    const price = priceOfAnswer(model, resolved.model, resolved.prices);
    if (!usage) {
      warnOnce(
        warned,
        `usage:${model}`,
        resolved.warn,
        `the server reported no token usage for ${PROVIDER}/${model}: costUsd is null.`,
      );
    } else if (!price) {
      warnOnce(
        warned,
        `price:${model}`,
        resolved.warn,
        `no price known for ${PROVIDER}/${model}: costUsd is null. Pass openai({ prices: { "${model}": { inputPerMillion, outputPerMillion } } }) to record its cost.`,
      );
    }
    return {
      provider: PROVIDER,
      model,
      usage: { inputTokens: tokens.inputTokens, outputTokens: tokens.outputTokens },
      costUsd: usage ? costOf(tokens, price) : null,
      secrets: [key],
    };
  };

  // One JSON schema per call, strict when the schema allows it (the SDK's helper
  // checks OpenAI's strict rules), shaped below for the endpoint in use.
  const jsonSchemaFor = (schema: z.ZodType<unknown>, name: string) => {
    if (parsed.strict !== false) {
      try {
        const strict = zodResponseFormat(schema, name).json_schema.schema ?? {};
        return { name, schema: strict, strict: true };
      } catch (error) {
        if (parsed.strict === true) {
          throw new ConfigurationError(
            `openai(): the schema "${name}" cannot be used with strict structured output: ${(error as Error).message}`,
            {
              hint: "make every field required (nullable where unknown) and use arrays instead of records, or pass strict: false.",
            },
          );
        }
      }
    }
    return { name, schema: z.toJSONSchema(schema) as Record<string, unknown>, strict: false };
  };

  return {
    specificationVersion: "v1",
    provider: PROVIDER,
    modelId: resolved.model,
    async generateObject<T>(options: GenerateObjectOptions<T>): Promise<GenerateObjectResult<T>> {
      const sdk = connect();
      const name = cleanName(options.schemaName);
      const format = jsonSchemaFor(options.schema as z.ZodType<unknown>, name);
      const retry = {
        provider: PROVIDER,
        model: resolved.model,
        secrets: [key],
        classify,
        policy: resolved.policy,
        abortSignal: options.abortSignal,
      };
      const sampling =
        resolved.temperature !== undefined ? { temperature: resolved.temperature } : {};
      const expect = (shape: string): ShapeExpectation => ({
        provider: PROVIDER,
        model: resolved.model,
        baseURL: sdk.baseURL,
        shape,
        fix: COMPATIBLE_FIX,
      });

      let context: AnswerContext;
      let text: string;
      if (api === "chat") {
        const shape = expect("the OpenAI chat-completions shape");
        const answer = await withRetries(retry, ({ signal, timeoutMs }) =>
          parsedAnswer(
            sdk.chat.completions.create(
              {
                model: resolved.model,
                messages: [
                  ...(options.system ? [{ role: "system" as const, content: options.system }] : []),
                  { role: "user" as const, content: options.prompt },
                ],
                response_format: { type: "json_schema", json_schema: format },
                max_completion_tokens: resolved.maxOutputTokens,
                ...sampling,
              },
              { signal, timeout: timeoutMs, maxRetries: 0 },
            ),
            shape,
          ),
        );
        // Validated where it is read: the SDK's types are a promise the server may not keep.
        const completion = checkShape(ChatCompletionShape, answer, shape);
        const u = usageOf(ChatUsageShape, completion.usage);
        context = answerContext(
          completion.model,
          u && {
            input: u.prompt_tokens,
            output: u.completion_tokens,
            ...(u.prompt_tokens_details?.cached_tokens != null && {
              cached: u.prompt_tokens_details.cached_tokens,
            }),
          },
        );
        const choice = completion.choices[0];
        const message = choice?.message;
        text = message?.content ?? "";
        if (message?.refusal) {
          throw outputError(
            context,
            "refusal",
            `${PROVIDER}/${context.model} refused: ${message.refusal}`,
            message.refusal,
          );
        }
        if (choice?.finish_reason === "content_filter") {
          throw outputError(
            context,
            "refusal",
            `${PROVIDER}/${context.model} stopped: content filter.`,
            text,
          );
        }
        if (choice?.finish_reason === "length") {
          throw outputError(
            context,
            "truncated",
            `${PROVIDER}/${context.model} ran out of output tokens (maxOutputTokens ${resolved.maxOutputTokens}) before finishing the answer.`,
            text,
          );
        }
      } else {
        const shape = expect("the OpenAI Responses shape");
        const answer = await withRetries(retry, ({ signal, timeoutMs }) =>
          parsedAnswer(
            sdk.responses.create(
              {
                model: resolved.model,
                ...(options.system && { instructions: options.system }),
                input: options.prompt,
                text: { format: { type: "json_schema", ...format } },
                max_output_tokens: resolved.maxOutputTokens,
                store: false,
                ...sampling,
              },
              { signal, timeout: timeoutMs, maxRetries: 0 },
            ),
            shape,
          ),
        );
        const response = checkShape(ResponsesShape, answer, shape);
        const u = usageOf(ResponsesUsageShape, response.usage);
        context = answerContext(
          response.model,
          u && {
            input: u.input_tokens,
            output: u.output_tokens,
            ...(u.input_tokens_details?.cached_tokens != null && {
              cached: u.input_tokens_details.cached_tokens,
            }),
          },
        );
        const parts = response.output.flatMap((item) =>
          item.type === "message" ? (item.content ?? []) : [],
        );
        const refusal = parts.find((p) => p.type === "refusal");
        text = parts.map((p) => (p.type === "output_text" ? (p.text ?? "") : "")).join("");
        if (refusal) {
          const said = refusal.refusal ?? "";
          throw outputError(
            context,
            "refusal",
            `${PROVIDER}/${context.model} refused: ${said}`,
            said,
          );
        }
        if (response.status === "incomplete") {
          const reason = response.incomplete_details?.reason;
          throw reason === "content_filter"
            ? outputError(
                context,
                "refusal",
                `${PROVIDER}/${context.model} stopped: content filter.`,
                text,
              )
            : outputError(
                context,
                "truncated",
                `${PROVIDER}/${context.model} ran out of output tokens (maxOutputTokens ${resolved.maxOutputTokens}) before finishing the answer.`,
                text,
              );
        }
      }
      const object = parseAnswer(context, text, options.schema);
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
