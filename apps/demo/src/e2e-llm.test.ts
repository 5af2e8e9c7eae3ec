/**
 * End to end, the demo's LLM path: the BUILT demo with OPENAI_API_KEY (a
 * sentinel no provider issued) and OPENAI_BASE_URL pointing at a local server
 * that speaks OpenAI's wire format (the real SDK, over real HTTP). The LLM
 * advisor and failure analyser answer every iteration; their advice and cost
 * are in the records, an ABANDON answer stops the loop, and the key is in no
 * file the demo wrote and in none of its output.
 */
import { join, relative } from "node:path";
import type { ExperimentRecord } from "@converge/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeProviderServer,
  type FakeReply,
  type RecordedRequest,
  startFakeOpenAI,
} from "../../../packages/llm-adapters/src/test-fixtures/fake-provider-server.js";
import { SENTINEL_KEY } from "../../../packages/llm-adapters/src/test-fixtures/secrets.js";
import { DEFAULT_SEED } from "./demo.js";
import {
  cleanEnv,
  ensureBuilt,
  experimentIdOf,
  filesUnder,
  type RunResult,
  readJsonl,
  runDemoProcess,
  tempDirs,
} from "./test-fixtures/built-demo.js";

/** An assessment in the advisor's wire schema (parameter_recommendations as pairs). */
function advice(nextAction: "CONTINUE" | "ABANDON") {
  return {
    convergence_assessment: nextAction === "CONTINUE" ? "CONVERGING" : "DIVERGING",
    gradient_effectiveness: nextAction === "CONTINUE" ? "EFFECTIVE" : "INEFFECTIVE",
    likelihood_of_success: nextAction === "CONTINUE" ? "MEDIUM" : "LOW",
    estimated_iterations_needed: nextAction === "CONTINUE" ? 4 : null,
    key_findings: ["sharpe_ratio is below 1.0 and max_drawdown above 20%"],
    parameter_recommendations: [
      { parameter: "stop_loss", recommendation: "KEEP - no evidence either way" },
    ],
    next_action: nextAction,
    specific_recommendations: ["Change one parameter at a time"],
    confidence: 0.8,
    reasoning:
      nextAction === "CONTINUE"
        ? "The fake LLM says go on. Nothing else."
        : "The fake LLM gives up on this strategy. Nothing else.",
  };
}

/** A failure analysis in its wire schema: tune on (an ABANDON here would end the loop as FAILED). */
const ANALYSIS = {
  failure_classification: "PARAMETER_ISSUE",
  recommendation: "TUNE_PARAMETERS",
  root_cause: "The window and the position size do not fit this market yet.",
  specific_actions: ["Adjust lookback"],
  confidence: 0.6,
  reasoning: "The gate score moves with the parameters.",
};

/** Tokens each answer reports, so the cost is known: gpt-4.1 is $2 / $8 per million tokens. */
const ADVICE_USAGE = { input: 1500, output: 300 };
const ANALYSIS_USAGE = { input: 800, output: 100 };
const priceOf = (u: { input: number; output: number }) => (u.input * 2 + u.output * 8) / 1e6;

const isAnalysis = (request: RecordedRequest) =>
  JSON.stringify(request.body).includes("failure_classification");

/** A fake OpenAI: the failure analyser's requests get ANALYSIS, the advisor's `nextAction`. */
function fakeOpenAI(nextAction: "CONTINUE" | "ABANDON"): Promise<FakeProviderServer> {
  return startFakeOpenAI({
    apiKey: SENTINEL_KEY,
    replies: (request): FakeReply =>
      isAnalysis(request)
        ? { kind: "object", value: ANALYSIS, usage: ANALYSIS_USAGE }
        : { kind: "object", value: advice(nextAction), usage: ADVICE_USAGE },
  });
}

const dirs = tempDirs("converge-demo-llm-");
const servers: FakeProviderServer[] = [];
interface LlmRun extends RunResult {
  cwd: string;
  store: string;
  id: string;
  records: ExperimentRecord[];
  server: FakeProviderServer;
}
let passing: LlmRun;
let abandoned: LlmRun;

/** The demo with only the key and the fake's URL set: the LLM advisor is its default then. */
async function llmDemo(nextAction: "CONTINUE" | "ABANDON"): Promise<LlmRun> {
  const server = await fakeOpenAI(nextAction);
  servers.push(server);
  const cwd = dirs.make();
  const store = join(cwd, "runs");
  const run = await runDemoProcess(["--seed", String(DEFAULT_SEED), "--store", `jsonl:${store}`], {
    cwd,
    env: cleanEnv({ OPENAI_API_KEY: SENTINEL_KEY, OPENAI_BASE_URL: server.baseURL }),
  });
  const id = experimentIdOf(run);
  return { ...run, cwd, store, id, records: readJsonl(join(store, `${id}.jsonl`)), server };
}

beforeAll(async () => {
  await ensureBuilt();
  [passing, abandoned] = await Promise.all([llmDemo("CONTINUE"), llmDemo("ABANDON")]);
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  dirs.dispose();
});

