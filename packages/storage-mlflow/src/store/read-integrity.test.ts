import { isIntegrityNotice, parseRecord } from "@converge/core";
import { describe, expect, test } from "vitest";
import { checkIntegrity, iterationRanges, missingRanges } from "./read-integrity.js";

const rec = (iteration: number, sharpe = iteration, id = "exp") =>
  parseRecord({ experiment_id: id, iteration, metrics: { sharpe } });
const child = (
  iteration: number,
  runId: string,
  startTime?: number,
  sharpe = iteration,
  id = "exp",
) => ({
  record: rec(iteration, sharpe, id),
  runId,
  startTime,
});
const source = 'the MLflow experiment "converge" at http://127.0.0.1:5000';

describe("iteration ranges", () => {
  test("gaps between sorted iterations, never enumerated", () => {
    expect(missingRanges([1, 2, 4, 8, 9, 11])).toEqual([
      [3, 3],
      [5, 7],
      [10, 10],
    ]);
    expect(missingRanges([1, 1_000_000_000])).toEqual([[2, 999_999_999]]);
    expect(missingRanges([5])).toEqual([]);
  });

  test("compressed as 3, 5-7, 10 and cut after 20 ranges", () => {
    expect(
      iterationRanges([
        [3, 3],
        [5, 7],
        [10, 10],
      ]),
    ).toBe("3, 5-7, 10");
    const many = Array.from({ length: 23 }, (_, i) => [2 * i + 2, 2 * i + 2] as [number, number]);
    const text = iterationRanges(many);
    expect(text.startsWith("2, 4, 6")).toBe(true);
    expect(text.endsWith("40 and 3 more ranges")).toBe(true);
  });
});

describe("checkIntegrity", () => {
  test("sorted by iteration, with a missing-iteration notice naming the experiment and the gap", () => {
    const { records, notices } = checkIntegrity({
      experimentId: "exp",
      source,
      children: [child(4, "d"), child(1, "a"), child(2, "b")],
      spooled: [],
    });
    expect(records.map((r) => r.iteration)).toEqual([1, 2, 4]);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.kind).toBe("missing-iteration");
    expect(notices[0]?.experimentId).toBe("exp");
    expect(notices[0]?.message).toMatch(
      /^"exp" in the MLflow experiment "converge" at http:\/\/127\.0\.0\.1:5000 is missing iteration 3 \(between 1 and 4\)/,
    );
    expect(isIntegrityNotice(notices[0] as never)).toBe(true);
  });

  test("many gaps: counted and compressed", () => {
    const iterations = [1, 2, 4, 8, 9, 11];
    const { notices } = checkIntegrity({
      experimentId: "exp",
      source,
      children: iterations.map((i) => child(i, `r${i}`)),
      spooled: [],
    });
    expect(notices[0]?.message).toMatch(/is missing 5 iterations: 3, 5-7, 10 \(between 1 and 11\)/);
  });

  test("duplicates: the first by creation time is kept, ties by run id; each dropped run is named", () => {
    const { records, notices } = checkIntegrity({
      experimentId: "exp",
      source,
      children: [
        child(2, "late", 2000, 20),
        child(1, "one", 1000),
        child(2, "early", 1500, 21),
        child(3, "zz", 3000, 30),
        child(3, "aa", 3000, 31),
        child(4, "unknown-time", undefined, 40),
        child(4, "known-time", 9999, 41),
      ],
      spooled: [],
    });
    expect(records.map((r) => [r.iteration, r.metrics.sharpe])).toEqual([
      [1, 1],
      [2, 21],
      [3, 31],
      [4, 41],
    ]);
    expect(notices.map((n) => n.kind)).toEqual([
      "duplicate-iteration",
      "duplicate-iteration",
      "duplicate-iteration",
    ]);
    expect(notices[0]?.message).toMatch(
      /iteration 2 .*kept run early \(created first\) and dropped run late/,
    );
    expect(notices[1]?.message).toMatch(/iteration 3 .*kept run aa .*dropped run zz/);
    expect(notices[2]?.message).toMatch(
      /iteration 4 .*kept run known-time .*dropped run unknown-time/,
    );
  });

  test("a record of another experiment is skipped and named; spooled records fill in after the server's", () => {
    const { records, notices } = checkIntegrity({
      experimentId: "exp",
      source,
      children: [child(1, "a"), child(2, "b", 0, 2, "other_exp")],
      spooled: [rec(2, 99), rec(3, 3), rec(1, 77)],
    });
    expect(records.map((r) => [r.iteration, r.metrics.sharpe])).toEqual([
      [1, 1],
      [2, 99],
      [3, 3],
    ]);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.kind).toBe("foreign-record");
    expect(notices[0]?.message).toMatch(/child run b .*belongs to "other_exp"/);
  });
});
