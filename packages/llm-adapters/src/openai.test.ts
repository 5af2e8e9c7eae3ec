import { ConfigurationError, ValidationError } from "@converge/core";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { LlmApiError, LlmOutputError } from "./errors.js";
import { openai } from "./openai.js";
import {
  type FakeProviderServer,
  type FakeReply,
  startFakeOpenAI,
} from "./test-fixtures/fake-provider-server.js";
import { expectNoSecret, rejectionOf, SENTINEL_KEY } from "./test-fixtures/secrets.js";

const Verdict = z.object({ verdict: z.enum(["GO", "STOP"]), score: z.number().min(0).max(1) });
const servers: FakeProviderServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(replies: FakeReply[]) {
  const server = await startFakeOpenAI({ replies, apiKey: SENTINEL_KEY });
  servers.push(server);
  return server;
}

const ask = (model: ReturnType<typeof openai>) =>
  model.generateObject({
    schema: Verdict,
    schemaName: "verdict",
    system: "Be brief.",
    prompt: "Go?",
  });

for (const api of ["chat", "responses"] as const) {
  describe(`openai() over the ${api} API, through the real SDK`, () => {
    const model = (server: FakeProviderServer, extra: Record<string, unknown> = {}) =>
      openai({ model: "gpt-4.1", apiKey: SENTINEL_KEY, baseURL: server.baseURL, api, ...extra });

    it("returns the validated object, usage and cost from the price table", async () => {
      const server = await serve([
        {
          kind: "object",
          value: { verdict: "GO", score: 0.8 },
          usage: { input: 1200, output: 300 },
        },
      ]);
      const result = await ask(model(server));
      expect(result).toEqual({
        object: { verdict: "GO", score: 0.8 },
        usage: { inputTokens: 1200, outputTokens: 300 },
        // gpt-4.1: $2 in, $8 out per million
        costUsd: (1200 * 2 + 300 * 8) / 1e6,
        model: "gpt-4.1",
        provider: "openai",
      });
      const [request] = server.requests;
      expect(request?.headers.authorization).toBe(`Bearer ${SENTINEL_KEY}`);
      if (api === "chat") {
        expect(request?.path).toBe("/v1/chat/completions");
        expect(request?.body.response_format).toMatchObject({
          type: "json_schema",
          json_schema: { name: "verdict", strict: true },
        });
        expect(request?.body.messages).toEqual([
          { role: "system", content: "Be brief." },
          { role: "user", content: "Go?" },
        ]);
        expect(request?.body.max_completion_tokens).toBe(4096);
      } else {
        expect(request?.path).toBe("/v1/responses");
        expect(request?.body.text.format).toMatchObject({
          type: "json_schema",
          name: "verdict",
          strict: true,
        });
        expect(request?.body).toMatchObject({
          instructions: "Be brief.",
          input: "Go?",
          store: false,
        });
      }
    });

    it("says what was wrong with an unusable answer, and counts its tokens", async () => {
      const server = await serve([
        { kind: "text", text: "Sure! {verdict: GO", usage: { input: 100, output: 10 } },
        { kind: "object", value: { verdict: "MAYBE", score: 2 } },
        { kind: "refusal", message: "I can't help with that." },
        { kind: "truncated", text: '{"verdict": "GO", "sco' },
        { kind: "text", text: "" },
      ]);
      const m = model(server);
      const invalid = await rejectionOf(ask(m));
      expect(LlmOutputError.isInstance(invalid) && invalid.problem).toBe("invalid-json");
      expect((invalid as LlmOutputError).usage).toEqual({ inputTokens: 100, outputTokens: 10 });
      expect((invalid as LlmOutputError).costUsd).toBeCloseTo((100 * 2 + 10 * 8) / 1e6, 15);
      expect((invalid as LlmOutputError).output).toBe("Sure! {verdict: GO");

      const mismatch = (await rejectionOf(ask(m))) as LlmOutputError;
      expect(mismatch.problem).toBe("schema-mismatch");
      expect(mismatch.issues.map((i) => i.path).sort()).toEqual(["score", "verdict"]);
      expect(mismatch.message).toContain("score");

      const refusal = (await rejectionOf(ask(m))) as LlmOutputError;
      expect(refusal.problem).toBe("refusal");
      expect(refusal.message).toContain("I can't help with that.");

      const truncated = (await rejectionOf(ask(m))) as LlmOutputError;
      expect(truncated.problem).toBe("truncated");
      expect(truncated.message).toContain("maxOutputTokens 4096");

      const empty = (await rejectionOf(ask(m))) as LlmOutputError;
      expect(empty.problem).toBe("empty");
      for (const e of [invalid, mismatch, refusal, truncated, empty]) expectNoSecret(e);
    });

    it("waits as Retry-After asks after a 429, then succeeds", async () => {
      const server = await serve([
        { kind: "http-error", status: 429, retryAfter: "1", message: "Rate limit reached" },
        { kind: "object", value: { verdict: "STOP", score: 0.1 } },
      ]);
      const result = await ask(model(server));
      expect(result.object.verdict).toBe("STOP");
      expect(server.requests).toHaveLength(2);
      const gap = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(950);
    });

    it("gives up on 500s when the retry budget is spent, naming the status and attempts", async () => {
      const server = await serve(
        // A gateway that echoes the key it was sent: the adapter must still never show it.
        Array.from(
          { length: 5 },
          () =>
            ({ kind: "http-error", status: 500, message: `boom (key ${SENTINEL_KEY})` }) as const,
        ),
      );
      const error = await rejectionOf(ask(model(server, { maxRetries: 2, maxDelayMs: 50 })));
      expect(LlmApiError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ status: 500, retryable: true, attempts: 3 });
      expect(error.message).toContain("HTTP 500: boom (key ***)");
      expect(server.requests).toHaveLength(3);
      expectNoSecret(error);
    });

    it("ends a hung connection at timeoutMs, retries, and stops at the budget", async () => {
      const server = await serve([{ kind: "hang" }, { kind: "hang" }, { kind: "hang" }]);
      const started = Date.now();
      const error = await rejectionOf(
        ask(model(server, { timeoutMs: 300, maxRetries: 1, maxDelayMs: 20 })),
      );
      expect(LlmApiError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ status: null, attempts: 2 });
      expect(error.message).toContain("no answer within 300 ms");
      expect(Date.now() - started).toBeLessThan(3000);
      expect(server.requests).toHaveLength(2);
    });

    it("never waits past totalTimeoutMs, however many retries are allowed", async () => {
      const server = await serve(Array.from({ length: 10 }, () => ({ kind: "hang" }) as const));
      const started = Date.now();
      const error = await rejectionOf(
        ask(model(server, { timeoutMs: 300, totalTimeoutMs: 700, maxRetries: 10, maxDelayMs: 10 })),
      );
      expect(LlmApiError.isInstance(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(server.requests.length).toBeLessThanOrEqual(3);
    });

    it("does not retry a wrong key, and never shows either key", async () => {
      const server = await serve([{ kind: "object", value: { verdict: "GO", score: 1 } }]);
      const wrong = "sk-test-WRONG-0123456789";
      const error = await rejectionOf(
        ask(openai({ model: "gpt-4.1", apiKey: wrong, baseURL: server.baseURL, api })),
      );
      expect(error).toMatchObject({ status: 401, retryable: false, attempts: 1 });
      expect(error.message).toContain("OPENAI_API_KEY");
      expectNoSecret(error, wrong);
      expectNoSecret(error);
    });

    it("gives costUsd null and warns once for a model without a price", async () => {
      const server = await serve([
        { kind: "object", value: { verdict: "GO", score: 1 } },
        { kind: "object", value: { verdict: "GO", score: 1 } },
      ]);
      const warnings: string[] = [];
      const m = openai({
        model: "llama3.1:8b",
        apiKey: SENTINEL_KEY,
        baseURL: server.baseURL,
        api,
        onWarning: (w) => warnings.push(w),
      });
      expect((await ask(m)).costUsd).toBeNull();
      expect((await ask(m)).costUsd).toBeNull();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('prices: { "llama3.1:8b"');
      const s2 = await serve([
        { kind: "object", value: { verdict: "GO", score: 1 }, usage: { input: 10, output: 5 } },
      ]);
      const priced = openai({
        model: "llama3.1:8b",
        apiKey: SENTINEL_KEY,
        baseURL: s2.baseURL,
        api,
        prices: { "llama3.1:8b": { inputPerMillion: 0.1, outputPerMillion: 0.2 } },
      });
      expect((await ask(priced)).costUsd).toBeCloseTo((10 * 0.1 + 5 * 0.2) / 1e6, 15);
    });
  });
}

