/**
 * Metric and parameter names that are also names of Object.prototype members
 * (`constructor`, `toString`, `hasOwnProperty`, `valueOf`, `__proto__`),
 * first seen after iteration 1: they reach the prompt as data, with their
 * own values, and nothing of Object.prototype leaks in.
 */
import type { ExperimentTrajectory } from "@converge/core";
import { evaluateGate } from "@converge/core";
import { scriptedAdvisor } from "@converge/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { failurePromptV1 } from "./failure-prompt.js";
import { llmAdvisor } from "./llm-advisor.js";
import { openai } from "./openai.js";
import { ownValue } from "./own-names.js";
import { ANSWER } from "./test-fixtures/answers.js";
import { type FakeProviderServer, startFakeOpenAI } from "./test-fixtures/fake-provider-server.js";
import { handInput, section } from "./test-fixtures/prompt-text.js";
import { SENTINEL_KEY } from "./test-fixtures/secrets.js";
import { readTrajectoryExtras } from "./trajectory-extras.js";
import { trajectoryPromptV2 } from "./trajectory-prompt.js";

const NAMES = ["toString", "constructor", "hasOwnProperty", "valueOf", "__proto__"];

/** `{"toString": base+0, ...}` through JSON.parse, so "__proto__" is an own key as in a log file. */
function named(base: number, value: (i: number) => string): Record<string, never> {
  return JSON.parse(`{${NAMES.map((n, i) => `"${n}": ${value(base + i)}`).join(", ")}}`);
}

/** Three iterations; the hostile names appear from iteration 2 on. */
function hostileInput() {
  return handInput([
    { iteration: 1, metrics: { sharpe_ratio: 0.5, max_drawdown: 0.3 }, parameters: { a: 1 } },
    {
      iteration: 2,
      metrics: { sharpe_ratio: 0.6, max_drawdown: 0.28, ...named(10, String) },
      parameters: { a: 2, ...named(20, (v) => `"p${v}"`) },
    },
    {
      iteration: 3,
      metrics: { sharpe_ratio: 0.7, max_drawdown: 0.25, ...named(30, String) },
      parameters: { a: 3, ...named(40, (v) => `"p${v}"`) },
    },
  ]);
}

/** Text that shows Object.prototype's members were read as values. */
const LEAKS = /function|native code|\[object|undefined/;

describe("names of Object.prototype members", () => {
  it("reach the trajectory prompt as metrics and parameters with their own values", () => {
    const text = trajectoryPromptV2.render(hostileInput());
    expect(text).not.toMatch(LEAKS);
    const trends = section(text, "Metric trends");
    const metrics = section(text, "Metrics and their directions");
    for (const name of ["toString", "constructor", "hasOwnProperty", "valueOf"]) {
      expect(metrics).toContain(`- ${name}: maximize (higher is better), assumed from its name`);
      expect(trends).toMatch(new RegExp(`- ${name} \\(maximize\\): [^\\n]*→ `));
    }
    expect(trends).toMatch(/- constructor \(maximize\): [^\n]*11 → 31/);
    expect(section(text, "Experiment")).toContain('  - constructor: "p41"');
    expect(section(text, "Experiment")).toContain('  - toString: "p40"');
  });

  it("metric trends keyed by those names are read into a map without a prototype", () => {
    const input = hostileInput();
    const trend = (slope: number) => ({ theil_sen: { slope, low: slope - 1, high: slope + 1 } });
    const raw = `{"constructor": ${JSON.stringify(trend(2))}, "__proto__": ${JSON.stringify(trend(4))}}`;
    (input.trajectory as ExperimentTrajectory & Record<string, unknown>).metric_trends =
      JSON.parse(raw);
    const extras = readTrajectoryExtras(input.trajectory);
    expect(Object.getPrototypeOf(extras.metricTrends)).toBeNull();
    expect(Object.keys(extras.metricTrends).sort()).toEqual(["__proto__", "constructor"]);
    expect(ownValue(extras.metricTrends, "constructor")?.theil_sen.slope).toBe(2);
    const text = trajectoryPromptV2.render(input);
    expect(text).toContain(
      "- constructor (maximize): n/a → 11 → 31; Theil–Sen slope +2/iteration (95% CI +1 to +3)",
    );
    expect(text).toContain("- __proto__ (maximize): n/a → 14 → 34; Theil–Sen slope +4/iteration");
    // toString has no trend entry: it must not borrow Object.prototype.toString.
    expect(text).toMatch(/- toString \(maximize\): n\/a → 10 → 30; no trend estimate\n/);
    expect(text).not.toMatch(LEAKS);
  });

  it("reach the failure prompt with their values", () => {
    const input = hostileInput();
    const last = input.records.at(-1);
    const gate = evaluateGate(last?.metrics ?? {}, input.meta.gate ?? { criteria: [] });
    const text = failurePromptV1.render({
      strategy: { name: "s", code: "", parameters: last?.parameters ?? {} },
      metrics: last?.metrics ?? {},
      gate,
      records: input.records,
      iteration: 3,
      maxIterations: 10,
    });
    expect(text).toContain("- constructor: 31 (higher is better)");
    expect(text).toContain("- hasOwnProperty: 32 (higher is better)");
    expect(text).toContain('  - valueOf: "p43"');
    expect(text).not.toMatch(LEAKS);
  });
});

describe("through the advisor and the official SDK", () => {
  let server: FakeProviderServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it("the prompt the provider receives names them, and the answer is used", async () => {
    server = await startFakeOpenAI({
      replies: [{ kind: "object", value: ANSWER }],
      apiKey: SENTINEL_KEY,
    });
    const never = scriptedAdvisor(new Error("the fallback must not be asked"), { name: "never" });
    const advisor = llmAdvisor({
      model: openai({ model: "gpt-4.1", apiKey: SENTINEL_KEY, baseURL: server.baseURL }),
      fallback: never,
    });
    const advice = await advisor.advise(hostileInput());
    expect(advice.source).toBe("llm:openai/gpt-4.1");
    const prompt: string = server.requests[0]?.body.messages.at(-1).content;
    expect(prompt).toMatch(/- constructor \(maximize\): [^\n]*11 → 31/);
    expect(prompt).toContain('  - hasOwnProperty: "p42"');
    expect(prompt).not.toMatch(LEAKS);
  });
});
