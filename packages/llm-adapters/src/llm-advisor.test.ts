import {
  type Advisor,
  ConfigurationError,
  createTracker,
  type LanguageModel,
  memoryStore,
  runGateLoop,
  type StrategyLike,
  type TrajectoryAssessment,
} from "@converge/core";
import { type ScriptedAdvisor, scriptedAdvisor } from "@converge/test-kit";
import { describe, expect, it } from "vitest";
import type { AssessmentWire } from "./assessment-wire.js";
import { LlmAdvisorError, llmAdvisor } from "./llm-advisor.js";
import type { PromptTemplate } from "./prompt-template.js";
import { type ScriptStep, scriptedModel } from "./test-fixtures/scripted-model.js";
import { sampleAdvisorInput } from "./test-fixtures/trajectory-sample.js";
import { trajectoryPromptV2 } from "./trajectory-prompt.js";

const answer = (overrides: Partial<AssessmentWire> = {}): string =>
  JSON.stringify({
    convergence_assessment: "CONVERGING",
    gradient_effectiveness: "MIXED",
    likelihood_of_success: "HIGH",
    estimated_iterations_needed: 4,
    key_findings: ["Gate score rises 0.042 per iteration (95% CI 0.032 to 0.051)"],
    parameter_recommendations: [
      { parameter: "entry_mode", recommendation: "KEEP - pullback is the best level" },
      { parameter: "stop_loss", recommendation: "STOP CHANGING - no clear effect" },
    ],
    next_action: "CONTINUE",
    specific_recommendations: ["tighten the drawdown: lower position_size from 0.22 to 0.2"],
    confidence: 0.75,
    reasoning: "Converging with a significant trend; two criteria are close.",
    ...overrides,
  } satisfies AssessmentWire);

const ruleAssessment: TrajectoryAssessment = {
  convergence_assessment: "CONVERGING",
  gradient_effectiveness: "EFFECTIVE",
  likelihood_of_success: "MEDIUM",
  estimated_iterations_needed: 4,
  key_findings: ["rule finding"],
  parameter_recommendations: {},
  next_action: "CONTINUE",
  specific_recommendations: [],
  confidence: 0.6,
  reasoning: "Rule R7 decided.",
};

/** A stand-in for @converge/analyzers' ruleAdvisor (which this package may not import). */
function fallbackAdvisor(behaviour: "answers" | "throws" = "answers"): ScriptedAdvisor {
  return scriptedAdvisor(
    behaviour === "throws"
      ? new Error("rule table broken")
      : { assessment: ruleAssessment, source: "rule" },
    { name: "rule" },
  );
}

const model = (steps: ScriptStep[]) =>
  scriptedModel(steps, { provider: "openai", modelId: "gpt-test" });

