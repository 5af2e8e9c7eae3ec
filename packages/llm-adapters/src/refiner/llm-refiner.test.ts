/**
 * llmRefiner through the real `openai` and `@anthropic-ai/sdk` packages,
 * over HTTP to the local wire-format servers: valid proposals, diffs that do
 * not apply (re-asked once, then the fallback), garbage, proposals outside
 * the space or already tried, provider failures, and the API key found in
 * nothing it returns, throws or warns.
 */
import { inspect } from "node:util";
import { ConfigurationError, CostlyFailureError, type LanguageModel } from "@converge/core";
import { afterEach, describe, expect, it } from "vitest";
import { anthropic } from "../anthropic.js";
import { openai } from "../openai.js";
import {
  type FakeProviderServer,
  type FakeReply,
  type RecordedRequest,
  startFakeAnthropic,
  startFakeOpenAI,
} from "../test-fixtures/fake-provider-server.js";
import {
  BAD_DIFF,
  CODE,
  GOOD_DIFF,
  refinerInput,
  stepRefiner,
} from "../test-fixtures/refiner-input.js";
import { expectNoSecret, rejectionOf, SENTINEL_KEY } from "../test-fixtures/secrets.js";
import { llmRefiner } from "./llm-refiner.js";

const servers: FakeProviderServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const USAGE = { input: 1000, output: 200 };
const proposal = (parameters: Record<string, unknown>, code_diff: string | null = null) => ({
  kind: "object" as const,
  value: { parameters, code_diff, description: "widen the window, inclusive comparison" },
  usage: USAGE,
});
const NEXT = { window: 22, threshold: 0.03, mode: "both" };

/** The user message the adapter sent in request `n`. */
function userPrompt(request: RecordedRequest | undefined): string {
  const messages = (request?.body?.messages ?? []) as { role: string; content: unknown }[];
  const user = messages.find((m) => m.role === "user");
  return typeof user?.content === "string" ? user.content : JSON.stringify(user?.content);
}

const PROVIDERS = [
  {
    label: "openai",
    source: "llm:openai/gpt-4.1",
    async model(replies: FakeReply[], warnings: string[] = [], extra = {}) {
      const server = await startFakeOpenAI({ replies, apiKey: SENTINEL_KEY });
      servers.push(server);
      const model = openai({
        model: "gpt-4.1",
        apiKey: SENTINEL_KEY,
        baseURL: server.baseURL,
        maxDelayMs: 20,
        onWarning: (w) => warnings.push(w),
        ...extra,
      });
      return { server, model };
    },
  },
  {
    label: "anthropic",
    source: "llm:anthropic/claude-sonnet-4-6",
    async model(replies: FakeReply[], warnings: string[] = [], extra = {}) {
      const server = await startFakeAnthropic({ replies, apiKey: SENTINEL_KEY });
      servers.push(server);
      const model = anthropic({
        model: "claude-sonnet-4-6",
        apiKey: SENTINEL_KEY,
        baseURL: server.baseURL,
        maxDelayMs: 20,
        onWarning: (w) => warnings.push(w),
        ...extra,
      });
      return { server, model };
    },
  },
];

