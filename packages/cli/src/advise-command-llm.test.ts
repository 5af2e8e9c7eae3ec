/**
 * `converge advise --provider openai|anthropic`, run as a real process against
 * local servers speaking each provider's wire format (the real SDKs, over
 * real HTTP). The sentinel key must appear in no output of any run.
 */
import { TrajectoryAssessmentSchema } from "@converge/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FakeProviderOptions,
  type FakeProviderServer,
  type FakeReply,
  startFakeAnthropic,
  startFakeOpenAI,
} from "../../llm-adapters/src/test-fixtures/fake-provider-server.js";
import { SENTINEL_KEY } from "../../llm-adapters/src/test-fixtures/secrets.js";
import { anthropicKey, keyCheckedAdvise, openaiKey } from "./test-fixtures/advise-runs.js";

const EXPERIMENT = "exp_20260118_143022";
/** A valid answer in the LLM wire schema, different from the rule advisor's (CONTINUE). */
const ANSWER = {
  convergence_assessment: "CONVERGING",
  gradient_effectiveness: "MIXED",
  likelihood_of_success: "MEDIUM",
  estimated_iterations_needed: 2,
  key_findings: ["sharpe_ratio rose from 0.75 to 1.05 in three iterations"],
  parameter_recommendations: [
    { parameter: "position_size", recommendation: "DECREASE - drawdown grows with it" },
  ],
  next_action: "PIVOT",
  specific_recommendations: ["Try a mean-reversion entry with position_size 0.15"],
  confidence: 0.7,
  reasoning: "The gate passes, but the gains come from position size alone.",
};
const USAGE = { input: 1234, output: 456 };
const valid: FakeReply = { kind: "object", value: ANSWER, usage: USAGE };

