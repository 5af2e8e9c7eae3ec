import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import {
  ConfigurationError,
  createTracker,
  evaluateGate,
  type FailureAnalysisInput,
  memoryStore,
  runGateLoop,
  type StrategyLike,
} from "@converge/core";
import { zodResponseFormat } from "openai/helpers/zod";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { failurePromptV1 } from "./failure-prompt.js";
import {
  type FailureAnalysisWire,
  FailureAnalysisWireSchema,
  llmFailureAnalyzer,
} from "./llm-failure-analyzer.js";
import { StructuredOutputError } from "./structured-call.js";
import { type ScriptStep, scriptedModel } from "./test-fixtures/scripted-model.js";

const gate = { criteria: [{ metric: "sharpe_ratio", op: ">=" as const, threshold: 1 }] };

const input = (): FailureAnalysisInput => ({
  strategy: { name: "momentum", code: "def signal(): ...", parameters: { stop_loss: 0.05 } },
  metrics: { sharpe_ratio: 0.6 },
  gate: evaluateGate({ sharpe_ratio: 0.6 }, gate),
  records: [],
  iteration: 1,
  maxIterations: 8,
});

const answer = (overrides: Partial<FailureAnalysisWire> = {}): string =>
  JSON.stringify({
    failure_classification: "PARAMETER_ISSUE",
    recommendation: "TUNE_PARAMETERS",
    root_cause: "The stop loss of 0.05 exits winners early.",
    specific_actions: ["raise stop_loss from 0.05 to 0.08"],
    confidence: 0.7,
    reasoning: "Sharpe 0.6 with a tight stop.",
    ...overrides,
  } satisfies FailureAnalysisWire);

const model = (steps: ScriptStep[]) =>
  scriptedModel(steps, { provider: "anthropic", modelId: "claude-test" });

describe("FailureAnalysisWireSchema", () => {
  it("is strict-output friendly: every property required, no records", () => {
    const json = z.toJSONSchema(FailureAnalysisWireSchema) as {
      properties: Record<string, unknown>;
      required: string[];
      additionalProperties: boolean;
    };
    expect([...json.required].sort()).toEqual(Object.keys(json.properties).sort());
    expect(json.additionalProperties).toBe(false);
    expect(json.properties.confidence).toMatchObject({ minimum: 0, maximum: 1 });
    expect(
      zodResponseFormat(FailureAnalysisWireSchema, "failure_analysis").json_schema,
    ).toMatchObject({ strict: true });
    expect(zodOutputFormat(FailureAnalysisWireSchema).type).toBe("json_schema");
  });
});

describe("llmFailureAnalyzer", () => {
  it("returns the classification, recommendation, root cause and details with model, prompt version and usage", async () => {
    const m = model([{ text: answer(), inputTokens: 800, outputTokens: 90, costUsd: 0.004 }]);
    const analyzer = llmFailureAnalyzer({ model: m });
    expect(analyzer).toMatchObject({
      specificationVersion: "v1",
      name: "llm:anthropic/claude-test",
    });
    const analysis = await analyzer.analyze(input());
    expect(analysis).toEqual({
      classification: "PARAMETER_ISSUE",
      recommendation: "TUNE_PARAMETERS",
      root_cause: "The stop loss of 0.05 exits winners early.",
      details: {
        specific_actions: ["raise stop_loss from 0.05 to 0.08"],
        confidence: 0.7,
        reasoning: "Sharpe 0.6 with a tight stop.",
        model: "anthropic/claude-test",
        prompt_version: "failure-v1",
      },
      usage: [
        {
          provider: "anthropic",
          model: "claude-test-2026",
          inputTokens: 800,
          outputTokens: 90,
          costUsd: 0.004,
          purpose: "failure_analysis",
        },
      ],
    });
    expect(m.calls).toEqual([
      {
        system: failurePromptV1.system,
        prompt: failurePromptV1.render(input()),
        schemaName: "failure_analysis",
      },
    ]);
  });

  it("re-asks an answer outside the enums with the zod issue", async () => {
    const m = model([{ text: answer({ recommendation: "RETRY" as never }) }, { text: answer() }]);
    const analysis = await llmFailureAnalyzer({ model: m }).analyze(input());
    expect(analysis.usage).toHaveLength(2);
    expect(m.calls[1]?.prompt).toMatch(/^- recommendation: Invalid option: expected one of/m);
  });

  it("throws StructuredOutputError carrying the usage when no usable answer comes", async () => {
    const bad = answer({ confidence: -1 });
    const m = model([{ text: bad }, { text: bad }]);
    const error = await llmFailureAnalyzer({ model: m, maxRepairs: 1 })
      .analyze(input())
      .catch((e: unknown) => e);
    expect(StructuredOutputError.isInstance(error)).toBe(true);
    const e = error as StructuredOutputError;
    expect(e.usage).toHaveLength(2);
    expect(e.usage.every((u) => u.purpose === "failure_analysis")).toBe(true);
    expect(e.message).toBe(
      "anthropic/claude-test gave no usable failure_analysis answer after 2 calls: schema mismatch twice: confidence: Too small: expected number to be >=0",
    );
  });

  it("rejects a model that is not a LanguageModel and a bad maxRepairs", () => {
    expect(() => llmFailureAnalyzer({} as never)).toThrowError(ConfigurationError);
    expect(() => llmFailureAnalyzer({ model: model([]), maxRepairs: -2 })).toThrow(
      /maxRepairs must be a whole number/,
    );
  });
});

describe("llmFailureAnalyzer in runGateLoop", () => {
  interface Toy extends StrategyLike {
    parameters: { size: number };
  }

  it("its classification, recommendation and details land in the record; a failed analysis still records its usage", async () => {
    const store = memoryStore();
    const m = model([
      { text: answer() },
      { apiError: { status: 503, retryable: true, attempts: 3 } },
      {
        text: answer({ recommendation: "REFINE_RESEARCH", failure_classification: "DESIGN_FLAW" }),
      },
    ]);
    const warnings: string[] = [];
    const result = await runGateLoop<Toy>({
      tracker: createTracker({ store }),
      gate,
      strategy: { name: "toy", parameters: { size: 1 } },
      backtest: (s) => ({ sharpe_ratio: s.parameters.size / 10 }),
      refine: ({ strategy }) => ({
        ...strategy,
        parameters: { size: strategy.parameters.size + 1 },
      }),
      failureAnalyzer: llmFailureAnalyzer({ model: m }),
      maxIterations: 5,
      experimentId: "failures",
      onWarning: (message) => warnings.push(message),
    });
    expect(result.summary.status).toBe("FAILED");
    const records = await store.read("failures");
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({
      action_taken: "TUNE_PARAMETERS",
      failure_classification: "PARAMETER_ISSUE",
      failure_analysis: {
        root_cause: "The stop loss of 0.05 exits winners early.",
        model: "anthropic/claude-test",
        prompt_version: "failure-v1",
        confidence: 0.7,
      },
      llm_usage: [{ provider: "anthropic", purpose: "failure_analysis", cost_usd: 0.002 }],
    });
    // The provider outage: no analysis, the loop goes on, a warning says why.
    expect(records[1]?.failure_analysis).toBeNull();
    expect(warnings.join("\n")).toContain("provider unreachable: 503 after 3 attempts");
    expect(records[2]).toMatchObject({
      action_taken: "REFINE_RESEARCH",
      failure_classification: "DESIGN_FLAW",
    });
  });
});
