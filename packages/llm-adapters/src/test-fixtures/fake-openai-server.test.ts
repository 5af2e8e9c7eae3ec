import { performance } from "node:perf_hooks";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeReply } from "./fake-provider-server.js";
import {
  chatRequest,
  closeFakes,
  expectNoKeys,
  inputTokens,
  KEY,
  OPENAI_MODEL,
  openAIFake,
  responsesRequest,
  verdict,
  verdictSchema,
  WRONG_KEY,
} from "./fake-server-setup.js";
import { rejectionOf } from "./secrets.js";

afterEach(closeFakes);

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
