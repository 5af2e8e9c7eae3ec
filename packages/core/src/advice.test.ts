import { describe, expect, it } from "vitest";
import {
  type Advice,
  adviceFromRecord,
  adviceToRecord,
  type LlmCallUsage,
  LlmUsageSchema,
  llmUsageFromRecord,
  llmUsageToRecord,
  RecordedAdviceSchema,
} from "./advice.js";

const assessment: Advice["assessment"] = {
  convergence_assessment: "CONVERGING",
  gradient_effectiveness: "EFFECTIVE",
  likelihood_of_success: "HIGH",
  estimated_iterations_needed: 2,
  key_findings: [],
  parameter_recommendations: {},
  next_action: "CONTINUE",
  specific_recommendations: [],
  confidence: 0.8,
  reasoning: "the score rises",
};

describe("LlmCallUsage and its record form", () => {
  const call: LlmCallUsage = {
    provider: "openai",
    model: "gpt-4.1",
    inputTokens: 1200,
    outputTokens: 80,
    costUsd: 0.0031,
  };

  it("writes the record's JSON with its snake_case names in their order", () => {
    expect(JSON.stringify(llmUsageToRecord(call, "advisor"))).toBe(
      '{"provider":"openai","model":"gpt-4.1","input_tokens":1200,"output_tokens":80,"cost_usd":0.0031,"purpose":"advisor"}',
    );
    expect(llmUsageToRecord({ ...call, purpose: "failure_analysis" }, "advisor").purpose).toBe(
      "failure_analysis",
    );
    expect("purpose" in llmUsageToRecord(call)).toBe(false);
  });

  it("round-trips through the record schema", () => {
    const wire = LlmUsageSchema.parse(JSON.parse(JSON.stringify(llmUsageToRecord(call))));
    expect(llmUsageFromRecord(wire)).toEqual(call);
    expect(LlmUsageSchema.safeParse({ ...llmUsageToRecord(call), input_tokens: -1 }).success).toBe(
      false,
    );
  });
});

describe("Advice and its record form", () => {
  it("stores absent fields as null and reads them back as absent", () => {
    const advice: Advice = { assessment, source: "rule" };
    const recorded = RecordedAdviceSchema.parse(adviceToRecord(advice, 3));
    expect(recorded).toMatchObject({
      after_iteration: 3,
      model: null,
      prompt_version: null,
      fallback: null,
    });
    expect(adviceFromRecord(recorded)).toEqual(advice);
  });

  it("keeps model, prompt version and fallback, in the record's key order", () => {
    const advice: Advice = {
      assessment,
      source: "llm:openai/gpt-4.1",
      model: "openai/gpt-4.1",
      promptVersion: "trajectory-v1",
      fallback: { from: "llm", reason: "timeout" },
    };
    const recorded = adviceToRecord(advice, 1);
    expect(Object.keys(recorded)).toEqual([
      "after_iteration",
      "source",
      "model",
      "prompt_version",
      "fallback",
      "assessment",
    ]);
    expect(adviceFromRecord(RecordedAdviceSchema.parse(recorded))).toEqual(advice);
  });
});
