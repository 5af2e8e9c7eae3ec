import { ConfigurationError, TrajectoryAssessmentSchema } from "@converge/core";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { anthropic } from "./anthropic.js";
import { LlmApiError, LlmOutputError } from "./errors.js";
import {
  type FakeProviderServer,
  type FakeReply,
  startFakeAnthropic,
} from "./test-fixtures/fake-provider-server.js";
import { expectNoSecret, rejectionOf, SENTINEL_KEY } from "./test-fixtures/secrets.js";

const Verdict = z.object({ verdict: z.enum(["GO", "STOP"]), score: z.number().min(0).max(1) });
const servers: FakeProviderServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(replies: FakeReply[], model?: string) {
  const server = await startFakeAnthropic({
    replies,
    apiKey: SENTINEL_KEY,
    ...(model && { model }),
  });
  servers.push(server);
  return server;
}

const ask = (model: ReturnType<typeof anthropic>) =>
  model.generateObject({
    schema: Verdict,
    schemaName: "verdict",
    system: "Be brief.",
    prompt: "Go?",
  });

for (const mode of ["json-schema", "tool"] as const) {
  describe(`anthropic() in ${mode} mode, through the real SDK`, () => {
    const model = (server: FakeProviderServer, extra: Record<string, unknown> = {}) =>
      anthropic({
        model: "claude-sonnet-4-5",
        apiKey: SENTINEL_KEY,
        baseURL: server.baseURL,
        mode,
        ...extra,
      });

    it("returns the validated object, usage and cost from the price table", async () => {
      // The provider answers with a dated snapshot: priced as its model.
      const server = await serve(
        [
          {
            kind: "object",
            value: { verdict: "GO", score: 0.8 },
            usage: { input: 2000, output: 400 },
          },
        ],
        "claude-sonnet-4-5-20250929",
      );
      const result = await ask(model(server));
      expect(result).toEqual({
        object: { verdict: "GO", score: 0.8 },
        usage: { inputTokens: 2000, outputTokens: 400 },
        // claude-sonnet-4-5: $3 in, $15 out per million
        costUsd: (2000 * 3 + 400 * 15) / 1e6,
        model: "claude-sonnet-4-5-20250929",
        provider: "anthropic",
      });
      const [request] = server.requests;
      expect(request?.path).toBe("/v1/messages");
      // SDK 1.14 sends the key as Authorization: Bearer (older ones used x-api-key).
      const sent = request?.headers["x-api-key"] ?? request?.headers.authorization;
      expect(String(sent).replace(/^Bearer /, "")).toBe(SENTINEL_KEY);
      expect(request?.body).toMatchObject({
        model: "claude-sonnet-4-5",
        max_tokens: 4096,
        system: "Be brief.",
        messages: [{ role: "user", content: "Go?" }],
      });
      if (mode === "tool") {
        expect(request?.body.tool_choice).toEqual({ type: "tool", name: "verdict" });
        expect(request?.body.tools[0].input_schema.properties.verdict.enum).toEqual(["GO", "STOP"]);
      } else {
        expect(request?.body.output_config.format.type).toBe("json_schema");
        expect(request?.body.output_config.format.schema.required).toEqual(["verdict", "score"]);
      }
    });

    it("says what was wrong with an unusable answer, and counts its tokens", async () => {
      const server = await serve([
        { kind: "object", value: { verdict: "MAYBE", score: 2 }, usage: { input: 50, output: 5 } },
        { kind: "refusal", message: "I can't help with that." },
        { kind: "truncated", text: '{"verdict": "GO", "sco' },
      ]);
      const m = model(server);
      const mismatch = (await rejectionOf(ask(m))) as LlmOutputError;
      expect(LlmOutputError.isInstance(mismatch)).toBe(true);
      expect(mismatch.problem).toBe("schema-mismatch");
      expect(mismatch.issues.map((i) => i.path).sort()).toEqual(["score", "verdict"]);
      expect(mismatch.usage).toEqual({ inputTokens: 50, outputTokens: 5 });
      expect(mismatch.costUsd).toBeCloseTo((50 * 3 + 5 * 15) / 1e6, 15);
      const refusal = (await rejectionOf(ask(m))) as LlmOutputError;
      expect(refusal.problem).toBe("refusal");
      const truncated = (await rejectionOf(ask(m))) as LlmOutputError;
      expect(truncated.problem).toBe("truncated");
      for (const e of [mismatch, refusal, truncated]) expectNoSecret(e);
    });

    it("waits as Retry-After asks after a 429, then succeeds", async () => {
      const server = await serve([
        { kind: "http-error", status: 429, retryAfter: "1", message: "rate limited" },
        { kind: "object", value: { verdict: "STOP", score: 0 } },
      ]);
      expect((await ask(model(server))).object.verdict).toBe("STOP");
      const gap = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
      expect(gap).toBeGreaterThanOrEqual(950);
    });

    it("gives up on 529s (overloaded) when the retry budget is spent", async () => {
      const server = await serve(
        Array.from(
          { length: 4 },
          () => ({ kind: "http-error", status: 529, message: "Overloaded" }) as const,
        ),
      );
      const error = await rejectionOf(ask(model(server, { maxRetries: 1, maxDelayMs: 20 })));
      expect(LlmApiError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ status: 529, attempts: 2 });
      expect(error.message).toContain("HTTP 529: Overloaded");
      expectNoSecret(error);
    });

    it("ends a hung connection at timeoutMs", async () => {
      const server = await serve([{ kind: "hang" }, { kind: "drop" }]);
      const error = await rejectionOf(
        ask(model(server, { timeoutMs: 300, maxRetries: 1, maxDelayMs: 10 })),
      );
      expect(LlmApiError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ status: null, attempts: 2 });
      expect(error.message).toContain("connection failed");
      expect(server.requests).toHaveLength(2);
    });

    it("does not retry a wrong key and never shows it", async () => {
      const server = await serve([]);
      const wrong = "sk-ant-WRONG-0123456789";
      const error = await rejectionOf(
        ask(
          anthropic({ model: "claude-sonnet-4-5", apiKey: wrong, baseURL: server.baseURL, mode }),
        ),
      );
      expect(error).toMatchObject({ status: 401, retryable: false, attempts: 1 });
      expect(error.message).toContain("ANTHROPIC_API_KEY");
      expectNoSecret(error, wrong);
    });
  });
}

