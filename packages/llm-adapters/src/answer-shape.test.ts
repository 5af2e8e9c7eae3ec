/**
 * A 200 answer that is not in the provider's shape (what a wrong baseURL gets: an HTML page,
 * `{}`, an empty `choices`, a JSON array) through the official SDKs against the local fake
 * provider: the advisor falls back with a reason that names the host and what to check, never
 * a bare TypeError, and never the API key.
 */
import type { LanguageModel } from "@converge/core";
import { scriptedAdvisor } from "@converge/test-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { hostOf } from "./answer-shape.js";
import { anthropic } from "./anthropic.js";
import { LlmResponseShapeError } from "./errors.js";
import { llmAdvisor } from "./llm-advisor.js";
import { openai } from "./openai.js";
import { ANSWER } from "./test-fixtures/answers.js";
import {
  type FakeProviderServer,
  type FakeReply,
  startFakeAnthropic,
  startFakeOpenAI,
} from "./test-fixtures/fake-provider-server.js";
import { expectNoSecret, rejectionOf, SENTINEL_KEY } from "./test-fixtures/secrets.js";
import { sampleAdvisorInput } from "./test-fixtures/trajectory-sample.js";

const fallback = scriptedAdvisor(
  { source: "fixed", assessment: { ...ANSWER, parameter_recommendations: {} } },
  { name: "fixed" },
);

const servers: FakeProviderServer[] = [];
beforeEach(() => {
  fallback.calls = 0;
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const json = (body: unknown): FakeReply => ({ kind: "raw", body: JSON.stringify(body) });
const HTML: FakeReply = {
  kind: "raw",
  body: "<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>",
  contentType: "text/html",
};

type Case = [label: string, reply: FakeReply, problem: string];

interface Endpoint {
  label: string;
  start(reply: FakeReply): Promise<FakeProviderServer>;
  model(server: FakeProviderServer): LanguageModel;
  shape: string;
  fix: RegExp;
  cases: Case[];
}

const CHAT_FIX =
  /: check that baseURL points at an OpenAI-compatible endpoint \(usually ending in \/v1\)$/;

const ENDPOINTS: Endpoint[] = [
  {
    label: "openai chat completions",
    start: (reply) => startFakeOpenAI({ replies: [reply], apiKey: SENTINEL_KEY }),
    model: (server) => openai({ model: "gpt-4.1", apiKey: SENTINEL_KEY, baseURL: server.baseURL }),
    shape: "the OpenAI chat-completions shape",
    fix: CHAT_FIX,
    cases: [
      ["{}", json({}), "no choices"],
      ['{"choices": []}', json({ choices: [] }), "choices is empty"],
      ['{"choices": [{}]}', json({ choices: [{}] }), "no choices[0].message"],
      ["[1,2]", json([1, 2]), "a JSON array, not an object"],
      ["an HTML page", HTML, "an HTML or XML page, not JSON"],
      [
        "an HTML page labelled JSON",
        { ...HTML, contentType: "application/json" },
        "a body labelled JSON that is not JSON",
      ],
      [
        '"choices" as text',
        json({ choices: "x" }),
        "choices: Invalid input: expected array, received string",
      ],
    ],
  },
  {
    label: "openai responses",
    start: (reply) => startFakeOpenAI({ replies: [reply], apiKey: SENTINEL_KEY }),
    model: (server) =>
      openai({ model: "gpt-4.1", apiKey: SENTINEL_KEY, baseURL: server.baseURL, api: "responses" }),
    shape: "the OpenAI Responses shape",
    fix: CHAT_FIX,
    cases: [
      ["{}", json({}), "no output"],
      [
        "a message item without content",
        json({ output: [{ type: "message" }] }),
        "no output[0].content",
      ],
    ],
  },
  {
    label: "anthropic messages",
    start: (reply) => startFakeAnthropic({ replies: [reply], apiKey: SENTINEL_KEY }),
    model: (server) =>
      anthropic({ model: "claude-sonnet-4-5", apiKey: SENTINEL_KEY, baseURL: server.baseURL }),
    shape: "the Anthropic Messages shape",
    fix: /: check that baseURL points at Anthropic's API or a gateway that speaks it \(without \/v1: the SDK adds it\)$/,
    cases: [
      [
        '{"content": "x"}',
        json({ content: "x" }),
        "content: Invalid input: expected array, received string",
      ],
      ["{}", json({}), "no content"],
      ["an HTML page", HTML, "an HTML or XML page, not JSON"],
      [
        "an HTML page labelled JSON",
        { ...HTML, contentType: "application/json" },
        "a body labelled JSON that is not JSON",
      ],
    ],
  },
];

for (const endpoint of ENDPOINTS) {
  describe(`a 200 answer not in ${endpoint.shape} (${endpoint.label})`, () => {
    for (const [label, reply, problem] of endpoint.cases) {
      it(`${label}: the fallback answers and its reason says which host, what is missing and what to check`, async () => {
        const server = await endpoint.start(reply);
        servers.push(server);
        const host = new URL(server.baseURL).host;
        const advisor = llmAdvisor({ model: endpoint.model(server), fallback });
        const advice = await advisor.advise(sampleAdvisorInput());
        expect(advice.source).toBe("fixed");
        expect(fallback.calls).toBe(1);
        // Asking again cannot help: one request, no re-ask.
        expect(server.requests).toHaveLength(1);
        const reason = advice.fallback?.reason ?? "";
        expect(reason).toContain(
          `wrong answer shape: the provider at ${host} answered 200 but not in ${endpoint.shape} (${problem})`,
        );
        expect(reason).toMatch(endpoint.fix);
        expect(reason).not.toMatch(/TypeError|Cannot read properties|undefined/);
        expect(advice.usage ?? []).toEqual([]);
        expectNoSecret(advice);
      });
    }
  });
}

it("the model's own error is an LlmResponseShapeError that names the host", async () => {
  const server = await startFakeOpenAI({ replies: [json({})] });
  servers.push(server);
  const model = openai({ model: "gpt-4.1", apiKey: SENTINEL_KEY, baseURL: server.baseURL });
  const error = await rejectionOf(
    model.generateObject({ schema: z.object({ a: z.string() }), prompt: "x" }),
  );
  expect(LlmResponseShapeError.isInstance(error)).toBe(true);
  expect((error as LlmResponseShapeError).host).toBe(new URL(server.baseURL).host);
  expect(error.message).toMatch(
    /^the provider at 127\.0\.0\.1:\d+ answered 200 but not in the OpenAI chat-completions shape \(no choices\)/,
  );
  expectNoSecret(error);
});

it("only the host of a baseURL is shown: no userinfo, path or query", () => {
  expect(hostOf(`https://user:${SENTINEL_KEY}@gateway.example:8443/v1?key=${SENTINEL_KEY}`)).toBe(
    "gateway.example:8443",
  );
  expect(hostOf("not a url")).toBe("(an invalid baseURL)");
});