describe("the built demo with an LLM advisor (a local OpenAI wire-format server)", () => {
  it("the LLM advises and analyses every failed iteration, and the records name it", () => {
    const { stdout, stderr, code, records, server } = passing;
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/advisor {9}openai gpt-4\.1 \(LLM advisor and failure analyser/);
    expect(stdout).toContain("status          SUCCESS");
    const n = records.length;
    expect(n).toBeGreaterThan(2);
    // Every failed iteration was analysed; the advisor was asked after iterations 2..n-1.
    for (const record of records.slice(0, -1)) {
      expect(record.failure_classification).toBe("PARAMETER_ISSUE");
      expect(record.action_taken).toBe("TUNE_PARAMETERS");
      expect(record.failure_analysis).toMatchObject({
        model: "openai/gpt-4.1",
        root_cause: ANALYSIS.root_cause,
      });
    }
    expect(records.at(-1)?.gate_passed).toBe(true);
    expect(records.slice(0, 2).map((r) => r.advice)).toEqual([undefined, undefined]);
    for (const record of records.slice(2)) {
      expect(record.advice).toMatchObject({
        after_iteration: record.iteration - 1,
        source: "llm:openai/gpt-4.1",
        model: "openai/gpt-4.1",
        prompt_version: "trajectory-v2",
        fallback: null,
        assessment: {
          next_action: "CONTINUE",
          parameter_recommendations: { stop_loss: "KEEP - no evidence either way" },
        },
      });
    }
    const requests = server.requests;
    expect(requests.every((r) => r.path === "/v1/chat/completions")).toBe(true);
    expect(requests.every((r) => r.body.model === "gpt-4.1")).toBe(true);
    expect(requests.filter(isAnalysis)).toHaveLength(n - 1);
    expect(requests.filter((r) => !isAnalysis(r))).toHaveLength(n - 2);
  });

  it("llm_usage and cost come from the replies' tokens at gpt-4.1's price", () => {
    const { stdout, records, store, id } = passing;
    let total = 0;
    for (const record of records) {
      const expected = [
        ...(record.advice ? [{ ...ADVICE_USAGE, purpose: "advisor" }] : []),
        ...(record.gate_passed ? [] : [{ ...ANALYSIS_USAGE, purpose: "failure_analysis" }]),
      ];
      expect(record.llm_usage, `#${record.iteration}`).toHaveLength(expected.length);
      for (const [i, usage] of record.llm_usage.entries()) {
        const want = expected[i] as (typeof expected)[number];
        expect(usage).toMatchObject({
          provider: "openai",
          model: "gpt-4.1",
          input_tokens: want.input,
          output_tokens: want.output,
          purpose: want.purpose,
        });
        expect(usage.cost_usd).toBeCloseTo(priceOf(want), 12);
      }
      const cost = expected.reduce((sum, u) => sum + priceOf(u), 0);
      expect(record.cost).toBeGreaterThan(0);
      expect(record.cost).toBeCloseTo(cost, 12);
      total += cost;
    }
    const n = records.length;
    expect(total).toBeCloseTo((n - 1) * priceOf(ANALYSIS_USAGE) + (n - 2) * priceOf(ADVICE_USAGE));
    expect(stdout).toContain(`total cost      $${total.toFixed(4)}`);
    const meta = JSON.parse(
      filesUnder(store).find((f) => f.path.endsWith(".meta.json"))?.text ?? "",
    );
    expect(meta.experiment_id).toBe(id);
    expect(meta.summary.total_cost).toBeCloseTo(total, 12);
  });

  it("the report names the LLM advisor, its model and prompt version, and the cost", () => {
    const html = filesUnder(passing.store).find((f) => f.path.endsWith(".html"))?.text ?? "";
    expect(html).toContain("Advice history");
    expect(html).toContain("llm:openai/gpt-4.1");
    expect(html).toContain("trajectory-v2");
    expect(html).toContain("The fake LLM says go on.");
  });

  it("an ABANDON answer ends the loop as ABANDONED, exit code 1", () => {
    const { stdout, stderr, code, records, server } = abandoned;
    expect(stderr).toBe("");
    expect(code).toBe(1);
    expect(stdout).toContain(
      "status          ABANDONED: the advisor said ABANDON after iteration 2",
    );
    expect(stdout).toContain("why             The fake LLM gives up on this strategy.");
    expect(records).toHaveLength(2); // the advisor is first asked after iteration 2
    expect(server.requests.filter((r) => !isAnalysis(r))).toHaveLength(1);
    const meta = JSON.parse(
      filesUnder(abandoned.store).find((f) => f.path.endsWith(".meta.json"))?.text ?? "",
    );
    expect(meta.status).toBe("ABANDONED");
    expect(meta.summary.advice).toMatchObject({
      after_iteration: 2,
      source: "llm:openai/gpt-4.1",
      assessment: { next_action: "ABANDON" },
    });
    // The advice that ended the loop was paid for, after the last record.
    expect(meta.summary.total_cost).toBeCloseTo(
      2 * priceOf(ANALYSIS_USAGE) + priceOf(ADVICE_USAGE),
      12,
    );
  });

  it("the key is in no file the demo wrote and in none of its output", () => {
    for (const run of [passing, abandoned]) {
      // The fake checked the key on every request (else it answers 401).
      expect(run.server.requests.length).toBeGreaterThan(0);
      expect(
        run.server.requests.every((r) => r.headers.authorization === `Bearer ${SENTINEL_KEY}`),
      ).toBe(true);
      expect(run.stdout).not.toContain(SENTINEL_KEY);
      expect(run.stderr).not.toContain(SENTINEL_KEY);
      const files = filesUnder(run.cwd);
      expect(files.map((f) => relative(run.cwd, f.path)).sort()).toEqual(
        [`runs/${run.id}.html`, `runs/${run.id}.jsonl`, `runs/${run.id}.meta.json`].sort(),
      );
      for (const file of files) expect(file.text, file.path).not.toContain(SENTINEL_KEY);
    }
  });
});
