/**
 * The scenarios end to end: llmAdvisor → openai()/anthropic() → the
 * official SDK → real HTTP → a local server speaking the provider's wire
 * format. Every scenario also checks that the sentinel key shows up nowhere.
 */
import type { LanguageModel } from "@converge/core";
import { scriptedAdvisor } from "@converge/test-kit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { anthropic } from "./anthropic.js";
import { llmAdvisor } from "./llm-advisor.js";
import { openai } from "./openai.js";
import { ANSWER } from "./test-fixtures/answers.js";
import {
  type FakeProviderServer,
  type FakeReply,
  startFakeAnthropic,
  startFakeOpenAI,
} from "./test-fixtures/fake-provider-server.js";
import { expectNoSecret, SENTINEL_KEY } from "./test-fixtures/secrets.js";
import { sampleAdvisorInput } from "./test-fixtures/trajectory-sample.js";

/** What the fallback says: a fixed, recognisable assessment. */
const fallback = scriptedAdvisor(
  {
    source: "fixed",
    assessment: { ...ANSWER, parameter_recommendations: {}, next_action: "PIVOT", confidence: 0.5 },
  },
  { name: "fixed" },
);

interface Provider {
  label: string;
  price: { input: number; output: number };
  start(replies: FakeReply[]): Promise<FakeProviderServer>;
  model(server: FakeProviderServer, extra?: Record<string, unknown>): LanguageModel;
  /** The prompt text the server received in request i. */
  promptOf(server: FakeProviderServer, i: number): string;
}

const PROVIDERS: Provider[] = [
  {
    label: "openai chat",
    price: { input: 2, output: 8 },
    start: (replies) => startFakeOpenAI({ replies, apiKey: SENTINEL_KEY }),
    model: (server, extra) =>
      openai({ model: "gpt-4.1", apiKey: SENTINEL_KEY, baseURL: server.baseURL, ...extra }),
    promptOf: (server, i) => server.requests[i]?.body.messages.at(-1).content,
  },
  {
    label: "openai responses",
    price: { input: 2, output: 8 },
    start: (replies) => startFakeOpenAI({ replies, apiKey: SENTINEL_KEY }),
    model: (server, extra) =>
      openai({
        model: "gpt-4.1",
        apiKey: SENTINEL_KEY,
        baseURL: server.baseURL,
        api: "responses",
        ...extra,
      }),
    promptOf: (server, i) => server.requests[i]?.body.input,
  },
  {
    label: "anthropic",
    price: { input: 3, output: 15 },
    start: (replies) => startFakeAnthropic({ replies, apiKey: SENTINEL_KEY }),
    model: (server, extra) =>
      anthropic({
        model: "claude-sonnet-4-5",
        apiKey: SENTINEL_KEY,
        baseURL: server.baseURL,
        ...extra,
      }),
    promptOf: (server, i) => server.requests[i]?.body.messages[0].content,
  },
];

const servers: FakeProviderServer[] = [];
let printed: string[] = [];
beforeEach(() => {
  fallback.calls = 0;
  printed = [];
  for (const method of ["log", "warn", "error", "info", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(" "));
    });
  }
});
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const line of printed) expect(line).not.toContain(SENTINEL_KEY);
});

const cost = (p: Provider, input: number, output: number) =>
  (input * p.price.input + output * p.price.output) / 1e6;