describe("llmAdvisor", () => {
  it("answers with the model's validated assessment, naming source, model, prompt version and usage", async () => {
    const m = model([{ text: answer(), inputTokens: 3000, outputTokens: 400, costUsd: 0.01 }]);
    const advisor = llmAdvisor({ model: m, fallback: fallbackAdvisor() });
    expect(advisor).toMatchObject({ specificationVersion: "v1", name: "llm:openai/gpt-test" });
    const input = sampleAdvisorInput();
    const advice = await advisor.advise(input);
    expect(advice).toEqual({
      assessment: expect.objectContaining({
        next_action: "CONTINUE",
        confidence: 0.75,
        parameter_recommendations: {
          entry_mode: "KEEP - pullback is the best level",
          stop_loss: "STOP CHANGING - no clear effect",
        },
      }),
      source: "llm:openai/gpt-test",
      model: "openai/gpt-test",
      promptVersion: "trajectory-v2",
      usage: [
        {
          provider: "openai",
          model: "gpt-test-2026",
          inputTokens: 3000,
          outputTokens: 400,
          costUsd: 0.01,
          purpose: "advisor",
        },
      ],
    });
    expect(advice.fallback).toBeUndefined();
    expect(m.calls).toEqual([
      {
        system: trajectoryPromptV2.system,
        prompt: trajectoryPromptV2.render(input),
        schemaName: "trajectory_assessment",
      },
    ]);
  });

  it("repairs an invalid answer by re-asking with the zod issue, counting both calls", async () => {
    const m = model([{ text: answer({ confidence: 1.4 }) }, { text: answer() }]);
    const advice = await llmAdvisor({ model: m, fallback: fallbackAdvisor() }).advise(
      sampleAdvisorInput(),
    );
    expect(advice.source).toBe("llm:openai/gpt-test");
    expect(advice.usage).toHaveLength(2);
    expect(m.calls[1]?.prompt).toContain("- confidence: Too big: expected number to be <=1");
  });

  it("falls back after a schema violation twice, saying why, with the failed calls' usage and the model and prompt version kept", async () => {
    const bad = answer({ confidence: 1.4 });
    const fallback = fallbackAdvisor();
    const m = model([{ text: bad }, { text: bad }]);
    const advice = await llmAdvisor({ model: m, fallback, maxRepairs: 1 }).advise(
      sampleAdvisorInput(),
    );
    expect(fallback.calls).toBe(1);
    expect(advice).toEqual({
      assessment: ruleAssessment,
      source: "rule",
      model: "openai/gpt-test",
      promptVersion: "trajectory-v2",
      fallback: {
        from: "llm:openai/gpt-test",
        reason: "schema mismatch twice: confidence: Too big: expected number to be <=1",
      },
      usage: [
        expect.objectContaining({ provider: "openai", purpose: "advisor", inputTokens: 1000 }),
        expect.objectContaining({ provider: "openai", purpose: "advisor", inputTokens: 1000 }),
      ],
    });
  });

  it("falls back when the provider is unreachable, and keeps the fallback's own usage after the LLM's", async () => {
    const paidFallback = scriptedAdvisor(
      {
        assessment: ruleAssessment,
        source: "other",
        usage: [{ provider: "x", model: "y", inputTokens: 5, outputTokens: 1, costUsd: 0 }],
      },
      { name: "other" },
    );
    const m = model([
      { text: "not json" },
      { apiError: { status: 500, retryable: true, attempts: 3 } },
    ]);
    const advice = await llmAdvisor({ model: m, fallback: paidFallback }).advise(
      sampleAdvisorInput(),
    );
    expect(advice.fallback).toEqual({
      from: "llm:openai/gpt-test",
      reason:
        "invalid JSON, then provider unreachable: 500 after 3 attempts: openai failed with 500 after 3 attempts.",
    });
    expect(advice.usage?.map((u) => u.provider)).toEqual(["openai", "x"]);
  });

  it("falls back when the prompt template throws", async () => {
    const broken: PromptTemplate<never> = {
      version: "broken-v1",
      system: "",
      render: () => {
        throw new Error("template bug");
      },
    };
    const m = model([]);
    const advice = await llmAdvisor({
      model: m,
      fallback: fallbackAdvisor(),
      prompt: broken,
    }).advise(sampleAdvisorInput());
    expect(m.calls).toHaveLength(0);
    expect(advice.fallback?.reason).toBe("template bug");
    expect(advice.promptVersion).toBe("broken-v1");
  });

  it("with fallback null, throws an error carrying the usage of every call", async () => {
    const bad = answer({ next_action: "STOP" as never });
    const m = model([{ text: bad }, { text: bad }, { text: bad }]);
    const error = await llmAdvisor({ model: m, fallback: null })
      .advise(sampleAdvisorInput())
      .catch((e: unknown) => e);
    expect(LlmAdvisorError.isInstance(error)).toBe(true);
    const e = error as LlmAdvisorError;
    expect(e.usage).toHaveLength(3);
    expect(e.reason).toMatch(/^schema mismatch 3 times: next_action: Invalid option/);
    expect(e.message).toMatch(
      /^advisor "llm:openai\/gpt-test" gave no advice: schema mismatch 3 times/,
    );
  });

  it("throws with the usage when the fallback fails too", async () => {
    const m = model([{ refusal: "no" }]);
    const error = await llmAdvisor({ model: m, fallback: fallbackAdvisor("throws") })
      .advise(sampleAdvisorInput())
      .catch((e: unknown) => e);
    expect(LlmAdvisorError.isInstance(error)).toBe(true);
    expect((error as LlmAdvisorError).usage).toHaveLength(1);
    expect((error as Error).message).toContain(
      'refusal: no; the fallback "rule" failed too: rule table broken',
    );
  });

  it("uses a replacement prompt template and records its version", async () => {
    const custom: PromptTemplate<Parameters<Advisor["advise"]>[0]> = {
      version: "team-v3",
      system: "Be terse.",
      render: (input) => `${input.records.length} iterations of ${input.meta.experiment_id}`,
    };
    const m = model([{ text: answer() }]);
    const advice = await llmAdvisor({ model: m, fallback: null, prompt: custom }).advise(
      sampleAdvisorInput(),
    );
    expect(advice.promptVersion).toBe("team-v3");
    expect(m.calls[0]).toMatchObject({
      system: "Be terse.",
      prompt: "10 iterations of exp_momentum_rsi",
    });
  });

  it("rejects a missing fallback, a model that is not a v1 LanguageModel, and a bad maxRepairs", () => {
    const m = model([]);
    expect(() => llmAdvisor({ model: m } as never)).toThrowError(ConfigurationError);
    expect(() => llmAdvisor({ model: m } as never)).toThrow(/fallback: ruleAdvisor\(\)/);
    expect(() =>
      llmAdvisor({
        model: { ...m, specificationVersion: "v2" } as unknown as LanguageModel,
        fallback: null,
      }),
    ).toThrow(/specification v2/);
    expect(() => llmAdvisor({ model: m, fallback: null, maxRepairs: 1.5 })).toThrow(
      /maxRepairs must be a whole number/,
    );
  });
});