describe("openai() settings", () => {
  it("reads OPENAI_API_KEY and OPENAI_BASE_URL when first used, not at creation", async () => {
    const server = await serve([{ kind: "object", value: { verdict: "GO", score: 0.5 } }]);
    const saved = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL };
    try {
      delete process.env.OPENAI_API_KEY;
      const m = openai({ model: "gpt-4.1" });
      process.env.OPENAI_API_KEY = SENTINEL_KEY;
      process.env.OPENAI_BASE_URL = server.baseURL;
      expect((await ask(m)).object.verdict).toBe("GO");
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${SENTINEL_KEY}`);
    } finally {
      for (const [name, value] of [
        ["OPENAI_API_KEY", saved.key],
        ["OPENAI_BASE_URL", saved.url],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("says which variable to set when there is no key", async () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const error = await rejectionOf(
        ask(openai({ model: "gpt-4.1", baseURL: "http://127.0.0.1:9/v1" })),
      );
      expect(ConfigurationError.isInstance(error)).toBe(true);
      expect(error.message).toContain("OPENAI_API_KEY is not set");
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it("rejects a misspelt or bad option, naming it", () => {
    const error = (() => {
      try {
        openai({ model: "gpt-4.1", maxRetry: 3, timeoutMs: -1, baseURL: "ftp://x" } as never);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error?.message).toContain("maxRetry");
    expect(error?.message).toContain("timeoutMs");
    expect(error?.message).toContain("baseURL");
  });

  it("sends a non-strict schema when the answer's schema cannot be strict, and validates it itself", async () => {
    const server = await serve([{ kind: "object", value: { scores: { a: 1 } } }]);
    const m = openai({ model: "gpt-4.1", apiKey: SENTINEL_KEY, baseURL: server.baseURL });
    const schema = z.object({ scores: z.record(z.string(), z.number()) });
    expect((await m.generateObject({ schema, prompt: "x" })).object).toEqual({ scores: { a: 1 } });
    expect(server.requests[0]?.body.response_format.json_schema.strict).toBe(false);
    const strict = openai({
      model: "gpt-4.1",
      apiKey: SENTINEL_KEY,
      baseURL: server.baseURL,
      strict: true,
    });
    const error = await rejectionOf(strict.generateObject({ schema, prompt: "x" }));
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect(error.message).toContain("strict: false");
  });
});
