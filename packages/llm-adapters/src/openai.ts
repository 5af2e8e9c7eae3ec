/**
 * `openai()`: a `LanguageModel` on the official `openai` SDK, for OpenAI and
 * every server that speaks its API (vLLM, Ollama, LM Studio, gateways).
 */
import type { LanguageModel } from "@converge/core";
import { z } from "zod";
import { type CommonSettings, CommonSettingsSchema, resolveSettings } from "./adapter-settings.js";
import { adapterModel } from "./adapter-skeleton.js";
import { chatCompletionsWire } from "./openai-chat.js";
import { OPENAI, openAIConnection } from "./openai-client.js";
import { responsesWire } from "./openai-responses.js";

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

/**
 * A `LanguageModel` on OpenAI's SDK. The key comes from `apiKey` or
 * OPENAI_API_KEY, read at the first call; `baseURL` (or OPENAI_BASE_URL)
 * points it at any OpenAI-compatible server.
 */
export function openai(settings: OpenAISettings): LanguageModel {
  const { resolved, parsed } = resolveSettings(OPENAI, OpenAISettingsSchema, settings);
  const connection = openAIConnection(parsed);
  return parsed.api === "responses"
    ? adapterModel(connection, responsesWire(resolved, parsed.strict), resolved)
    : adapterModel(connection, chatCompletionsWire(resolved, parsed.strict), resolved);
}
