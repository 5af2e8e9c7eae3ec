/**
 * `openai({ api: "responses" })`: OpenAI's Responses API.
 */
import type OpenAI from "openai";
import type { z } from "zod";
import type { ResolvedSettings } from "./adapter-settings.js";
import { contentFilterError, type ProviderWire, truncatedError } from "./adapter-skeleton.js";
import { ResponsesShape, ResponsesUsageShape, usageOf } from "./answer-shape.js";
import { jsonSchemaFor, openAIUsage } from "./openai-client.js";
import { outputError } from "./parse-output.js";

type ResponsesBody = OpenAI.Responses.ResponseCreateParamsNonStreaming;
type ResponsesAnswer = z.output<typeof ResponsesShape>;

/**
 * The Responses wire: the system prompt as `instructions`, the answer in the
 * message items of `output`. Nothing is stored at OpenAI (`store: false`).
 */
export function responsesWire(
  settings: ResolvedSettings,
  strict: boolean | undefined,
): ProviderWire<OpenAI, ResponsesBody, ResponsesAnswer> {
  return {
    shape: "the OpenAI Responses shape",
    answerShape: ResponsesShape,
    body: (options, name) => ({
      model: settings.model,
      ...(options.system && { instructions: options.system }),
      input: options.prompt,
      text: {
        format: {
          type: "json_schema",
          ...jsonSchemaFor(strict, options.schema as z.ZodType<unknown>, name),
        },
      },
      max_output_tokens: settings.maxOutputTokens,
      store: false,
      ...(settings.temperature !== undefined && { temperature: settings.temperature }),
    }),
    send: (client, body, request) => client.responses.create(body, request),
    meter: (response) => {
      const u = usageOf(ResponsesUsageShape, response.usage);
      return {
        model: response.model,
        usage:
          u && openAIUsage(u.input_tokens, u.output_tokens, u.input_tokens_details?.cached_tokens),
      };
    },
    reply: (response, context) => {
      const parts = response.output.flatMap((item) =>
        item.type === "message" ? (item.content ?? []) : [],
      );
      const refusal = parts.find((p) => p.type === "refusal");
      const text = parts.map((p) => (p.type === "output_text" ? (p.text ?? "") : "")).join("");
      if (refusal) {
        const said = refusal.refusal ?? "";
        throw outputError(
          context,
          "refusal",
          `${context.provider}/${context.model} refused: ${said}`,
          said,
        );
      }
      if (response.status === "incomplete") {
        throw response.incomplete_details?.reason === "content_filter"
          ? contentFilterError(context, text)
          : truncatedError(context, settings.maxOutputTokens, text);
      }
      return { text };
    },
  };
}
