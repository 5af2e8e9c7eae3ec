import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CommonSettingsSchema, resolveSettings } from "./adapter-settings.js";
import {
  adapterModel,
  type MeteredUsage,
  type ProviderConnection,
  type ProviderWire,
  type Reply,
} from "./adapter-skeleton.js";
import { LlmOutputError, LlmResponseShapeError } from "./errors.js";
import { costOf } from "./pricing.js";

// A provider with no SDK behind it: the skeleton's share of the work, seen without a server.
interface FakeClient {
  baseURL: string;
  sent: unknown[];
}
const Answer = z.object({ model: z.string().optional(), reply: z.unknown() });
type FakeAnswer = z.output<typeof Answer>;
const Verdict = z.object({ verdict: z.enum(["GO", "STOP"]) });

function fakeAdapter(answers: unknown[], usage: (n: number) => MeteredUsage | undefined) {
  const clients: FakeClient[] = [];
  const warnings: string[] = [];
  const connection: ProviderConnection<FakeClient> = {
    provider: "fake",
    keyVariable: "FAKE_API_KEY",
    createClient: (options) => {
      const client = { baseURL: options.baseURL ?? "http://fake.invalid/v1", sent: [] };
      clients.push(client);
      return client;
    },
    classify: () => ({ kind: "other" }),
    fix: "check the fake",
  };
  let calls = 0;
  const wire: ProviderWire<FakeClient, { prompt: string; name: string }, FakeAnswer> = {
    shape: "the fake shape",
    answerShape: Answer,
    body: (options, name) => ({ prompt: options.prompt, name }),
    send: async (client, body) => {
      client.sent.push(body);
      return answers[calls++];
    },
    meter: (answer) => ({ model: answer.model, usage: usage(calls) }),
    reply: (answer) => answer.reply as Reply,
  };
  const { resolved } = resolveSettings("fake", CommonSettingsSchema.strict(), {
    model: "fake-1",
    apiKey: "fake-key",
    prices: { "fake-1": { inputPerMillion: 1, outputPerMillion: 2 } },
    onWarning: (message: string) => warnings.push(message),
  });
  return { model: adapterModel(connection, wire, resolved), clients, warnings };
}

const ask = (model: ReturnType<typeof fakeAdapter>["model"], schemaName?: string) =>
  model.generateObject({ schema: Verdict, prompt: "Go?", ...(schemaName && { schemaName }) });

const metered = (): MeteredUsage => ({
  tokens: { inputTokens: 10, outputTokens: 5 },
  costAt: (price) => costOf({ inputTokens: 10, outputTokens: 5 }, price),
});

describe("adapterModel()", () => {
  it("makes the client at the first call, once, and prices what the wire metered", async () => {
    const { model, clients } = fakeAdapter(
      [{ reply: { text: '{"verdict":"GO"}' } }, { reply: { value: { verdict: "STOP" } } }],
      metered,
    );
    expect(clients).toHaveLength(0);
    const first = await ask(model, "the verdict!");
    const second = await ask(model);
    expect(clients).toHaveLength(1);
    expect(clients[0]?.sent).toEqual([
      { prompt: "Go?", name: "the_verdict_" },
      { prompt: "Go?", name: "answer" },
    ]);
    expect(first).toEqual({
      object: { verdict: "GO" },
      usage: { inputTokens: 10, outputTokens: 5 },
      costUsd: (10 * 1 + 5 * 2) / 1e6,
      model: "fake-1",
      provider: "fake",
    });
    expect(second.object).toEqual({ verdict: "STOP" });
  });

  it("warns once per model when no usage was reported, and gives costUsd null", async () => {
    const reply = { reply: { text: '{"verdict":"GO"}' } };
    const { model, warnings } = fakeAdapter(
      [reply, reply, { ...reply, model: "fake-2" }],
      () => undefined,
    );
    const results = [await ask(model), await ask(model), await ask(model)];
    expect(results.map((r) => [r.model, r.costUsd, r.usage.inputTokens])).toEqual([
      ["fake-1", null, 0],
      ["fake-1", null, 0],
      ["fake-2", null, 0],
    ]);
    expect(warnings).toEqual([
      "the server reported no token usage for fake/fake-1: costUsd is null.",
      "the server reported no token usage for fake/fake-2: costUsd is null.",
    ]);
  });

  it("checks the answer's shape before the wire reads it, and validates the reply", async () => {
    const { model } = fakeAdapter(["<html>", { reply: { value: { verdict: "MAYBE" } } }], metered);
    await expect(ask(model)).rejects.toBeInstanceOf(LlmResponseShapeError);
    const error = await ask(model).catch((e: unknown) => e);
    expect(LlmOutputError.isInstance(error) && error.problem).toBe("schema-mismatch");
  });
});