describe("llmAdvisor in runGateLoop", () => {
  interface Toy extends StrategyLike {
    parameters: { size: number };
  }
  const store = memoryStore();
  const loop = (advisor: Advisor, experimentId = "llm_loop") =>
    runGateLoop<Toy>({
      tracker: createTracker({ store }),
      advisor,
      gate: { criteria: [{ metric: "score", op: ">=", threshold: 1 }] },
      strategy: { name: "toy", parameters: { size: 1 } },
      backtest: (s) => ({ score: s.parameters.size / 10 }),
      refine: ({ strategy }) => ({
        ...strategy,
        parameters: { size: strategy.parameters.size + 1 },
      }),
      maxIterations: 5,
      experimentId,
    });

  it("a PIVOT answer ends the loop as PIVOT_TO_RESEARCH, with the model and prompt version in the summary", async () => {
    const m = model([{ text: answer({ next_action: "PIVOT" }), costUsd: 0.02 }]);
    const result = await loop(llmAdvisor({ model: m, fallback: fallbackAdvisor() }));
    expect(result.summary.status).toBe("PIVOT_TO_RESEARCH");
    expect(result.summary.advice).toMatchObject({
      source: "llm:openai/gpt-test",
      model: "openai/gpt-test",
      prompt_version: "trajectory-v2",
      fallback: null,
      assessment: { next_action: "PIVOT" },
    });
  });

  it("an ABANDON answer ends the loop as ABANDONED", async () => {
    const m = model([{ text: answer({ next_action: "ABANDON" }) }]);
    const result = await loop(llmAdvisor({ model: m, fallback: fallbackAdvisor() }), "abandon");
    expect(result.summary.status).toBe("ABANDONED");
  });

  it("a failing model with the fallback keeps the loop going and records why", async () => {
    const bad = answer({ confidence: 3 });
    const m = model(Array.from({ length: 12 }, () => ({ text: bad })));
    const result = await loop(llmAdvisor({ model: m, fallback: fallbackAdvisor() }), "fails");
    expect(result.summary.status).toBe("MAX_ITERATIONS");
    // The failed calls are paid: the next record carries them.
    const records = await store.read("fails");
    expect(records[2]?.llm_usage).toHaveLength(3);
    expect(records[2]?.llm_usage[0]).toMatchObject({
      provider: "openai",
      model: "gpt-test-2026",
      purpose: "advisor",
      cost_usd: 0.002,
    });
    expect(records[2]?.advice?.fallback?.from).toBe("llm:openai/gpt-test");
    expect(result.summary.advice).toMatchObject({
      source: "rule",
      model: "openai/gpt-test",
      fallback: {
        from: "llm:openai/gpt-test",
        reason: expect.stringMatching(/^schema mismatch 3 times/),
      },
    });
  });
});