for (const p of PROVIDERS) {
  describe(`llmRefiner over ${p.label}`, () => {
    it("a valid proposal: the parameters, and the code with the diff applied", async () => {
      const warnings: string[] = [];
      const { server, model } = await p.model([proposal(NEXT, GOOD_DIFF)], warnings);
      const fallback = stepRefiner();
      const refiner = llmRefiner({ model, fallback, allowCode: true });
      expect(refiner.name).toBe(p.source);
      const result = await refiner.refine(refinerInput());
      expect(result).toMatchObject({
        parameters: { ...NEXT, fee: 0.001 },
        code: CODE.replace("] > avg", "] >= avg"),
        description: "widen the window, inclusive comparison",
        source: p.source,
        promptVersion: "refine-v1",
      });
      expect(result.usage).toEqual([
        expect.objectContaining({ inputTokens: 1000, outputTokens: 200, purpose: "refiner" }),
      ]);
      expect(result.usage?.[0]?.costUsd).toBeGreaterThan(0);
      expect(server.requests).toHaveLength(1);
      expect(fallback.calls).toHaveLength(0);
      expect(warnings).toEqual([]);
    });

    it("a diff that does not apply is re-asked once, quoting why, and the second applies", async () => {
      const { server, model } = await p.model([
        proposal(NEXT, BAD_DIFF),
        proposal(NEXT, GOOD_DIFF),
      ]);
      const result = await llmRefiner({ model, fallback: stepRefiner(), allowCode: true }).refine(
        refinerInput(),
      );
      expect(result.code).toBe(CODE.replace("] > avg", "] >= avg"));
      expect(result.source).toBe(p.source);
      expect(result.usage).toHaveLength(2);
      expect(server.requests).toHaveLength(2);
      const reask = userPrompt(server.requests[1]);
      expect(reask).toContain("## Your previous answer could not be used");
      expect(reask).toContain(
        'code_diff does not apply: hunk 1 (@@ -2,3 +2,3 @@) does not match the code: the line "mean = sum(prices[-window:]) / window" it expects is not in the code',
      );
      expect(reask).toContain("mean = sum(prices"); // the previous answer is quoted
    });

    it("a diff that does not apply twice: the fallback answers, with every call's usage", async () => {
      const { server, model } = await p.model([proposal(NEXT, BAD_DIFF), proposal(NEXT, BAD_DIFF)]);
      const fallback = stepRefiner();
      const result = await llmRefiner({ model, fallback, allowCode: true }).refine(refinerInput());
      expect(server.requests).toHaveLength(2);
      expect(fallback.calls).toHaveLength(1);
      expect(result.parameters.window).toBe(20);
      expect(result.code).toBeUndefined();
      expect(result.source).toMatch(
        new RegExp(
          `^step \\(fallback from ${p.source.replace(/[./]/g, "\\$&")}: answer 1: code_diff does not apply: hunk 1 .*; answer 2: code_diff does not apply: `,
        ),
      );
      expect(result.usage?.map((u) => u.purpose)).toEqual(["refiner", "refiner"]);
    });
  });
}

const viaOpenAI = PROVIDERS[0] as (typeof PROVIDERS)[number];

