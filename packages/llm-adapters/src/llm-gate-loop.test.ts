/**
 * runGateLoop with the LLM advisor and failure analyser, over the real SDKs
 * and real HTTP to a local wire-format server: the answers steer the loop,
 * and what they cost lands in the records.
 */
import { createTracker, memoryStore, runGateLoop, serializeRecord } from "@converge/core";
import { afterEach, describe, expect, it } from "vitest";
import { anthropic } from "./anthropic.js";
import { llmAdvisor } from "./llm-advisor.js";
import type { FailureAnalysisWire } from "./llm-failure-analyzer.js";
import { llmFailureAnalyzer } from "./llm-failure-analyzer.js";
import { openai } from "./openai.js";
import { ANSWER } from "./test-fixtures/answers.js";
import {
  type FakeProviderServer,
  type FakeReply,
  type RecordedRequest,
  startFakeAnthropic,
  startFakeOpenAI,
} from "./test-fixtures/fake-provider-server.js";
import { SENTINEL_KEY } from "./test-fixtures/secrets.js";

const ANALYSIS: FailureAnalysisWire = {
  failure_classification: "PARAMETER_ISSUE",
  recommendation: "TUNE_PARAMETERS",
  root_cause: "position too small for the signal",
  specific_actions: ["raise size by 1"],
  confidence: 0.7,
  reasoning: "score grows with size",
};

const gate = { criteria: [{ metric: "score", op: ">=" as const, threshold: 1 }] };
type Toy = { name: string; code: string; parameters: { size: number } };
const start: Toy = { name: "toy", code: "buy()", parameters: { size: -3 } };

const servers: FakeProviderServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Answers by what was asked: the failure analyser's schema or the advisor's. */
function replying(advice: typeof ANSWER) {
  return (request: RecordedRequest): FakeReply => {
    const body = JSON.stringify(request.body);
    const value = body.includes("failure_classification") ? ANALYSIS : advice;
    return { kind: "object", value, usage: { input: 1000, output: 200 } };
  };
}

const PROVIDERS = [
  {
    label: "openai",
    perCall: (1000 * 2 + 200 * 8) / 1e6,
    async model(advice: typeof ANSWER) {
      const server = await startFakeOpenAI({ replies: replying(advice), apiKey: SENTINEL_KEY });
      servers.push(server);
      return openai({ model: "gpt-4.1", apiKey: SENTINEL_KEY, baseURL: server.baseURL });
    },
  },
  {
    label: "anthropic",
    perCall: (1000 * 3 + 200 * 15) / 1e6,
    async model(advice: typeof ANSWER) {
      const server = await startFakeAnthropic({ replies: replying(advice), apiKey: SENTINEL_KEY });
      servers.push(server);
      return anthropic({
        model: "claude-sonnet-4-5",
        apiKey: SENTINEL_KEY,
        baseURL: server.baseURL,
      });
    },
  },
];

for (const p of PROVIDERS) {
  describe(`runGateLoop with the LLM advisor over ${p.label}`, () => {
    for (const [action, status] of [
      ["PIVOT", "PIVOT_TO_RESEARCH"],
      ["ABANDON", "ABANDONED"],
    ] as const) {
      it(`${action} ends the loop as ${status}; usage, cost and advice land in the records`, async () => {
        const model = await p.model({ ...ANSWER, next_action: action });
        const store = memoryStore();
        const warnings: string[] = [];
        const result = await runGateLoop({
          tracker: createTracker({ store }),
          advisor: llmAdvisor({ model, fallback: null }),
          failureAnalyzer: llmFailureAnalyzer({ model }),
          gate,
          strategy: start,
          backtest: (s) => ({ score: s.parameters.size / 4 }),
          refine: ({ strategy }) => ({
            ...strategy,
            parameters: { size: strategy.parameters.size + 1 },
          }),
          maxIterations: 6,
          experimentId: `llm-${action.toLowerCase()}`,
          onWarning: (w) => warnings.push(w),
        });
        expect(warnings).toEqual([]);
        // The advisor is asked from the second iteration on; its answer ends the loop there.
        expect(result.summary.status).toBe(status);
        expect(result.summary.total_iterations).toBe(2);
        expect(result.summary.advice).toMatchObject({
          after_iteration: 2,
          source: expect.stringMatching(/^llm:/),
          prompt_version: "trajectory-v2",
          assessment: { next_action: action },
        });
        const records = await store.read(result.experimentId);
        expect(records.map((r) => r.failure_classification)).toEqual([
          "PARAMETER_ISSUE",
          "PARAMETER_ISSUE",
        ]);
        expect(records[0]?.failure_analysis).toMatchObject({
          root_cause: "position too small for the signal",
          prompt_version: "failure-v1",
        });
        expect(records.map((r) => r.llm_usage.map((u) => u.purpose))).toEqual([
          ["failure_analysis"],
          ["failure_analysis"],
        ]);
        expect(records[0]?.cost).toBeCloseTo(p.perCall, 12);
        // Two failure analyses in the records, plus the advice after iteration 2.
        expect(result.summary.total_cost).toBeCloseTo(3 * p.perCall, 12);
        const stored = [
          ...records.map(serializeRecord),
          JSON.stringify(await store.readMeta(result.experimentId)),
        ].join("\n");
        expect(stored).not.toContain(SENTINEL_KEY);
      });
    }

    it("CONTINUE keeps going; each record carries the advice it acted on", async () => {
      const model = await p.model(ANSWER);
      const store = memoryStore();
      const result = await runGateLoop({
        tracker: createTracker({ store }),
        advisor: llmAdvisor({ model, fallback: null }),
        gate,
        strategy: start,
        backtest: (s) => ({ score: s.parameters.size / 4 }),
        refine: ({ strategy }) => ({
          ...strategy,
          parameters: { size: strategy.parameters.size + 1 },
        }),
        maxIterations: 10,
        experimentId: "llm-continue",
      });
      expect(result.summary.status).toBe("SUCCESS");
      const records = await store.read("llm-continue");
      expect(records).toHaveLength(8);
      expect(records.map((r) => r.advice?.after_iteration ?? null)).toEqual([
        null,
        null,
        2,
        3,
        4,
        5,
        6,
        7,
      ]);
      expect(records[2]?.advice?.model).toMatch(/^(openai|anthropic)\//);
      expect(records[2]?.llm_usage[0]).toMatchObject({ purpose: "advisor", input_tokens: 1000 });
      expect(records[2]?.cost).toBeCloseTo(p.perCall, 12);
    });
  });
}
