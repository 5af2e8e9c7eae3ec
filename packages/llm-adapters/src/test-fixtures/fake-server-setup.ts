/** Shared set-up of the fake provider servers' own tests: clients of the real SDKs pointed at the fakes. */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import {
  type FakeProviderOptions,
  type FakeProviderServer,
  startFakeAnthropic,
  startFakeOpenAI,
} from "./fake-provider-server.js";
import { expectNoSecret, SENTINEL_KEY } from "./secrets.js";

export type ChatParams = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
export type ResponsesParams = OpenAI.Responses.ResponseCreateParamsNonStreaming;
export type MessagesParams = Anthropic.MessageCreateParamsNonStreaming;

export const KEY = SENTINEL_KEY;
export const WRONG_KEY = "sk-wrong-SENTINEL-999";
export const OPENAI_MODEL = "gpt-fake-1";
export const CLAUDE_MODEL = "claude-fake-1";

export const verdictSchema: { type: "object"; [key: string]: unknown } = {
  type: "object",
  properties: { verdict: { type: "string" }, score: { type: "number" } },
  required: ["verdict", "score"],
  additionalProperties: false,
};
export const verdict = { verdict: "tune", score: 0.75 };

const servers: FakeProviderServer[] = [];
/** Closes every fake started by the helpers below (register with afterEach). */
export async function closeFakes(): Promise<void> {
  await Promise.all(servers.splice(0).map((server) => server.close()));
}

export async function openAIFake(options: FakeProviderOptions) {
  const server = await startFakeOpenAI(options);
  servers.push(server);
  const client = (apiKey = KEY, timeout?: number) =>
    new OpenAI({ apiKey, baseURL: server.baseURL, maxRetries: 0, ...(timeout ? { timeout } : {}) });
  return { server, client: client(), clientWith: client };
}

export async function anthropicFake(options: FakeProviderOptions) {
  const server = await startFakeAnthropic(options);
  servers.push(server);
  const client = (apiKey = KEY, timeout?: number) =>
    new Anthropic({
      apiKey,
      baseURL: server.baseURL,
      maxRetries: 0,
      ...(timeout ? { timeout } : {}),
    });
  return { server, client: client(), clientWith: client };
}

/** Neither the key the server expects nor the one that was sent shows in any error surface. */
export function expectNoKeys(error: unknown) {
  expectNoSecret(error, KEY);
  expectNoSecret(error, WRONG_KEY);
}

export const chatRequest = (content = "Is the loop converging?"): ChatParams => ({
  model: OPENAI_MODEL,
  messages: [{ role: "user", content }],
  response_format: {
    type: "json_schema",
    json_schema: { name: "verdict", schema: verdictSchema, strict: true },
  },
});

export const responsesRequest: ResponsesParams = {
  model: OPENAI_MODEL,
  input: "Is the loop converging?",
  text: { format: { type: "json_schema", name: "verdict", schema: verdictSchema, strict: true } },
};

export const messagesRequest: MessagesParams = {
  model: CLAUDE_MODEL,
  max_tokens: 512,
  messages: [{ role: "user", content: "Is the loop converging?" }],
};

export const toolRequest: MessagesParams = {
  ...messagesRequest,
  tools: [{ name: "emit_verdict", description: "Report the verdict", input_schema: verdictSchema }],
  tool_choice: { type: "tool", name: "emit_verdict" },
};

/** The fakes' default input-token count for the n-th recorded request. */
export const inputTokens = (server: FakeProviderServer, n = 0) =>
  Math.ceil(JSON.stringify(server.requests[n]?.body).length / 4);
