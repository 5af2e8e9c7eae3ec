/**
 * End to end, as a user runs it: a gate loop advised by an LLM (the real
 * OpenAI SDK over real HTTP to a local wire-format server, one bad answer
 * and one outage on the way) writes a JSONL experiment; `converge show`,
 * `converge report` (HTML and Markdown) read it. The sentinel key must be in
 * no file and no output, and the report must show who advised what.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultAnalyzers, ruleAdvisor } from "@converge/analyzers";
import { createTracker, runGateLoop } from "@converge/core";
import { llmAdvisor, llmFailureAnalyzer, openai } from "@converge/llm-adapters";
import { jsonlStore } from "@converge/storage-jsonl";
import { afterAll, describe, expect, it } from "vitest";
import {
  type FakeReply,
  type RecordedRequest,
  startFakeOpenAI,
} from "../../llm-adapters/src/test-fixtures/fake-provider-server.js";
import { SENTINEL_KEY } from "../../llm-adapters/src/test-fixtures/secrets.js";
import { removeTempDirs, runCliAsync, tempDir } from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

const ADVICE = {
  convergence_assessment: "CONVERGING",
  gradient_effectiveness: "EFFECTIVE",
  likelihood_of_success: "HIGH",
  estimated_iterations_needed: 2,
  key_findings: ["score rises 0.25 per iteration"],
  parameter_recommendations: [{ parameter: "size", recommendation: "INCREASE - it helps" }],
  next_action: "CONTINUE",
  specific_recommendations: ["raise size by 1"],
  confidence: 0.75,
  reasoning: "Steady progress toward the gate.",
};
const ANALYSIS = {
  failure_classification: "PARAMETER_ISSUE",
  recommendation: "TUNE_PARAMETERS",
  root_cause: "size too small",
  specific_actions: ["raise size"],
  confidence: 0.6,
  reasoning: "score grows with size",
};

describe("an LLM-advised loop, stored and reported", () => {
  it("records who advised, what it cost and why a fallback answered; no key anywhere", async () => {
    let advisorCalls = 0;
    const server = await startFakeOpenAI({
      apiKey: SENTINEL_KEY,
      replies: (request: RecordedRequest): FakeReply => {
        if (JSON.stringify(request.body).includes("failure_classification"))
          return { kind: "object", value: ANALYSIS, usage: { input: 800, output: 100 } };
        advisorCalls++;
        // The second advice: a broken answer, then the server is down (3 × 500): the rule advisor answers.
        if (advisorCalls === 2)
          return { kind: "text", text: "{oops", usage: { input: 900, output: 5 } };
        if (advisorCalls >= 3 && advisorCalls <= 5) return { kind: "http-error", status: 500 };
        return { kind: "object", value: ADVICE, usage: { input: 1500, output: 300 } };
      },
    });
    const dir = tempDir("converge-llm-loop-");
    try {
      const model = openai({
        model: "gpt-4.1",
        apiKey: SENTINEL_KEY,
        baseURL: server.baseURL,
        maxDelayMs: 20,
      });
      const store = jsonlStore({ dir });
      const result = await runGateLoop({
        tracker: createTracker({ store, analyzers: defaultAnalyzers() }),
        advisor: llmAdvisor({ model, fallback: ruleAdvisor(), maxRepairs: 1 }),
        failureAnalyzer: llmFailureAnalyzer({ model }),
        gate: { criteria: [{ metric: "score", op: ">=", threshold: 1 }] },
        strategy: { name: "toy", code: "size = -1", parameters: { size: -1 } },
        backtest: (s) => ({ score: s.parameters.size / 4 }),
        refine: ({ strategy }) => {
          const size = strategy.parameters.size + 1;
          return { ...strategy, code: `size = ${size}`, parameters: { size } };
        },
        maxIterations: 8,
        experimentId: "llm_loop",
        onWarning: () => {},
      });
      await store.close();
      expect(result.summary.status).toBe("SUCCESS");
      const records = await jsonlStore({ dir }).read("llm_loop");
      expect(records).toHaveLength(6);
      expect(records[3]?.advice).toMatchObject({
        after_iteration: 3,
        source: "rule",
        model: "openai/gpt-4.1",
        fallback: { from: "llm:openai/gpt-4.1" },
      });
      expect(records[3]?.advice?.fallback?.reason).toMatch(
        /invalid JSON, then provider unreachable: 500/,
      );
      // The first advice (after iteration 2 of 8) read the outlook over the 6 iterations left.
      const advisorPrompt = JSON.stringify(
        server.requests.find((r) => !JSON.stringify(r.body).includes("failure_classification"))
          ?.body,
      );
      expect(advisorPrompt).toContain("## Outlook: will the gate pass, and when");
      expect(advisorPrompt).toContain(
        "success probability, that the gate passes at least once within the 6 iterations left in the budget: ",
      );
      // iteration 4 pays the failure analysis (800/100) and the failed advice: the bad answer (900/5).
      expect(records[3]?.cost).toBeCloseTo((800 * 2 + 100 * 8 + 900 * 2 + 5 * 8) / 1e6, 12);

      const html = join(dir, "report.html");
      const md = join(dir, "report.md");
      const outputs = [
        await runCliAsync(["show", "llm_loop", "--store", dir]),
        await runCliAsync(["report", "llm_loop", "--store", dir, "-o", html]),
        await runCliAsync(["report", "llm_loop", "--store", dir, "--format", "md", "-o", md]),
      ];
      for (const o of outputs) {
        expect(o.code, o.stderr).toBe(0);
        expect(o.stdout + o.stderr).not.toContain(SENTINEL_KEY);
      }
      const page = readFileSync(html, "utf8");
      expect(page).toContain("Advice history");
      expect(page).toContain("trajectory-v2");
      // The report's outlook is over what the loop's budget (8, in the meta) left: 2 iterations.
      expect(page).toContain("P(pass within the 2 iterations left) 1.00 · passing now");
      expect(page).toContain("llm:openai/gpt-4.1");
      for (const file of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!file.isFile()) continue;
        const text = readFileSync(join(file.parentPath, file.name), "utf8");
        expect(text, file.name).not.toContain(SENTINEL_KEY);
      }
    } finally {
      await server.close();
    }
  });
});
