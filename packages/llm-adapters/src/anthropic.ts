/**
 * `anthropic()`: a `LanguageModel` on the official `@anthropic-ai/sdk`.
 */

import Anthropic from "@anthropic-ai/sdk";
import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import type { LanguageModel } from "@converge/core";
import { z } from "zod";
import {
  type CommonSettings,
  CommonSettingsSchema,
  type ResolvedSettings,
  resolveSettings,
} from "./adapter-settings.js";
import {
  adapterModel,
  type MeteredUsage,
  type ProviderConnection,
  type ProviderWire,
  truncatedError,
} from "./adapter-skeleton.js";
import { AnthropicMessageShape, AnthropicUsageShape, usageOf } from "./answer-shape.js";
import { outputError } from "./parse-output.js";
import { costOf } from "./pricing.js";
import { sdkClassifier } from "./retry.js";

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

const connection: ProviderConnection<Anthropic> = {
  provider: PROVIDER,
  keyVariable: "ANTHROPIC_API_KEY",
  createClient: (options) => new Anthropic(options),
  // Anthropic's error body is { type: "error", error: { type, message } }.
  classify: sdkClassifier(
    Anthropic,
    (body) => (body as { error?: { message?: unknown } } | undefined)?.error?.message,
  ),
  fix: "check that baseURL points at Anthropic's API or a gateway that speaks it (without /v1: the SDK adds it)",
};

/** Anthropic's usage: cache writes and reads come on top of `input_tokens`, at their own rates. */
function anthropicUsage(usage: unknown): MeteredUsage | undefined {
  const u = usageOf(AnthropicUsageShape, usage);
  if (!u) return undefined;
  const written = u.cache_creation_input_tokens ?? 0;
  const read = u.cache_read_input_tokens ?? 0;
  return {
    tokens: { inputTokens: u.input_tokens + written + read, outputTokens: u.output_tokens },
    costAt: (price) => {
      const base = costOf({ inputTokens: u.input_tokens, outputTokens: u.output_tokens }, price);
      const cacheCost = price
        ? ((written * CACHE_WRITE_FACTOR + read * CACHE_READ_FACTOR) * price.inputPerMillion) / 1e6
        : 0;
      return base === null ? null : base + cacheCost;
    },
  };
}

type MessageBody = Anthropic.MessageCreateParamsNonStreaming;
type MessageAnswer = z.output<typeof AnthropicMessageShape>;

/** How the answer's schema is asked for: a forced tool call, or structured output. */
function shapeRequest(mode: "json-schema" | "tool", schema: z.ZodType, name: string) {
  // The SDK's helper turns zod into the JSON Schema subset Anthropic accepts.
  const jsonSchema = zodOutputFormat(schema).schema;
  return mode === "tool"
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
}

/** The Messages wire: the answer as text blocks, or as the forced tool call's input. */
function messagesWire(
  settings: ResolvedSettings,
  mode: "json-schema" | "tool",
): ProviderWire<Anthropic, MessageBody, MessageAnswer> {
  return {
    shape: "the Anthropic Messages shape",
    answerShape: AnthropicMessageShape,
    body: (options, name) => ({
      model: settings.model,
      max_tokens: settings.maxOutputTokens,
      ...(options.system && { system: options.system }),
      messages: [{ role: "user", content: options.prompt }],
      ...(settings.temperature !== undefined && { temperature: settings.temperature }),
      ...shapeRequest(mode, options.schema as z.ZodType, name),
    }),
    send: (client, body, request) => client.messages.create(body, request),
    meter: (message) => ({ model: message.model, usage: anthropicUsage(message.usage) }),
    reply: (message, context, name) => {
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
        throw truncatedError(context, settings.maxOutputTokens, text);
      }
      if (mode !== "tool") return { text };
      const call = message.content.find((b) => b.type === "tool_use" && b.name === name);
      if (!call) {
        throw outputError(
          context,
          "empty",
          `${label} answered without calling the "${name}" tool.`,
          text,
        );
      }
      return { value: call.input };
    },
  };
}

/**
 * A `LanguageModel` on Anthropic's SDK. The key comes from `apiKey` or
 * ANTHROPIC_API_KEY, read at the first call; `baseURL` (or
 * ANTHROPIC_BASE_URL) points it at a gateway.
 */
export function anthropic(settings: AnthropicSettings): LanguageModel {
  const { resolved, parsed } = resolveSettings(PROVIDER, AnthropicSettingsSchema, settings);
  return adapterModel(connection, messagesWire(resolved, parsed.mode ?? "json-schema"), resolved);
}
