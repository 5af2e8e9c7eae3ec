/**
 * `openai()`'s default endpoint, Chat Completions: the one OpenAI-compatible
 * servers implement.
 */
import type OpenAI from "openai";
import type { z } from "zod";
import type { ResolvedSettings } from "./adapter-settings.js";
import { contentFilterError, type ProviderWire, truncatedError } from "./adapter-skeleton.js";
import { ChatCompletionShape, ChatUsageShape, usageOf } from "./answer-shape.js";
import { jsonSchemaFor, openAIUsage } from "./openai-client.js";
import { outputError } from "./parse-output.js";

type ChatBody = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
type ChatAnswer = z.output<typeof ChatCompletionShape>;

/** The Chat Completions wire: a system and a user message, the answer in `choices[0].message`. */
export function chatCompletionsWire(
  settings: ResolvedSettings,
  strict: boolean | undefined,
): ProviderWire<OpenAI, ChatBody, ChatAnswer> {
  return {
    shape: "the OpenAI chat-completions shape",
    answerShape: ChatCompletionShape,
    body: (options, name) => ({
      model: settings.model,
      messages: [
        ...(options.system ? [{ role: "system" as const, content: options.system }] : []),
        { role: "user" as const, content: options.prompt },
      ],
      response_format: {
        type: "json_schema",
        json_schema: jsonSchemaFor(strict, options.schema as z.ZodType<unknown>, name),
      },
      max_completion_tokens: settings.maxOutputTokens,
      ...(settings.temperature !== undefined && { temperature: settings.temperature }),
    }),
    send: (client, body, request) => client.chat.completions.create(body, request),
    meter: (completion) => {
      const u = usageOf(ChatUsageShape, completion.usage);
      return {
        model: completion.model,
        usage:
          u &&
          openAIUsage(u.prompt_tokens, u.completion_tokens, u.prompt_tokens_details?.cached_tokens),
      };
    },
    reply: (completion, context) => {
      const choice = completion.choices[0];
      const message = choice?.message;
      const text = message?.content ?? "";
      if (message?.refusal) {
        throw outputError(
          context,
          "refusal",
          `${context.provider}/${context.model} refused: ${message.refusal}`,
          message.refusal,
        );
      }
      if (choice?.finish_reason === "content_filter") throw contentFilterError(context, text);
      if (choice?.finish_reason === "length") {
        throw truncatedError(context, settings.maxOutputTokens, text);
      }
      return { text };
    },
  };
}
