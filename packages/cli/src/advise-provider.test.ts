/**
 * `converge advise` option checks that need no provider server: usage errors
 * (exit 2), the rule advisor's JSON and the help text. Every run is checked
 * for the sentinel key.
 */
import { describe, expect, it } from "vitest";
import { anthropicKey, keyCheckedAdvise, openaiKey } from "./test-fixtures/advise-runs.js";

const advise = keyCheckedAdvise(8);

describe("converge advise provider usage errors (exit 2)", () => {
  it("--model (and the other LLM options) with --provider rule", async () => {
    const { code, stderr } = await advise(["--provider", "rule", "--model", "x"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--model only goes with an LLM provider");
    const both = await advise(["--timeout", "5", "--base-url", "http://127.0.0.1:1/v1"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--base-url, --timeout only go with an LLM provider");
  });

  it("an unknown provider lists the choices; bad --api, --timeout, --base-url", async () => {
    const unknown = await advise(["--provider", "gemini"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Allowed choices are rule, openai, anthropic");
    const api = await advise(["--provider", "anthropic", "--api", "responses"], anthropicKey);
    expect(api.code).toBe(2);
    expect(api.stderr).toContain("--api is for --provider openai only");
    const timeout = await advise(["--provider", "openai", "--timeout", "soon"], openaiKey);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain("expected a number of seconds > 0");
    const url = await advise(["--provider", "openai", "--base-url", "127.0.0.1:11434"], openaiKey);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain("expected an http(s) URL");
    const envUrl = await advise(["--provider", "openai"], {
      ...openaiKey,
      OPENAI_BASE_URL: "localhost:11434",
    });
    expect(envUrl.code).toBe(2);
    expect(envUrl.stderr).toContain("$OPENAI_BASE_URL is not an http(s) URL");
  });

  it("the rule advisor's --json has the LLM fields empty", async () => {
    const { code, stdout } = await advise(["--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      source: "rule",
      model: null,
      prompt_version: null,
      fallback: null,
      usage: [],
    });
  });

  it("--help names the providers, the key variables and how to reach Ollama / vLLM", async () => {
    const { code, stdout } = await advise(["--help"]);
    expect(code).toBe(0);
    for (const text of [
      "--provider <name>",
      "--model <id>",
      "--base-url <url>",
      "--timeout <seconds>",
      "--api <api>",
      "OPENAI_API_KEY",
      "ANTHROPIC_API_KEY",
      "OPENAI_BASE_URL",
      "never printed",
      "http://127.0.0.1:11434/v1",
      "vLLM",
      "$ converge advise exp_a --provider openai",
      "$ converge advise exp_a --provider anthropic",
    ]) {
      expect(stdout).toContain(text);
    }
  });
});
