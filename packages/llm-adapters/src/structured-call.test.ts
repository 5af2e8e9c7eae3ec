import { ConvergeError } from "@converge/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { LlmApiError, LlmOutputError } from "./errors.js";
import { generateValidated, StructuredOutputError } from "./structured-call.js";
import { SCRIPTED_USAGE, type ScriptStep, scriptedModel } from "./test-fixtures/scripted-model.js";

const Schema = z.object({ verdict: z.enum(["yes", "no"]), confidence: z.number().min(0).max(1) });
const good = JSON.stringify({ verdict: "yes", confidence: 0.9 });
const PROMPT = "## Question\nIs it converging?";

async function run(steps: ScriptStep[], maxRepairs?: number) {
  const model = scriptedModel(steps);
  const call = generateValidated({
    model,
    schema: Schema,
    schemaName: "verdict",
    system: "Answer in JSON.",
    prompt: PROMPT,
    purpose: "advisor",
    ...(maxRepairs !== undefined && { maxRepairs }),
  });
  return { model, call };
}

async function failure(steps: ScriptStep[], maxRepairs?: number) {
  const { model, call } = await run(steps, maxRepairs);
  const error = await call.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
  expect(StructuredOutputError.isInstance(error)).toBe(true);
  return { model, error: error as StructuredOutputError };
}

const usageOf = (n: number) => ({
  provider: "scripted",
  model: "model-1-2026",
  inputTokens: SCRIPTED_USAGE.inputTokens,
  outputTokens: SCRIPTED_USAGE.outputTokens,
  costUsd: 0.002,
  purpose: "advisor",
  n,
});

