import { ExperimentMetaSchema, type ExperimentRecord, parseRecord } from "@converge/core";
import { describe, expect, it } from "vitest";
import { advisedExperiment, FALLBACK_REASON } from "../test-fixtures/advised.js";
import {
  adviceHistory,
  adviceLine,
  failureFacts,
  fallbackLine,
  llmCost,
  llmCostLine,
  readAdvice,
  recordAdvice,
  shownAdvice,
} from "./advice.js";
import { experimentView } from "./model.js";

const records = advisedExperiment().records;
const at = (i: number) => records[i - 1] as ExperimentRecord;

function must<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error("expected a value");
  return value;
}

describe("advice facts", () => {
  it("the compact line names the action, confidence, source and prompt", () => {
    const facts = must(recordAdvice(at(3)));
    expect(adviceLine(facts)).toBe(
      "advice after iteration 2: CONTINUE (confidence 0.72) by llm:openai/gpt-4.1, prompt trajectory-v2",
    );
    expect(fallbackLine(facts)).toBe("");
  });

  it("a fallback names the failed advisor, why, and who answered; the model asked stays visible", () => {
    const facts = must(recordAdvice(at(4)));
    expect(adviceLine(facts)).toBe(
      "advice after iteration 3: CONTINUE (confidence 0.55) by rule, model openai/gpt-4.1, prompt trajectory-v2",
    );
    expect(fallbackLine(facts)).toBe(
      `LLM advisor llm:openai/gpt-4.1 failed (${FALLBACK_REASON}); rule advisor answered`,
    );
  });

  it("history: each record's advice in order, then the summary's last advice", () => {
    const history = adviceHistory(experimentView(advisedExperiment()));
    expect(history.map((f) => [f.afterIteration, f.actedOnBy, f.nextAction])).toEqual([
      [2, 3, "CONTINUE"],
      [3, 4, "CONTINUE"],
      [4, null, "PIVOT"],
    ]);
  });

  it("no history without advice in the records, even with a summary advice", () => {
    const e = advisedExperiment();
    const plain = { ...e, records: e.records.map(({ advice: _, ...r }) => r as ExperimentRecord) };
    expect(adviceHistory(experimentView(plain))).toEqual([]);
    // The assessment still shows the summary's last advice.
    expect(shownAdvice(experimentView(plain))).toMatchObject({
      stored: true,
      advice: {
        source: "llm:openai/gpt-4.1",
        model: "openai/gpt-4.1",
        promptVersion: "trajectory-v2",
      },
    });
  });

  it("malformed advice is left out instead of breaking the report", () => {
    expect(readAdvice({ source: "rule" }, 1)).toBeNull();
    expect(readAdvice("CONTINUE", 1)).toBeNull();
    const odd = readAdvice({ assessment: { confidence: "high" }, after_iteration: "2" }, 3);
    expect(odd).toMatchObject({ afterIteration: null, confidence: null, source: "" });
    expect(adviceLine(must(odd))).toBe(
      "advice after iteration —: no action (confidence —) by an unnamed advisor",
    );
  });
});

describe("LLM cost of an iteration", () => {
  it("sums the priced calls, with tokens and purposes", () => {
    const cost = llmCost(at(3));
    expect(cost).toMatchObject({ calls: 2, cost: 0.0055, inputTokens: 2400, outputTokens: 600 });
    expect(llmCostLine(must(cost))).toBe(
      "LLM cost $0.0055 · 2 calls (advisor, failure analysis) · 2400 tokens in, 600 out",
    );
  });

  it("is unknown when any call has no price, and says how much is known", () => {
    const cost = llmCost(at(4));
    expect(cost?.cost).toBeNull();
    expect(llmCostLine(must(cost))).toBe(
      "LLM cost unknown (1 of 2 calls without a price; $0.001 for the rest) · 2 calls (advisor) · 2400 tokens in, 600 out",
    );
  });

  it("is absent for an iteration without LLM calls", () => {
    expect(llmCost(at(2))).toBeNull();
  });
});

describe("failure analysis of an iteration", () => {
  it("reads the LLM analyser's root cause, actions, model and prompt version", () => {
    expect(failureFacts(at(1))).toEqual({
      rootCause: "position size too small at iteration 1",
      actions: ["raise position_size to 0.2", "keep the stop loss"],
      classification: "PARAMETER_ISSUE",
      recommendation: "TUNE_PARAMETERS",
      confidence: 0.8,
      model: "openai/gpt-4.1",
      promptVersion: "failure-v1",
    });
  });

  it("is absent when the analysis says neither why nor what to do", () => {
    const meta = ExperimentMetaSchema.parse({ experiment_id: "x" });
    const r = parseRecord({
      experiment_id: meta.experiment_id,
      iteration: 1,
      metrics: {},
      failure_analysis: { classification: "UNKNOWN", root_cause: " ", specific_actions: [1] },
    });
    expect(failureFacts(r)).toBeNull();
  });
});
