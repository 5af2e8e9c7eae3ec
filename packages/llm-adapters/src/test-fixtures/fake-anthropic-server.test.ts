import { performance } from "node:perf_hooks";
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  anthropicFake,
  CLAUDE_MODEL,
  closeFakes,
  expectNoKeys,
  inputTokens,
  KEY,
  messagesRequest,
  toolRequest,
  verdict,
  verdictSchema,
  WRONG_KEY,
} from "./fake-server-setup.js";
import { rejectionOf } from "./secrets.js";

afterEach(closeFakes);

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