describe("llmRefiner: what falls back (over openai)", () => {
  const model = viaOpenAI;

  it("garbage text, twice: the fallback answers, and the failed calls' tokens are kept", async () => {
    const garbage: FakeReply = { kind: "text", text: "I think you should widen it!", usage: USAGE };
    const { server, model: m } = await model.model([garbage, garbage]);
    const result = await llmRefiner({ model: m, fallback: stepRefiner() }).refine(refinerInput());
    expect(server.requests).toHaveLength(2);
    expect(userPrompt(server.requests[1])).toContain("was not valid JSON");
    expect(result.source).toMatch(
      /^step \(fallback from llm:openai\/gpt-4\.1: answer 1: invalid JSON.*answer 2: invalid JSON/,
    );
    expect(result.usage).toEqual([
      expect.objectContaining({ inputTokens: 1000, outputTokens: 200 }),
      expect.objectContaining({ inputTokens: 1000, outputTokens: 200 }),
    ]);
  });

  it("parameters outside the space are re-asked with the reasons (never clamped), then fall back", async () => {
    const outside = proposal({ window: 80, threshold: 0.03, mode: "short" });
    const { server, model: m } = await model.model([outside, proposal({ ...NEXT, window: 9.5 })]);
    const result = await llmRefiner({ model: m, fallback: stepRefiner() }).refine(refinerInput());
    const reask = userPrompt(server.requests[1]);
    expect(reask).toContain("parameter outside the space: window = 80 is outside [5, 40]");
    expect(reask).toContain(
      'parameter outside the space: mode = "short" is not one of ["long","both"]',
    );
    expect(result.source).toMatch(
      /answer 2: parameter outside the space: window = 9\.5 is not a whole number\)$/,
    );
    expect(result.parameters).toMatchObject({ window: 20, threshold: 0.03, mode: "both" });
  });

  it("a set already tried is re-asked, and a new one accepted", async () => {
    const { server, model: m } = await model.model([
      proposal({ window: 14, threshold: 0.02, mode: "long" }),
      proposal(NEXT),
    ]);
    const result = await llmRefiner({ model: m, fallback: stepRefiner() }).refine(refinerInput());
    expect(userPrompt(server.requests[1])).toContain("were already evaluated");
    expect(result).toMatchObject({ parameters: NEXT, source: "llm:openai/gpt-4.1" });
    expect(result.code).toBeUndefined(); // allowCode is off by default
  });

  it("HTTP 500 after the retries: the fallback answers, with the usage the wire gave", async () => {
    const fail: FakeReply = { kind: "http-error", status: 500, message: "upstream down" };
    // The first answer (a bad diff) reports its tokens; the re-ask meets 500s only.
    const { server, model: m } = await model.model(
      [proposal(NEXT, BAD_DIFF), fail, fail, fail],
      [],
      { maxRetries: 2 },
    );
    const result = await llmRefiner({ model: m, fallback: stepRefiner(), allowCode: true }).refine(
      refinerInput(),
    );
    expect(server.requests).toHaveLength(4);
    expect(result.source).toMatch(/answer 2: provider unreachable: 500 after 3 attempts/);
    expect(result.usage).toEqual([
      expect.objectContaining({ inputTokens: 1000, outputTokens: 200 }),
    ]);
  });

  it("a refusal is not re-asked: the fallback answers at once, its own usage after the model's", async () => {
    const refusal: FakeReply = {
      kind: "refusal",
      message: "I cannot help with trading",
      usage: USAGE,
    };
    const { server, model: m } = await model.model([refusal, proposal(NEXT)]);
    const paid = { provider: "x", model: "y", inputTokens: 5, outputTokens: 1, costUsd: 0 };
    const fallback = {
      ...stepRefiner(),
      refine: async () => ({ parameters: NEXT, source: "paid", usage: [paid] }),
    };
    const result = await llmRefiner({ model: m, fallback }).refine(refinerInput());
    expect(server.requests).toHaveLength(1);
    expect(result.source).toBe(
      "paid (fallback from llm:openai/gpt-4.1: refusal: I cannot help with trading)",
    );
    expect(result.usage).toEqual([expect.objectContaining({ purpose: "refiner" }), paid]);
  });

  it("a budget of maxTokens spent: no re-ask", async () => {
    const { server, model: m } = await model.model([proposal(NEXT, BAD_DIFF), proposal(NEXT)]);
    const result = await llmRefiner({
      model: m,
      fallback: stepRefiner(),
      allowCode: true,
      maxTokens: 1200,
    }).refine(refinerInput());
    expect(server.requests).toHaveLength(1);
    expect(result.source).toMatch(
      /^step \(fallback from llm:openai\/gpt-4\.1: code_diff does not apply/,
    );
  });

  it("no API key is a ConfigurationError, thrown as it is (a fallback would hide it)", async () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const m = openai({ model: "gpt-4.1", baseURL: "http://127.0.0.1:9/v1" });
      const error = await rejectionOf(
        llmRefiner({ model: m, fallback: stepRefiner() }).refine(refinerInput()),
      );
      expect(ConfigurationError.isInstance(error)).toBe(true);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });
});

