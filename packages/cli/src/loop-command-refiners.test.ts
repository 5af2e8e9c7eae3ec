/**
 * `converge loop` with the LLM refiner, as a real process: the real OpenAI
 * SDK against a local server speaking its wire format. The proposal is
 * evaluated and recorded with its source and cost; garbage falls back to the
 * rule refiner; the key appears in no output and no record. And the command
 * refiner: the user's own Python script.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  type FakeProviderServer,
  type FakeReply,
  startFakeOpenAI,
} from "../../llm-adapters/src/test-fixtures/fake-provider-server.js";
import { SENTINEL_KEY } from "../../llm-adapters/src/test-fixtures/secrets.js";
import { removeTempDirs, runCliAsync, tempDir } from "./test-fixtures/run-cli.js";

const EXAMPLE = join(import.meta.dirname, "../../../examples/python-backtest");
const servers: FakeProviderServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(removeTempDirs);

/** A copy of the example with `refiner` and at most 3 iterations. */
function example(refiner: unknown): string {
  const dir = tempDir("converge-loop-refiner-");
  cpSync(join(EXAMPLE, "backtest.py"), join(dir, "backtest.py"));
  const loop = JSON.parse(readFileSync(join(EXAMPLE, "loop.json"), "utf8"));
  loop.refiner = refiner;
  loop.maxIterations = 3;
  writeFileSync(join(dir, "loop.json"), JSON.stringify(loop));
  return dir;
}

function readRecords(dir: string, id: string) {
  return readFileSync(join(dir, "experiments", `${id}.jsonl`), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

async function loopWithLlm(replies: FakeReply[], id: string) {
  const server = await startFakeOpenAI({ replies, apiKey: SENTINEL_KEY });
  servers.push(server);
  const dir = example({ kind: "llm", provider: "openai", model: "gpt-4.1" });
  const r = await runCliAsync(["loop", "loop.json", "--experiment-id", id], {
    cwd: dir,
    env: { OPENAI_API_KEY: SENTINEL_KEY, OPENAI_BASE_URL: server.baseURL },
    timeout: 60_000,
  });
  const files = readdirSync(join(dir, "experiments"));
  const stored = files.map((f) => readFileSync(join(dir, "experiments", f), "utf8")).join("\n");
  // The key is in no output, no record, no meta and no report.
  expect(`${r.stdout}${r.stderr}${stored}`).not.toContain(SENTINEL_KEY);
  return { ...r, records: readRecords(dir, id), server };
}

const proposal = (parameters: Record<string, unknown>): FakeReply => ({
  kind: "object",
  value: { parameters, code_diff: null, description: "a faster crossover for more winners" },
  usage: { input: 900, output: 80 },
});

describe("converge loop with the LLM refiner", () => {
  it("evaluates the model's proposal and records its source and cost", async () => {
    const r = await loopWithLlm([proposal({ fast: 14, slow: 20, stop_loss: 0.05 })], "llm_ok");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("refiner         llm:openai/gpt-4.1");
    expect(r.stdout).toContain("status          SUCCESS: the gate passed at iteration 2");
    expect(r.records[1].parameters).toEqual({ fast: 14, slow: 20, stop_loss: 0.05 });
    expect(r.records[1].refiner).toEqual({
      source: "llm:openai/gpt-4.1",
      model: "openai/gpt-4.1",
      prompt_version: "refine-v1",
    });
    expect(r.records[1].llm_usage[0]).toMatchObject({ input_tokens: 900, output_tokens: 80 });
    expect(r.server.requests).toHaveLength(1);
  });

  it("with allowCode, the model's diff changes the strategy's code, and the next evaluation gets it", async () => {
    const server = await startFakeOpenAI({
      replies: [
        {
          kind: "object",
          value: {
            parameters: { fast: 14, slow: 20, stop_loss: 0.05 },
            code_diff:
              "--- a\n+++ b\n@@ -1,2 +1,2 @@\n signal = 'crossover'\n-confirm = 1\n+confirm = 2\n",
            description: "confirm crossovers over two bars",
          },
          usage: { input: 900, output: 80 },
        },
      ],
      apiKey: SENTINEL_KEY,
    });
    servers.push(server);
    const dir = example({ kind: "llm", provider: "openai", model: "gpt-4.1", allowCode: true });
    writeFileSync(join(dir, "strategy.py"), "signal = 'crossover'\nconfirm = 1\n");
    const loop = JSON.parse(readFileSync(join(dir, "loop.json"), "utf8"));
    loop.strategy.code_file = "strategy.py";
    writeFileSync(join(dir, "loop.json"), JSON.stringify(loop));
    const r = await runCliAsync(["loop", "loop.json", "--experiment-id", "llm_code"], {
      cwd: dir,
      env: { OPENAI_API_KEY: SENTINEL_KEY, OPENAI_BASE_URL: server.baseURL },
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    const records = readRecords(dir, "llm_code");
    expect(records[0].strategy_code).toBe("signal = 'crossover'\nconfirm = 1\n");
    expect(records[1].strategy_code).toBe("signal = 'crossover'\nconfirm = 2\n");
    expect(records[1].strategy_description).toBe("confirm crossovers over two bars");
    expect(JSON.stringify(server.requests[0]?.body)).toContain("confirm = 1"); // the code was in the prompt
  });

  it("falls back to the rule refiner on garbage, records why, and goes on", async () => {
    const garbage: FakeReply = { kind: "text", text: "I think fast should be bigger." };
    const r = await loopWithLlm([garbage, garbage, garbage, garbage, garbage, garbage], "llm_bad");
    expect(r.records.length).toBeGreaterThan(1);
    expect(r.records[1].refiner.source).toMatch(
      /^rule \(fallback from llm:openai\/gpt-4\.1: .*invalid JSON/,
    );
    expect(r.records[1].parameters).not.toEqual(r.records[0].parameters);
    expect(r.stdout).toMatch(/^ {7}proposed by rule \(fallback from llm:openai\/gpt-4\.1: /m);
  });

  it("the command refiner: the user's script proposes from the refiner input on stdin", async () => {
    const dir = example({ kind: "command", command: ["python3", "refine.py"] });
    writeFileSync(
      join(dir, "refine.py"),
      `import json, sys
request = json.load(sys.stdin)
p = dict(request["strategy"]["parameters"])
p["fast"] = 14
print("tried", len(request["tried"]), "records", len(request["records"]), file=sys.stderr)
json.dump({"parameters": p, "description": "fast 14"}, sys.stdout)
`,
    );
    const r = await runCliAsync(["loop", "loop.json", "--experiment-id", "cmd"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("refiner         command:python3");
    const records = readRecords(dir, "cmd");
    expect(records).toHaveLength(2);
    expect(records[1].parameters.fast).toBe(14);
    expect(records[1].refiner.source).toBe("command:python3");
  });

  it("an LLM refiner or advisor without its key exits 2 naming the field and the variable", async () => {
    const dir = example({ kind: "llm", provider: "anthropic" });
    const r = await runCliAsync(["loop", "loop.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "The loop file's refiner uses anthropic, and ANTHROPIC_API_KEY is not set.",
    );
    const loop = JSON.parse(readFileSync(join(dir, "loop.json"), "utf8"));
    loop.refiner = { kind: "rule" };
    loop.advisor = { kind: "openai" };
    writeFileSync(join(dir, "loop.json"), JSON.stringify(loop));
    const a = await runCliAsync(["loop", "loop.json"], { cwd: dir });
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(
      "The loop file's advisor uses openai, and OPENAI_API_KEY is not set.",
    );
  });
});
