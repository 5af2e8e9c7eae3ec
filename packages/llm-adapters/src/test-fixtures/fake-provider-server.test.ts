import { performance } from "node:perf_hooks";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type FakeProviderOptions,
  type FakeProviderServer,
  type FakeReply,
  startFakeAnthropic,
  startFakeOpenAI,
} from "./fake-provider-server.js";
import { expectNoSecret, rejectionOf, SENTINEL_KEY } from "./secrets.js";

type ChatParams = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
type ResponsesParams = OpenAI.Responses.ResponseCreateParamsNonStreaming;
type MessagesParams = Anthropic.MessageCreateParamsNonStreaming;

const KEY = SENTINEL_KEY;
const WRONG_KEY = "sk-wrong-SENTINEL-999";
const OPENAI_MODEL = "gpt-fake-1";
const CLAUDE_MODEL = "claude-fake-1";

const verdictSchema: { type: "object"; [key: string]: unknown } = {
  type: "object",
  properties: { verdict: { type: "string" }, score: { type: "number" } },
  required: ["verdict", "score"],
  additionalProperties: false,
};
const verdict = { verdict: "tune", score: 0.75 };

const servers: FakeProviderServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function openAIFake(options: FakeProviderOptions) {
  const server = await startFakeOpenAI(options);
  servers.push(server);
  const client = (apiKey = KEY, timeout?: number) =>
    new OpenAI({ apiKey, baseURL: server.baseURL, maxRetries: 0, ...(timeout ? { timeout } : {}) });
  return { server, client: client(), clientWith: client };
}

