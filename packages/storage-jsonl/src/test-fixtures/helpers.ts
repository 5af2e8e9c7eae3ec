/** Shared by the tests of this package (not part of the build). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ExperimentRecord, parseRecord } from "@converge/core";
import { afterAll } from "vitest";

export { firstDifference } from "@converge/test-kit";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the OS temp dir, removed after the test file. */
export function tempDir(prefix = "converge-jsonl-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A validated record of `experimentId` with `iteration`, plus any fields given. */
export function record(
  experimentId: string,
  iteration: number,
  fields: Record<string, unknown> = {},
): ExperimentRecord {
  return parseRecord({
    experiment_id: experimentId,
    iteration,
    timestamp: "2026-01-18T14:30:22Z",
    strategy_name: `s${iteration}`,
    parameters: { position_size: 0.1 * iteration, rsi_threshold: 70 },
    metrics: { sharpe_ratio: 0.5 + iteration / 10, max_drawdown: 0.2 },
    ...fields,
  });
}

/** JSON has no -0: what a record's -0 becomes after a trip through a line. */
export function withoutNegativeZero<T>(value: T): T {
  if (typeof value === "number") return (Object.is(value, -0) ? 0 : value) as T;
  if (Array.isArray(value)) return value.map(withoutNegativeZero) as T;
  if (value !== null && typeof value === "object") {
    // fromEntries defines own properties, so a "__proto__" key (valid JSON) stays a key.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, withoutNegativeZero(v)]),
    ) as T;
  }
  return value;
}

/** What `promise` rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