describe("anthropic() settings", () => {
  it("reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL when first used", async () => {
    const server = await serve([{ kind: "object", value: { verdict: "GO", score: 0.5 } }]);
    const saved = { key: process.env.ANTHROPIC_API_KEY, url: process.env.ANTHROPIC_BASE_URL };
    try {
      delete process.env.ANTHROPIC_API_KEY;
      const m = anthropic({ model: "claude-haiku-4-5" });
      process.env.ANTHROPIC_API_KEY = SENTINEL_KEY;
      process.env.ANTHROPIC_BASE_URL = server.baseURL;
      const result = await ask(m);
      expect(result.object.verdict).toBe("GO");
      expect(result.costUsd).not.toBeNull();
    } finally {
      for (const [name, value] of [
        ["ANTHROPIC_API_KEY", saved.key],
        ["ANTHROPIC_BASE_URL", saved.url],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("says which variable to set when there is no key", async () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    try {
      const error = await rejectionOf(ask(anthropic({ model: "claude-haiku-4-5" })));
      expect(ConfigurationError.isInstance(error)).toBe(true);
      expect(error.message).toContain("ANTHROPIC_API_KEY is not set");
    } finally {
      if (saved !== undefined) process.env.ANTHROPIC_API_KEY = saved;
    }
  });

  it("accepts core's assessment schema (open-ended map included) in both modes", async () => {
    const assessment = {
      convergence_assessment: "CONVERGING",
      gradient_effectiveness: "EFFECTIVE",
      likelihood_of_success: "HIGH",
      estimated_iterations_needed: 2,
      key_findings: ["sharpe rising"],
      parameter_recommendations: { position_size: "INCREASE" },
      next_action: "CONTINUE",
      specific_recommendations: [],
      confidence: 0.7,
      reasoning: "steady",
    };
    for (const mode of ["json-schema", "tool"] as const) {
      const server = await serve([{ kind: "object", value: assessment }]);
      const m = anthropic({
        model: "claude-sonnet-4-5",
        apiKey: SENTINEL_KEY,
        baseURL: server.baseURL,
        mode,
      });
      const result = await m.generateObject({
        schema: TrajectoryAssessmentSchema,
        prompt: "assess",
      });
      expect(result.object).toEqual(assessment);
    }
  });
});
