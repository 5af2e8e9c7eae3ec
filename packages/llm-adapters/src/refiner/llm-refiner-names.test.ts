/**
 * Parameter names are data: parameters called `constructor` or `toString`
 * are asked, checked and proposed like any other; one called `__proto__`
 * cannot come back through zod's object parsing, so the fallback proposes at
 * once (the logic through the scripted model).
 */
import { evaluateGate, parameterKey, type RefinerInput } from "@converge/core";
import { describe, expect, it } from "vitest";
import { stepRefiner } from "../test-fixtures/refiner-input.js";
import { scriptedModel } from "../test-fixtures/scripted-model.js";
import { llmRefiner } from "./llm-refiner.js";

function hostileInput(names = ["constructor", "toString"]): RefinerInput {
  const values: Record<string, readonly unknown[]> = {
    ["__proto__"]: [1, { type: "int", min: 0, max: 9 }],
    constructor: ["a", { type: "choice", values: ["a", "b"] }],
    toString: [0.5, { type: "float", min: 0, max: 1 }],
  };
  const parameters = JSON.parse(
    JSON.stringify(Object.fromEntries(names.map((n) => [n, values[n]?.[0]]))),
  );
  const space = JSON.parse(
    JSON.stringify(Object.fromEntries(names.map((n) => [n, values[n]?.[1]]))),
  );
  const metrics = { score: 0.2 };
  return {
    strategy: { name: "hostile", parameters },
    space,
    iteration: 1,
    records: [],
    metrics,
    gate: evaluateGate(metrics, { criteria: [{ metric: "score", op: ">=", threshold: 1 }] }),
    advice: null,
    analysis: null,
    tried: new Set([parameterKey(parameters)]),
  };
}

describe("llmRefiner with hostile parameter names", () => {
  it("proposes own entries for constructor and toString", async () => {
    const text =
      '{"parameters": {"constructor": "b", "toString": 0.25}, "code_diff": null, "description": "both move"}';
    const model = scriptedModel([{ text }]);
    const result = await llmRefiner({ model, fallback: stepRefiner() }).refine(hostileInput());
    expect(result.source).toBe("llm:scripted/model-1");
    expect(Object.entries(result.parameters)).toEqual([
      ["constructor", "b"],
      ["toString", 0.25],
    ]);
    expect(model.calls[0]?.prompt).toContain('- "toString": number in [0, 1]; now 0.5');
  });

  it("names a hostile parameter outside the space in the re-ask", async () => {
    const bad = '{"parameters": {"constructor": "c", "toString": 0.25}, "description": "x"}';
    const model = scriptedModel([{ text: bad }, { text: bad }]);
    const result = await llmRefiner({ model, fallback: stepRefiner() }).refine(hostileInput());
    expect(model.calls[1]?.prompt).toContain(
      'parameter outside the space: constructor = "c" is not one of ["a","b"]',
    );
    expect(result.source).toMatch(/^step \(fallback from llm:scripted\/model-1: answer 1: /);
  });

  it("a parameter called __proto__: the fallback proposes without asking the model", async () => {
    const model = scriptedModel([]);
    const fallback = {
      ...stepRefiner(),
      refine: async (input: RefinerInput) => ({
        parameters: input.strategy.parameters,
        source: "step",
      }),
    };
    const result = await llmRefiner({ model, fallback }).refine(
      hostileInput(["__proto__", "toString"]),
    );
    expect(model.calls).toHaveLength(0);
    expect(result.source).toBe(
      'step (fallback from llm:scripted/model-1: a parameter named "__proto__" cannot be read from an answer)',
    );
    expect(result.usage).toEqual([]);
  });
});