async function anthropicFake(options: FakeProviderOptions) {
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
function expectNoKeys(error: unknown) {
  expectNoSecret(error, KEY);
  expectNoSecret(error, WRONG_KEY);
}

const chatRequest = (content = "Is the loop converging?"): ChatParams => ({
  model: OPENAI_MODEL,
  messages: [{ role: "user", content }],
  response_format: {
    type: "json_schema",
    json_schema: { name: "verdict", schema: verdictSchema, strict: true },
  },
});

const responsesRequest: ResponsesParams = {
  model: OPENAI_MODEL,
  input: "Is the loop converging?",
  text: { format: { type: "json_schema", name: "verdict", schema: verdictSchema, strict: true } },
};

const messagesRequest: MessagesParams = {
  model: CLAUDE_MODEL,
  max_tokens: 512,
  messages: [{ role: "user", content: "Is the loop converging?" }],
};

const toolRequest: MessagesParams = {
  ...messagesRequest,
  tools: [{ name: "emit_verdict", description: "Report the verdict", input_schema: verdictSchema }],
  tool_choice: { type: "tool", name: "emit_verdict" },
};

/** The fakes' default input-token count for the n-th recorded request. */
const inputTokens = (server: FakeProviderServer, n = 0) =>
  Math.ceil(JSON.stringify(server.requests[n]?.body).length / 4);

describe("fake OpenAI: chat completions through the real SDK", () => {
  it("answers an object reply as JSON content with stop, the request's model and estimated usage", async () => {
    const { server, client } = await openAIFake({ replies: [{ kind: "object", value: verdict }] });
    expect(server.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const completion = await client.chat.completions.create(chatRequest());

    expect(completion).toMatchObject({ object: "chat.completion", model: OPENAI_MODEL });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.created).toBeGreaterThan(1_600_000_000);
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe("stop");
    expect(choice?.message).toMatchObject({ role: "assistant", refusal: null });
    expect(JSON.parse(choice?.message.content ?? "")).toEqual(verdict);

    const output = Math.ceil(JSON.stringify(verdict).length / 4);
    expect(completion.usage).toMatchObject({
      prompt_tokens: inputTokens(server),
      completion_tokens: output,
      total_tokens: inputTokens(server) + output,
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      body: { model: OPENAI_MODEL, messages: [{ role: "user" }] },
    });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("answers refusal, truncated and text replies, with scripted usage taken exactly", async () => {
    const usage = { input: 11, output: 3 };
    const { client } = await openAIFake({
      replies: [
        { kind: "refusal", message: "I can't help with that.", usage },
        { kind: "truncated", text: '{"verdict": "tu', usage },
        { kind: "text", text: "Sure! Here is prose, not JSON." },
      ],
    });
    const refused = await client.chat.completions.create(chatRequest());
    expect(refused.choices[0]?.message).toMatchObject({
      content: null,
      refusal: "I can't help with that.",
    });
    expect(refused.choices[0]?.finish_reason).toBe("stop");
    expect(refused.usage).toMatchObject({
      prompt_tokens: 11,
      completion_tokens: 3,
      total_tokens: 14,
    });

    const cut = await client.chat.completions.create(chatRequest());
    expect(cut.choices[0]?.finish_reason).toBe("length");
    expect(cut.choices[0]?.message.content).toBe('{"verdict": "tu');

    const prose = await client.chat.completions.create(chatRequest());
    expect(prose.choices[0]?.message.content).toBe("Sure! Here is prose, not JSON.");
    expect(prose.choices[0]?.finish_reason).toBe("stop");
  });

  it("reports the `model` option instead of the request's model when given", async () => {
    const { client } = await openAIFake({
      replies: [{ kind: "text", text: "ok" }],
      model: "gpt-fake-1-2026-01-01",
    });
    const completion = await client.chat.completions.create(chatRequest());
    expect(completion.model).toBe("gpt-fake-1-2026-01-01");
  });
});

describe("fake OpenAI: responses through the real SDK", () => {
  it("answers an object reply as output_text for a json_schema text.format", async () => {
    const { server, client } = await openAIFake({ replies: [{ kind: "object", value: verdict }] });
    const response = await client.responses.create(responsesRequest);

    expect(response).toMatchObject({
      object: "response",
      status: "completed",
      model: OPENAI_MODEL,
      error: null,
      incomplete_details: null,
    });
    expect(response.id).toMatch(/^resp_/);
    expect(JSON.parse(response.output_text)).toEqual(verdict);
    expect(response.output[0]).toMatchObject({
      type: "message",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: JSON.stringify(verdict), annotations: [] }],
    });
    expect(response.text).toEqual(responsesRequest.text);
    const output = Math.ceil(JSON.stringify(verdict).length / 4);
    expect(response.usage).toEqual({
      input_tokens: inputTokens(server),
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens(server) + output,
    });
    expect(server.requests[0]?.path).toBe("/v1/responses");
  });

  it("answers a refusal as a refusal content part and truncation as an incomplete response", async () => {
    const { client } = await openAIFake({
      replies: [
        { kind: "refusal", message: "No." },
        { kind: "truncated", text: '{"verd', usage: { input: 5, output: 2 } },
      ],
    });
    const refused = await client.responses.create(responsesRequest);
    expect(refused.status).toBe("completed");
    expect(refused.output[0]).toMatchObject({ content: [{ type: "refusal", refusal: "No." }] });
    expect(refused.output_text).toBe("");

    const cut = await client.responses.create(responsesRequest);
    expect(cut.status).toBe("incomplete");
    expect(cut.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(cut.output_text).toBe('{"verd');
    expect(cut.usage).toMatchObject({ input_tokens: 5, output_tokens: 2, total_tokens: 7 });
  });
});

describe("fake OpenAI: errors, hangs and the script", () => {
  it("surfaces a scripted 429 as RateLimitError with its Retry-After header", async () => {
    const { client } = await openAIFake({
      replies: [{ kind: "http-error", status: 429, retryAfter: "7", message: "Slow down." }],
    });
    const error = await rejectionOf(client.chat.completions.create(chatRequest()));
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimited.status).toBe(429);
    expect(rateLimited.headers.get("retry-after")).toBe("7");
    expect(rateLimited.message).toBe("429 Slow down.");
    expect(rateLimited.error).toMatchObject({ type: "requests", code: "rate_limit_exceeded" });
    expect(rateLimited.requestID).toMatch(/^req_/);
    expectNoKeys(rateLimited);
  });

  it("answers 401 for a wrong or missing key without echoing it, and consumes no reply", async () => {
    const { server, client, clientWith } = await openAIFake({
      apiKey: KEY,
      replies: [{ kind: "text", text: "first" }],
    });
    const error = await rejectionOf(clientWith(WRONG_KEY).chat.completions.create(chatRequest()));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    expectNoKeys(error);

    const missing = await fetch(`${server.baseURL}/chat/completions`, {
      method: "POST",
      body: JSON.stringify(chatRequest()),
    });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { type: "invalid_request_error" } });

    const ok = await client.chat.completions.create(chatRequest());
    expect(ok.choices[0]?.message.content).toBe("first");
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${WRONG_KEY}`,
      undefined,
      `Bearer ${KEY}`,
    ]);
  });

  it("ends a hung request by the SDK's timeout with APIConnectionTimeoutError", async () => {
    const { server, clientWith } = await openAIFake({ replies: [{ kind: "hang" }] });
    const started = performance.now();
    const error = await rejectionOf(clientWith(KEY, 300).chat.completions.create(chatRequest()));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5_000);
    expect(server.requests).toHaveLength(1);
    expectNoKeys(error);
  });

  it("answers 500 'script exhausted' once the replies run out", async () => {
    const { client } = await openAIFake({ replies: [{ kind: "text", text: "only one" }] });
    await client.responses.create(responsesRequest);
    const error = await rejectionOf(client.responses.create(responsesRequest));
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    expect(error.message).toContain("fake server: script exhausted");
  });

  it("drops the connection as an APIConnectionError that is not a timeout", async () => {
    const { client } = await openAIFake({ replies: [{ kind: "drop" }] });
    const error = await rejectionOf(client.chat.completions.create(chatRequest()));
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(error).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it("closes promptly while a request hangs, and the client sees a connection error", async () => {
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const { server, client } = await openAIFake({
      replies: () => {
        arrived();
        return { kind: "hang" };
      },
    });
    const pending = rejectionOf(client.chat.completions.create(chatRequest()));
    await arrival;
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(500);
    const error = await pending;
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect(error).not.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    await server.close(); // idempotent
  });

  it("rejects streaming, unknown paths and malformed bodies in OpenAI's error format", async () => {
    const { server, client } = await openAIFake({ replies: [] });
    const streaming = await rejectionOf(
      client.chat.completions.create({ ...chatRequest(), stream: true }),
    );
    expect(streaming).toBeInstanceOf(OpenAI.BadRequestError);
    expect(streaming.message).toContain("streaming");

    const post = (path: string, body: unknown) =>
      fetch(`${server.baseURL}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    const unknown = await post("/embeddings", { model: OPENAI_MODEL, input: "x" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: {
        message: "Invalid URL (POST /v1/embeddings)",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
    expect(unknown.headers.get("x-request-id")).toMatch(/^req_/);

    const noModel = await post("/chat/completions", { messages: [{ role: "user", content: "x" }] });
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toMatchObject({ error: { param: "model" } });
    const noMessages = await post("/chat/completions", { model: OPENAI_MODEL });
    expect(await noMessages.json()).toMatchObject({ error: { param: "messages" } });
    const noInput = await post("/responses", { model: OPENAI_MODEL });
    expect(noInput.status).toBe(400);
    expect(await noInput.json()).toMatchObject({ error: { param: "input" } });
    const noName = await post("/responses", {
      ...responsesRequest,
      text: { format: { type: "json_schema", schema: verdictSchema } },
    });
    expect(await noName.json()).toMatchObject({ error: { param: "text.format.name" } });
    const notJson = await post("/chat/completions", "{not json");
    expect(notJson.status).toBe(400);

    expect(server.requests.map((r) => r.path)).toEqual([
      "/v1/chat/completions",
      "/v1/embeddings",
      "/v1/chat/completions",
      "/v1/chat/completions",
      "/v1/responses",
      "/v1/responses",
      "/v1/chat/completions",
    ]);
    expect(server.requests.at(-1)?.body).toBe("{not json");
    const times = server.requests.map((r) => r.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("asks a reply function with each request and the reply index", async () => {
    const seen: Array<[string, number]> = [];
    const { client } = await openAIFake({
      replies: (request, index): FakeReply => {
        seen.push([request.path, index]);
        return { kind: "text", text: `reply ${index} to ${request.body.model}` };
      },
    });
    const chat = await client.chat.completions.create(chatRequest());
    const response = await client.responses.create(responsesRequest);
    expect(chat.choices[0]?.message.content).toBe(`reply 0 to ${OPENAI_MODEL}`);
    expect(response.output_text).toBe(`reply 1 to ${OPENAI_MODEL}`);
    expect(seen).toEqual([
      ["/v1/chat/completions", 0],
      ["/v1/responses", 1],
    ]);
  });
});

describe("fake Anthropic: messages through the real SDK", () => {
  it("answers an object reply as a tool_use block when a tool is forced", async () => {
    const { server, client } = await anthropicFake({
      replies: [{ kind: "object", value: verdict }],
    });
    expect(server.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const message = await client.messages.create(toolRequest);

    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: CLAUDE_MODEL,
      stop_reason: "tool_use",
      stop_sequence: null,
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({
      type: "tool_use",
      name: "emit_verdict",
      input: verdict,
    });
    expect(message.content[0]).toHaveProperty("id", expect.stringMatching(/^toolu_/));
    expect(message.usage).toMatchObject({
      input_tokens: inputTokens(server),
      output_tokens: Math.ceil(JSON.stringify(verdict).length / 4),
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
    });
    expect(server.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/messages",
      body: { tool_choice: { type: "tool", name: "emit_verdict" } },
    });
  });

  it("sends the API key as Authorization: Bearer (not x-api-key), with anthropic-version", async () => {
    const { server, client } = await anthropicFake({
      apiKey: KEY,
      replies: [{ kind: "text", text: "hi" }],
    });
    await client.messages.create(messagesRequest);
    const headers = server.requests[0]?.headers ?? {};
    expect(headers.authorization).toBe(`Bearer ${KEY}`);
    expect(headers["x-api-key"]).toBeUndefined();
    expect(headers["anthropic-version"]).toEqual(expect.any(String));
  });

  it("answers an object reply as JSON text for structured output (output_config)", async () => {
    const { client } = await anthropicFake({ replies: [{ kind: "object", value: verdict }] });
    const message = await client.messages.create({
      ...messagesRequest,
      output_config: { format: { type: "json_schema", schema: verdictSchema } },
    });
    expect(message.stop_reason).toBe("end_turn");
    expect(message.content).toEqual([
      { type: "text", text: JSON.stringify(verdict), citations: null },
    ]);
  });

  it("answers refusal, truncated and text replies with their stop reasons and scripted usage", async () => {
    const { client } = await anthropicFake({
      replies: [
        { kind: "refusal", message: "I can't help with that.", usage: { input: 9, output: 4 } },
        { kind: "truncated", text: '{"verdict": "tu' },
        { kind: "text", text: "prose instead of a tool call" },
      ],
    });
    const refused = await client.messages.create(toolRequest);
    expect(refused.stop_reason).toBe("refusal");
    expect(refused.stop_details).toMatchObject({ type: "refusal" });
    expect(refused.content).toEqual([
      { type: "text", text: "I can't help with that.", citations: null },
    ]);
    expect(refused.usage).toMatchObject({ input_tokens: 9, output_tokens: 4 });

    const cut = await client.messages.create(messagesRequest);
    expect(cut.stop_reason).toBe("max_tokens");
    expect(cut.content).toEqual([{ type: "text", text: '{"verdict": "tu', citations: null }]);

    const prose = await client.messages.create(toolRequest);
    expect(prose.stop_reason).toBe("end_turn");
    expect(prose.content[0]).toMatchObject({ type: "text", text: "prose instead of a tool call" });
  });
});

describe("fake Anthropic: errors, hangs and the script", () => {
  it("surfaces a scripted 429 as RateLimitError in Anthropic's error format", async () => {
    const { client } = await anthropicFake({
      replies: [{ kind: "http-error", status: 429, retryAfter: "12" }],
    });
    const error = await rejectionOf(client.messages.create(messagesRequest));
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimited = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimited.status).toBe(429);
    expect(rateLimited.headers?.get("retry-after")).toBe("12");
    expect(rateLimited.error).toMatchObject({
      type: "error",
      error: { type: "rate_limit_error", message: "fake server: scripted HTTP 429" },
      request_id: expect.stringMatching(/^req_/),
    });
    expect(rateLimited.requestID).toMatch(/^req_/);
    expectNoKeys(rateLimited);
  });

  it("answers 401 for a wrong key without echoing it, and accepts x-api-key too", async () => {
    const { server, clientWith } = await anthropicFake({
      apiKey: KEY,
      replies: [{ kind: "text", text: "via x-api-key" }],
    });
    const error = await rejectionOf(clientWith(WRONG_KEY).messages.create(messagesRequest));
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(401);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: "error",
      error: { type: "authentication_error" },
    });
    expectNoKeys(error);

    const viaHeader = await fetch(`${server.baseURL}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY },
      body: JSON.stringify(messagesRequest),
    });
    expect(viaHeader.status).toBe(200);
    expect(await viaHeader.json()).toMatchObject({ content: [{ text: "via x-api-key" }] });
  });

  it("ends a hung request by the SDK's timeout with APIConnectionTimeoutError", async () => {
    const { clientWith } = await anthropicFake({ replies: [{ kind: "hang" }] });
    const started = performance.now();
    const error = await rejectionOf(clientWith(KEY, 300).messages.create(messagesRequest));
    expect(error).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    expect(performance.now() - started).toBeLessThan(5_000);
    expectNoKeys(error);
  });

  it("answers 500 'script exhausted' in Anthropic's format", async () => {
    const { client } = await anthropicFake({ replies: [] });
    const error = await rejectionOf(client.messages.create(messagesRequest));
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { type: "api_error", message: "fake server: script exhausted" },
    });
  });

  it("closes promptly while a request hangs", async () => {
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const { server, client } = await anthropicFake({
      replies: () => {
        arrived();
        return { kind: "hang" };
      },
    });
    const pending = rejectionOf(client.messages.create(messagesRequest));
    await arrival;
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(await pending).toBeInstanceOf(Anthropic.APIConnectionError);
    // Nothing of the fake's is left to keep the process alive: no listening or open TCP handles.
    const tcpHandles = () =>
      process
        .getActiveResourcesInfo()
        .filter((r) => r === "TCPServerWrap" || r === "TCPSocketWrap");
    await vi.waitFor(() => expect(tcpHandles()).toEqual([]), { timeout: 2_000, interval: 10 });
  });

  it("validates like the API: model, messages, max_tokens, the forced tool, no streaming", async () => {
    const { server, client } = await anthropicFake({ replies: [] });
    const post = async (body: unknown, path = "/v1/messages") => {
      const res = await fetch(`${server.baseURL}${path}`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const { max_tokens: _drop, ...noMaxTokens } = messagesRequest;
    expect(await post(noMaxTokens)).toMatchObject({
      status: 400,
      body: {
        type: "error",
        error: { type: "invalid_request_error", message: "max_tokens: Field required" },
      },
    });
    expect((await post({ ...messagesRequest, model: undefined })).body.error.message).toBe(
      "model: Field required",
    );
    expect((await post({ ...messagesRequest, messages: undefined })).status).toBe(400);
    expect(
      (await post({ ...toolRequest, tool_choice: { type: "tool", name: "missing" } })).status,
    ).toBe(400);
    expect(await post(messagesRequest, "/v1/complete")).toMatchObject({
      status: 404,
      body: { type: "error", error: { type: "not_found_error" } },
    });
    const streaming = await rejectionOf(
      client.messages.create({ ...messagesRequest, stream: true }),
    );
    expect(streaming).toBeInstanceOf(Anthropic.BadRequestError);
    expect(streaming.message).toContain("streaming");
    expect(server.requests).toHaveLength(6);
  });
});