for (const p of PROVIDERS) {
  describe(`llmAdvisor over ${p.label}`, () => {
    async function advise(replies: FakeReply[], extra?: Record<string, unknown>, maxRepairs = 2) {
      const server = await p.start(replies);
      servers.push(server);
      const advisor = llmAdvisor({ model: p.model(server, extra), fallback, maxRepairs });
      const advice = await advisor.advise(sampleAdvisorInput());
      expectNoSecret(advice);
      return { advice, server };
    }

    it("a valid structured answer becomes the advice, with model, prompt version and cost", async () => {
      const { advice, server } = await advise([
        { kind: "object", value: ANSWER, usage: { input: 3000, output: 500 } },
      ]);
      expect(advice.source).toMatch(/^llm:(openai\/gpt-4\.1|anthropic\/claude-sonnet-4-5)$/);
      expect(advice.promptVersion).toBe("trajectory-v2");
      expect(advice.fallback).toBeUndefined();
      expect(advice.assessment.parameter_recommendations).toEqual({
        position_size: "INCREASE - helps the Sharpe",
      });
      expect(advice.usage).toEqual([
        expect.objectContaining({
          inputTokens: 3000,
          outputTokens: 500,
          costUsd: cost(p, 3000, 500),
          purpose: "advisor",
        }),
      ]);
      expect(p.promptOf(server, 0)).toContain("exp_momentum_rsi");
      expect(fallback.calls).toBe(0);
    });

    it("invalid JSON, then valid on the re-ask that quotes the problem", async () => {
      const { advice, server } = await advise([
        { kind: "text", text: "Here you go: {convergence: up", usage: { input: 100, output: 20 } },
        { kind: "object", value: ANSWER, usage: { input: 150, output: 400 } },
      ]);
      expect(advice.source.startsWith("llm:")).toBe(true);
      expect(server.requests).toHaveLength(2);
      expect(p.promptOf(server, 1)).toContain("Here you go: {convergence: up");
      expect(p.promptOf(server, 1)).toMatch(/not (valid )?JSON/i);
      expect(advice.usage?.map((u) => u.costUsd)).toEqual([cost(p, 100, 20), cost(p, 150, 400)]);
    });

    it("a schema violation twice, then the fallback answers and says why", async () => {
      const bad = { ...ANSWER, confidence: 7 };
      const { advice, server } = await advise(
        [
          { kind: "object", value: bad, usage: { input: 100, output: 50 } },
          { kind: "object", value: bad, usage: { input: 120, output: 50 } },
        ],
        {},
        1,
      );
      expect(server.requests).toHaveLength(2);
      expect(p.promptOf(server, 1)).toContain("confidence");
      expect(advice.source).toBe("fixed");
      expect(advice.assessment.next_action).toBe("PIVOT");
      expect(advice.fallback?.from).toMatch(/^llm:/);
      expect(advice.fallback?.reason).toMatch(/schema mismatch.*confidence/i);
      // The failed calls were paid for: their usage stays with the advice.
      expect(advice.usage?.map((u) => u.costUsd)).toEqual([cost(p, 100, 50), cost(p, 120, 50)]);
    });

    it("a refusal goes to the fallback without a re-ask", async () => {
      const { advice, server } = await advise([{ kind: "refusal", message: "I won't." }]);
      expect(server.requests).toHaveLength(1);
      expect(advice.source).toBe("fixed");
      expect(advice.fallback?.reason).toMatch(/refus/i);
    });

    it("truncated output is re-asked for a shorter answer", async () => {
      const { advice, server } = await advise([
        { kind: "truncated", text: '{"convergence_assessment": "CONV' },
        { kind: "object", value: ANSWER },
      ]);
      expect(advice.source.startsWith("llm:")).toBe(true);
      expect(p.promptOf(server, 1)).toMatch(/shorter/i);
    });

    it("429 with Retry-After, then success", async () => {
      const { advice, server } = await advise([
        { kind: "http-error", status: 429, retryAfter: "1", message: "slow down" },
        { kind: "object", value: ANSWER },
      ]);
      expect(advice.source.startsWith("llm:")).toBe(true);
      expect((server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(
        950,
      );
    });

    it("500s until the retry budget runs out: the fallback answers, naming the status", async () => {
      const { advice, server } = await advise(
        Array.from({ length: 6 }, () => ({ kind: "http-error", status: 500 }) as const),
        { maxRetries: 2, maxDelayMs: 20 },
      );
      expect(server.requests).toHaveLength(3);
      expect(advice.source).toBe("fixed");
      expect(advice.fallback?.reason).toContain("500");
      // No tokens are known for calls that got no answer: nothing is invented.
      expect(advice.usage ?? []).toEqual([]);
    });

    it("a model that echoes the key: neither the advice nor the fallback reason holds it", async () => {
      const echoed = {
        ...ANSWER,
        reasoning: `my key is ${SENTINEL_KEY}`,
        key_findings: [SENTINEL_KEY],
      };
      const { advice } = await advise([{ kind: "object", value: echoed }]);
      expect(advice.assessment.reasoning).toBe("my key is ***");
      const refused = await advise([{ kind: "refusal", message: `not with ${SENTINEL_KEY}` }]);
      expect(refused.advice.fallback?.reason).toContain("not with ***");
    });

    it("a missing key is an error to fix, not a reason to fall back", async () => {
      const server = await p.start([]);
      servers.push(server);
      const saved = { o: process.env.OPENAI_API_KEY, a: process.env.ANTHROPIC_API_KEY };
      delete process.env.OPENAI_API_KEY;
      delete process.env.ANTHROPIC_API_KEY;
      try {
        const model = p.model(server, { apiKey: undefined });
        const advisor = llmAdvisor({ model, fallback });
        await expect(advisor.advise(sampleAdvisorInput())).rejects.toThrow(/_API_KEY is not set/);
        expect(fallback.calls).toBe(0);
        expect(server.requests).toHaveLength(0);
      } finally {
        if (saved.o !== undefined) process.env.OPENAI_API_KEY = saved.o;
        if (saved.a !== undefined) process.env.ANTHROPIC_API_KEY = saved.a;
      }
    });

    it("a hung connection hits the timeout and the fallback answers", async () => {
      const started = Date.now();
      const { advice } = await advise([{ kind: "hang" }, { kind: "hang" }], {
        timeoutMs: 300,
        maxRetries: 1,
        maxDelayMs: 10,
      });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(advice.source).toBe("fixed");
      expect(advice.fallback?.reason).toMatch(/300 ms/);
    });
  });
}