describe("generateValidated", () => {
  it("returns the first usable answer with its usage (model as the provider reported it)", async () => {
    const { model, call } = await run([{ text: good, inputTokens: 1234, outputTokens: 56 }]);
    await expect(call).resolves.toEqual({
      object: { verdict: "yes", confidence: 0.9 },
      attempts: 1,
      usage: [
        {
          provider: "scripted",
          model: "model-1-2026",
          inputTokens: 1234,
          outputTokens: 56,
          costUsd: 0.002,
          purpose: "advisor",
        },
      ],
    });
    expect(model.calls).toEqual([
      { system: "Answer in JSON.", prompt: PROMPT, schemaName: "verdict" },
    ]);
  });

  it("re-asks after a schema mismatch with the original prompt, the answer quoted and each bad field's path", async () => {
    const bad = JSON.stringify({ verdict: "maybe", confidence: 1.7 });
    const { model, call } = await run([{ text: bad }, { text: good }]);
    const result = await call;
    expect(result.object).toEqual({ verdict: "yes", confidence: 0.9 });
    expect(result.attempts).toBe(2);
    expect(result.usage).toHaveLength(2);
    expect(result.usage.every((u) => u.purpose === "advisor" && u.costUsd === 0.002)).toBe(true);

    const reask = model.calls[1]?.prompt ?? "";
    expect(reask.startsWith(`${PROMPT}\n\n## Your previous answer could not be used\n`)).toBe(true);
    expect(reask).toContain("Answer 1 was JSON but did not match the schema.");
    expect(reask).toMatch(/^- verdict: Invalid option: expected one of "yes"\|"no"$/m);
    expect(reask).toContain("- confidence: Too big: expected number to be <=1");
    expect(reask).toContain(`\`\`\`json\n${bad}\n\`\`\``);
    expect(reask).toContain("Reply with only the corrected JSON object");
    expect(model.calls[1]?.system).toBe("Answer in JSON.");
  });

  it("re-asks after invalid JSON and after an empty answer, always from the original prompt", async () => {
    const { model, call } = await run([
      { text: "Sure! Here it is: {verdict: yes" },
      { text: "  " },
      { text: good },
    ]);
    expect((await call).attempts).toBe(3);
    expect(model.calls[1]?.prompt).toContain(
      "Answer 1 was not valid JSON: scripted answered with text that is not JSON",
    );
    expect(model.calls[1]?.prompt).toContain("Sure! Here it is: {verdict: yes");
    const third = model.calls[2]?.prompt ?? "";
    expect(third).toContain("Answer 2 was empty.");
    // Each re-ask is the original prompt plus the latest problem only.
    expect(third).not.toContain("Sure! Here it is");
    expect(third.split("## Your previous answer could not be used")).toHaveLength(2);
  });

  it("asks for a shorter answer after a truncated one, quoting at most 1,500 characters of it", async () => {
    const long = `{"verdict": "yes", "reasoning": "${"x".repeat(5000)}`;
    const { model, call } = await run([{ truncated: long }, { text: good }]);
    expect((await call).usage).toHaveLength(2);
    const reask = model.calls[1]?.prompt ?? "";
    expect(reask).toContain("was cut off at the output limit. Answer again more briefly");
    expect(reask).toContain("Your previous answer (first 1500 characters):");
    expect(reask).toContain(`${"x".repeat(1000)}`);
    expect(reask).not.toContain("x".repeat(1500));
    expect(reask.length).toBeLessThan(PROMPT.length + 2200);
  });

  it("does not re-ask an answer cut off before any text (the output budget went on reasoning)", async () => {
    const { model, error } = await failure([{ truncated: "" }, { text: good }]);
    expect(model.calls).toHaveLength(1);
    expect(error.problems).toEqual(["truncated"]);
    expect(error.usage).toHaveLength(1);
  });

  it("gives up after maxRepairs re-asks, counting every call's usage, with a message naming provider, model, problem and attempts", async () => {
    const bad = JSON.stringify({ verdict: "yes", confidence: 2 });
    const { model, error } = await failure([{ text: bad }, { text: bad }, { text: bad }]);
    expect(model.calls).toHaveLength(3);
    expect(error).toBeInstanceOf(ConvergeError);
    expect(error.attempts).toBe(3);
    expect(error.problems).toEqual(["schema-mismatch", "schema-mismatch", "schema-mismatch"]);
    expect(error.usage.map((u, i) => ({ ...u, n: i }))).toEqual([
      usageOf(0),
      usageOf(1),
      usageOf(2),
    ]);
    expect(error.reason).toBe(
      "schema mismatch 3 times: confidence: Too big: expected number to be <=1",
    );
    expect(error.message).toBe(
      "scripted/model-1 gave no usable advisor answer after 3 calls: schema mismatch 3 times: confidence: Too big: expected number to be <=1",
    );
    expect(LlmOutputError.isInstance(error.cause)).toBe(true);
  });

  it("with maxRepairs 1, two schema mismatches are 'twice'; mixed problems are listed in order", async () => {
    const bad = JSON.stringify({ verdict: "yes", confidence: 2 });
    const twice = await failure([{ text: bad }, { text: bad }], 1);
    expect(twice.error.reason).toBe(
      "schema mismatch twice: confidence: Too big: expected number to be <=1",
    );
    const mixed = await failure([{ text: "nope" }, { text: bad }], 1);
    expect(mixed.error.reason).toBe(
      "invalid JSON, then schema mismatch: confidence: Too big: expected number to be <=1",
    );
    const none = await failure([{ text: "nope" }], 0);
    expect(none.model.calls).toHaveLength(1);
    expect(none.error.message).toContain("after 1 call: invalid JSON");
  });

  it("does not re-ask a refusal", async () => {
    const { model, error } = await failure([
      { refusal: "I can't help with trading." },
      { text: good },
    ]);
    expect(model.calls).toHaveLength(1);
    expect(error.usage).toHaveLength(1);
    expect(error.reason).toBe("refusal: I can't help with trading.");
  });

  it("does not re-ask a provider failure; its call reports no tokens, earlier answers still count", async () => {
    const down = await failure([
      { apiError: { status: 500, retryable: true, attempts: 3 } },
      { text: good },
    ]);
    expect(down.model.calls).toHaveLength(1);
    expect(down.error.usage).toEqual([]);
    expect(down.error.reason).toBe(
      "provider unreachable: 500 after 3 attempts: scripted failed with 500 after 3 attempts.",
    );
    expect(LlmApiError.isInstance(down.error.cause)).toBe(true);

    const later = await failure([
      { text: "not json" },
      { apiError: { status: null, retryable: true, attempts: 4 } },
    ]);
    expect(later.error.usage).toHaveLength(1);
    expect(later.error.attempts).toBe(2);
    expect(later.error.reason).toBe(
      "invalid JSON, then provider unreachable: no response after 4 attempts: scripted failed with no response after 4 attempts.",
    );

    const rejected = await failure([{ apiError: { status: 401, retryable: false, attempts: 1 } }]);
    expect(rejected.error.reason).toBe(
      "provider rejected the request: 401: scripted failed with 401 after 1 attempts.",
    );
  });

  it("does not re-ask when something else is thrown, and rejects a bad maxRepairs", async () => {
    const odd = await failure([{ throws: new TypeError("socket closed oddly") }, { text: good }]);
    expect(odd.model.calls).toHaveLength(1);
    expect(odd.error.reason).toBe("error: socket closed oddly");
    const { call } = await run([{ text: good }], -1);
    await expect(call).rejects.toThrow(/maxRepairs must be a whole number >= 0/);
  });
});