const servers: FakeProviderServer[] = [];
async function fake(
  provider: "openai" | "anthropic",
  replies: FakeProviderOptions["replies"],
): Promise<FakeProviderServer> {
  const start = provider === "openai" ? startFakeOpenAI : startFakeAnthropic;
  const server = await start({ replies, apiKey: SENTINEL_KEY });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Runs `converge advise <sample log> ...args`; every run is checked for the key. */
const advise = keyCheckedAdvise(10);

/** Output with wrapped lines joined back. */
const unwrap = (text: string): string => text.replace(/\n {2,}/g, " ");

/** The user prompt the fake received (OpenAI chat or responses, or Anthropic messages). */
function promptOf(server: FakeProviderServer, i = 0): string {
  const body = server.requests[i]?.body;
  if (typeof body?.input === "string") return body.input;
  const user = body?.messages?.find((m: { role: string }) => m.role === "user");
  return typeof user?.content === "string" ? user.content : JSON.stringify(user?.content);
}

describe("converge advise --provider openai", () => {
  it("answers with the model's assessment, naming model, prompt version and cost", async () => {
    const server = await fake("openai", [valid]);
    const { code, stdout, stderr } = await advise(
      ["--provider", "openai", "--base-url", server.baseURL, "--timeout", "2"],
      openaiKey,
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^Experiment\s+exp_20260118_143022$/);
    expect(lines[1]).toMatch(
      /^Next action\s+PIVOT {2}\(confidence 0\.70, llm:openai\/gpt-4\.1 advisor\)$/,
    );
    expect(lines[2]).toMatch(/^Model\s+openai\/gpt-4\.1, prompt trajectory-v2$/);
    // gpt-4.1: $2 / $8 per million tokens: 1234 × 2e-6 + 456 × 8e-6 = 0.006116.
    expect(lines[3]).toMatch(/^Cost\s+\$0\.0061 \(1,234 in \/ 456 out tokens\)$/);
    expect(stdout).toMatch(/Likelihood of success\s+MEDIUM\n/);
    // The model's own estimates, then the outlook of the analysis the command computed.
    expect(stdout).toMatch(
      /Iterations needed\s+2\nOutlook\s+P\(pass within the next 20 iterations \(no budget known\)\) 1\.00 · passing now\n/,
    );
    expect(stdout).toContain("1. Try a mean-reversion entry with position_size 0.15");
    expect(stdout).toMatch(/position_size\s+DECREASE - drawdown grows with it/);
    expect(stdout).not.toContain("warning");

    expect(server.requests).toHaveLength(1);
    const request = server.requests[0];
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.body.model).toBe("gpt-4.1");
    const prompt = promptOf(server);
    expect(prompt).toContain(EXPERIMENT);
    expect(prompt).toContain("sharpe_ratio");
    expect(prompt).toContain("max_drawdown");
    // The model read the same outlook, with its horizon.
    expect(prompt).toContain(
      "- success probability, that the gate passes at least once within the next 20 iterations (no budget known): 1",
    );
  });

  it("--json adds model, prompt_version, fallback and usage (snake_case, as llm_usage)", async () => {
    const server = await fake("openai", [valid]);
    const { code, stdout } = await advise(
      ["--provider", "openai", "--base-url", server.baseURL, "--json"],
      openaiKey,
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(Object.keys(out)).toEqual([
      "experiment_id",
      "source",
      "model",
      "prompt_version",
      "fallback",
      "usage",
      "assessment",
      "success_probability",
      "iterations_to_success",
    ]);
    expect(out).toMatchObject({
      experiment_id: EXPERIMENT,
      source: "llm:openai/gpt-4.1",
      model: "openai/gpt-4.1",
      prompt_version: "trajectory-v2",
      fallback: null,
    });
    expect(out.usage).toHaveLength(1);
    expect(out.usage[0]).toMatchObject({
      provider: "openai",
      model: "gpt-4.1",
      input_tokens: 1234,
      output_tokens: 456,
      purpose: "advisor",
    });
    expect(out.usage[0].cost_usd).toBeCloseTo(0.006116, 9);
    expect(TrajectoryAssessmentSchema.safeParse(out.assessment).success).toBe(true);
    expect(out.assessment.next_action).toBe("PIVOT");
    expect(out.assessment.parameter_recommendations).toEqual({
      position_size: "DECREASE - drawdown grows with it",
    });
  });

  it("OPENAI_BASE_URL works instead of --base-url; --api responses and --model are used", async () => {
    const server = await fake("openai", [valid]);
    const { code, stdout } = await advise(
      ["--provider", "openai", "--model", "gpt-4.1-mini", "--api", "responses"],
      { ...openaiKey, OPENAI_BASE_URL: server.baseURL },
    );
    expect(code).toBe(0);
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/responses"]);
    expect(server.requests[0]?.body.model).toBe("gpt-4.1-mini");
    expect(promptOf(server)).toContain(EXPERIMENT);
    // gpt-4.1-mini: $0.4 / $1.6 per million: 1234 × 0.4e-6 + 456 × 1.6e-6 = 0.0012232.
    expect(stdout).toMatch(
      /Model\s+openai\/gpt-4\.1-mini, prompt trajectory-v2\nCost\s+\$0\.0012 \(1,234 in/,
    );
  });

  it("a model without a price: cost unknown, and a warning on stderr", async () => {
    const server = await fake("openai", [valid]);
    const { code, stdout, stderr } = await advise(
      ["--provider", "openai", "--model", "llama3.1", "--base-url", server.baseURL],
      openaiKey,
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /Model\s+openai\/llama3\.1, prompt trajectory-v2\nCost\s+unknown \(no price for llama3\.1; 1,234 in \/ 456 out tokens\)\n/,
    );
    expect(stderr).toContain("warning: no price known for openai/llama3.1");
  });

  it("invalid answers three times → the rule advisor answers, with a warning; exit 0", async () => {
    const bad: FakeReply = { kind: "text", text: "I think you should continue.", usage: USAGE };
    const server = await fake("openai", [bad, bad, bad]);
    const { code, stdout, stderr } = await advise(
      ["--provider", "openai", "--base-url", server.baseURL, "--timeout", "2"],
      openaiKey,
    );
    expect(code).toBe(0);
    expect(server.requests).toHaveLength(3);
    const warning =
      "warning: the LLM advisor llm:openai/gpt-4.1 failed, so the rule advisor answered instead: invalid JSON 3 times";
    expect(stderr).toContain(warning);
    expect(stdout.split("\n\n")[0]?.replace(/\n {2}/g, " ")).toBe(warning);
    expect(stdout).toMatch(/Next action\s+CONTINUE {2}\(confidence 1\.00, rule advisor\)/);
    expect(stdout).toMatch(/\nOutlook\s+P\(pass within the next 20 iterations/);
    expect(stdout).toMatch(/Reasoning\n {2}Rule R1 /);
    // The failed calls were paid: 3 × 0.006116.
    expect(stdout).toMatch(
      /Model\s+openai\/gpt-4\.1 \(failed\), prompt trajectory-v2\nCost\s+\$0\.0183 \(3,702 in \/ 1,368 out tokens, 3 calls\)\n/,
    );
  });

  it("HTTP 500s until the retries run out → fallback naming the 500", async () => {
    const error: FakeReply = { kind: "http-error", status: 500, message: "upstream exploded" };
    const server = await fake("openai", [error, error, error]);
    const { code, stdout, stderr } = await advise(
      ["--provider", "openai", "--base-url", server.baseURL, "--timeout", "2", "--json"],
      openaiKey,
    );
    expect(code).toBe(0);
    expect(server.requests).toHaveLength(3);
    const out = JSON.parse(stdout);
    expect(out.source).toBe("rule");
    expect(out.model).toBe("openai/gpt-4.1");
    expect(out.fallback.from).toBe("llm:openai/gpt-4.1");
    expect(out.fallback.reason).toMatch(/provider unreachable: 500 after 3 attempts/);
    expect(out.usage).toEqual([]);
    expect(out.assessment.next_action).toBe("CONTINUE");
    expect(stderr).toMatch(/warning: the LLM advisor llm:openai\/gpt-4\.1 failed.*\b500\b/);
  });

  it("a hung server hits --timeout (3× for the whole call) → fallback", async () => {
    const server = await fake("openai", () => ({ kind: "hang" }));
    const started = Date.now();
    const { code, stdout } = await advise(
      ["--provider", "openai", "--base-url", server.baseURL, "--timeout", "0.4", "--json"],
      openaiKey,
    );
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const out = JSON.parse(stdout);
    expect(out.source).toBe("rule");
    expect(out.fallback.reason).toMatch(/provider unreachable: no response/);
  });

  it("a refusal or an error echoing the key: the key is never printed", async () => {
    const refusal = await fake("openai", [
      { kind: "refusal", message: `I will not use the key ${SENTINEL_KEY}.` },
    ]);
    const refused = await advise(
      ["--provider", "openai", "--base-url", refusal.baseURL],
      openaiKey,
    );
    expect(refused.code).toBe(0);
    expect(unwrap(refused.stdout)).toContain("refusal: I will not use the key ***");

    const echo = await fake("openai", [
      { kind: "http-error", status: 401, message: `Incorrect API key provided: ${SENTINEL_KEY}` },
    ]);
    const rejected = await advise(
      ["--provider", "openai", "--base-url", echo.baseURL, "--json"],
      openaiKey,
    );
    expect(rejected.code).toBe(0);
    expect(JSON.parse(rejected.stdout).fallback.reason).toMatch(
      /provider rejected the request: 401/,
    );
  });

  it("a missing OPENAI_API_KEY exits 2 naming the variable, before any request", async () => {
    const server = await fake("openai", [valid]);
    const { code, stdout, stderr } = await advise([
      "--provider",
      "openai",
      "--base-url",
      server.baseURL,
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toMatch(
      /^error: --provider openai needs an API key: OPENAI_API_KEY is not set\. Run `export OPENAI_API_KEY=\.\.\.`/,
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe("converge advise --provider anthropic", () => {
  it("answers with the model's assessment; ANTHROPIC_BASE_URL points at the server", async () => {
    const server = await fake("anthropic", [valid]);
    const { code, stdout, stderr } = await advise(["--provider", "anthropic", "--timeout", "2"], {
      ...anthropicKey,
      ANTHROPIC_BASE_URL: server.baseURL,
    });
    expect(stderr).not.toMatch(/warning:|error:/);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /Next action\s+PIVOT {2}\(confidence 0\.70, llm:anthropic\/claude-sonnet-5-5 advisor\)\n/,
    );
    // claude-sonnet-5-5: $2 / $10 per million: 1234 × 2e-6 + 456 × 10e-6 = 0.007028.
    expect(stdout).toMatch(
      /Model\s+anthropic\/claude-sonnet-5-5, prompt trajectory-v2\nCost\s+\$0\.0070 \(1,234 in \/ 456 out tokens\)\n/,
    );
    expect(server.requests.map((r) => r.path)).toEqual(["/v1/messages"]);
    expect(server.requests[0]?.body.model).toBe("claude-sonnet-5-5");
    expect(promptOf(server)).toContain(EXPERIMENT);
    expect(promptOf(server)).toContain("win_rate");
  });

  it("schema violations three times → fallback naming the field; --json", async () => {
    const bad: FakeReply = { kind: "object", value: { ...ANSWER, confidence: 7 }, usage: USAGE };
    const server = await fake("anthropic", [bad, bad, bad]);
    const { code, stdout, stderr } = await advise(
      ["--provider", "anthropic", "--base-url", server.baseURL, "--timeout", "2", "--json"],
      anthropicKey,
    );
    expect(code).toBe(0);
    expect(server.requests).toHaveLength(3);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({
      source: "rule",
      model: "anthropic/claude-sonnet-5-5",
      prompt_version: "trajectory-v2",
      fallback: { from: "llm:anthropic/claude-sonnet-5-5" },
    });
    expect(out.fallback.reason).toMatch(/^schema mismatch 3 times: confidence/);
    expect(out.usage).toHaveLength(3);
    expect(out.usage[0].cost_usd).toBeCloseTo(0.007028, 9);
    expect(stderr).toContain("the rule advisor answered instead: schema mismatch 3 times");
  });

  it("a missing ANTHROPIC_API_KEY exits 2 naming the variable", async () => {
    const { code, stderr } = await advise(["--provider", "anthropic"], openaiKey);
    expect(code).toBe(2);
    expect(stderr).toContain("ANTHROPIC_API_KEY is not set");
  });
});