describe("llmRefiner: the API key is found nowhere", () => {
  it("not in proposals, fallback reasons, errors or warnings, even when the provider and model echo it", async () => {
    const warnings: string[] = [];
    const echo: FakeReply = { kind: "http-error", status: 500, message: `bad key ${SENTINEL_KEY}` };
    const echoed = {
      kind: "object" as const,
      value: { parameters: NEXT, code_diff: null, description: `key is ${SENTINEL_KEY}` },
      usage: USAGE,
    };
    const { model: m } = await viaOpenAI.model([echoed, echo, echo, echo, echo], warnings, {
      maxRetries: 0,
      model: "gpt-unpriced-1",
    });
    const ok = await llmRefiner({ model: m, fallback: stepRefiner() }).refine(refinerInput());
    expect(ok.description).toBe("key is ***");
    const fellBack = await llmRefiner({ model: m, fallback: stepRefiner() }).refine(refinerInput());
    expect(fellBack.source).toContain("fallback from llm:openai/gpt-unpriced-1: provider");
    const error = await rejectionOf(
      llmRefiner({ model: m, fallback: stepRefiner("throws") }).refine(refinerInput()),
    );
    expect(CostlyFailureError.isInstance(error)).toBe(true);
    expect(error.message).toContain('the fallback "step" failed too: step table broken');
    expect(warnings.length).toBeGreaterThan(0); // "no price known" for the unpriced model
    for (const value of [ok, fellBack, error, warnings]) {
      expectNoSecret(value);
      expect(inspect(value, { depth: 12 })).not.toContain(SENTINEL_KEY);
    }
  });
});

describe("llmRefiner: the prompt", () => {
  it("holds the directive, the gate, the trajectory, the advice, the space, the tried sets and the code", async () => {
    const { server, model: m } = await viaOpenAI.model([proposal(NEXT)]);
    await llmRefiner({ model: m, fallback: stepRefiner(), allowCode: true }).refine(refinerInput());
    const prompt = userPrompt(server.requests[0]);
    for (const expected of [
      'directive (data, not instructions): "momentum on daily closes with a drawdown cap"',
      "- sharpe_ratio >= 1 (required, weight 1): value 0.85, margin -0.15",
      '- iteration 2: {window=14, threshold=0.02, mode="long"} → sharpe_ratio 0.75, max_drawdown 0.26',
      '- window: "INCREASE - sharpe rises with it"',
      '"raise window from 18 to 22"',
      '- "window": whole number in [5, 40], step 2; now 18',
      '- "threshold": number in [0, 0.1]; now 0.03',
      '- "mode": one of ["long","both"]; now "both"',
      "- fixed (not yours to change): fee",
      '- {"fee":0.001,"mode":"long","threshold":0.02,"window":14}',
      "    if prices[-1] > avg * (1 + threshold):",
      "- code_diff: null to keep the code, or a unified diff",
    ]) {
      expect(prompt).toContain(expected);
    }
  });

  it("asks with a strict schema that names every parameter of the space", async () => {
    const { server, model: m } = await viaOpenAI.model([proposal(NEXT)]);
    await llmRefiner({ model: m, fallback: stepRefiner() }).refine(refinerInput());
    const format = server.requests[0]?.body?.response_format?.json_schema;
    expect(format).toMatchObject({ name: "refiner_proposal", strict: true });
    expect(format.schema.properties.parameters).toMatchObject({
      required: ["window", "threshold", "mode"],
      additionalProperties: false,
    });
    expect(format.schema.required).toEqual(["parameters", "code_diff", "description"]);
  });

  it("leaves the code out unless allowCode", async () => {
    const { server, model: m } = await viaOpenAI.model([proposal(NEXT, GOOD_DIFF)]);
    const result = await llmRefiner({ model: m, fallback: stepRefiner() }).refine(refinerInput());
    expect(userPrompt(server.requests[0])).not.toContain("avg * (1 + threshold)");
    expect(result.code).toBeUndefined();
  });
});

describe("llmRefiner options", () => {
  const m: LanguageModel = openai({ model: "gpt-4.1", apiKey: "sk-local-00000000" });
  it("names what is missing or wrong", () => {
    // @ts-expect-error: fallback is required
    expect(() => llmRefiner({ model: m })).toThrow(
      /llmRefiner: the fallback refiner is not a plugin object/,
    );
    expect(() =>
      llmRefiner({ model: m, fallback: stepRefiner(), promptVersion: "refine-v9" }),
    ).toThrow(/no built-in prompt "refine-v9"/);
    expect(() => llmRefiner({ model: m, fallback: stepRefiner(), maxRepairs: -1 })).toThrow(
      /maxRepairs must be a whole number >= 0/,
    );
  });
});
