/**
 * Runs of `converge advise` on the sample log whose output is checked for the
 * sentinel API key: each run as it ends, and all of them again after the file.
 */
import { afterAll, expect } from "vitest";
import { SENTINEL_KEY } from "../../../llm-adapters/src/test-fixtures/secrets.js";
import { type CliResult, runCliAsync, SAMPLE_LOG } from "./run-cli.js";

/** The environment of a run with the sentinel as the OpenAI key. */
export const openaiKey = { OPENAI_API_KEY: SENTINEL_KEY };
/** The environment of a run with the sentinel as the Anthropic key. */
export const anthropicKey = { ANTHROPIC_API_KEY: SENTINEL_KEY };

/**
 * A runner of `converge advise <sample log> ...args` for one test file. After
 * the file it checks that more than `minRuns` runs were made (so the check
 * cannot pass vacuously) and that none printed the key.
 */
export function keyCheckedAdvise(
  minRuns: number,
): (args: string[], env?: Record<string, string>) => Promise<CliResult> {
  const runs: CliResult[] = [];
  afterAll(() => {
    expect(runs.length).toBeGreaterThan(minRuns);
    for (const { stdout, stderr } of runs) expect(stdout + stderr).not.toContain(SENTINEL_KEY);
  });
  return async (args, env = {}) => {
    const result = await runCliAsync(["advise", SAMPLE_LOG, ...args], { env });
    runs.push(result);
    expect(result.stdout).not.toContain(SENTINEL_KEY);
    expect(result.stderr).not.toContain(SENTINEL_KEY);
    return result;
  };
}
