/**
 * The counterfactual runner: the override keeps asking the advisor, never
 * lets the loop stop before a pass or the budget, and changes nothing until
 * the first stop; its plain run is the demo's run.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  deserializeRecord,
  type ExperimentRecord,
  type NextAction,
  type TrajectoryAssessment,
} from "@converge/core";
import { type ScriptedAdvisor, scriptedAdvisor } from "@converge/test-kit";
import { afterAll, describe, expect, it } from "vitest";
import { runSeed, type SeedRun } from "./counterfactual.js";
import { DEFAULT_MAX_ITERATIONS, runDemo } from "./demo.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "converge-counterfactual-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A record without what differs between two runs of the same seed: id, time, duration. */
const comparable = (records: readonly ExperimentRecord[]) =>
  records.map(({ experiment_id, timestamp, compute_time, ...rest }) => rest);

/**
 * The assessment of `alwaysSays` after iteration `after`: a recommendation the tuner
 * follows, a stop, and the iteration (so a stale answer shows).
 */
const stopAssessment = (action: NextAction, after: number): TrajectoryAssessment => ({
  convergence_assessment: "STAGNANT",
  gradient_effectiveness: "INEFFECTIVE",
  likelihood_of_success: "LOW",
  estimated_iterations_needed: null,
  key_findings: ["the score has not moved"],
  parameter_recommendations: { position_size: "DECREASE - test" },
  next_action: action,
  specific_recommendations: ["try something else"],
  confidence: 0.9,
  reasoning: `stops on cue after iteration ${after}`,
});

/** An advisor that says `action` every time; `calls` counts what it was really asked. */
function alwaysSays(action: NextAction): ScriptedAdvisor {
  return scriptedAdvisor(
    ({ records }) => ({ source: "test", assessment: stopAssessment(action, records.length) }),
    { name: `always-${action.toLowerCase()}` },
  );
}

/**
 * What holds for every overridden run: it ends with a pass or at the budget,
 * the advisor was asked after every failed iteration from the second on, and
 * each of those answers reached the next record as CONTINUE.
 */
function expectRanOn(run: SeedRun) {
  expect(["SUCCESS", "MAX_ITERATIONS"]).toContain(run.status);
  expect(run.iterations).toBe(run.passed ? run.passedAt : DEFAULT_MAX_ITERATIONS);
  expect(run.records).toHaveLength(run.iterations);
  const failedFromSecond = run.records.filter((r) => r.iteration >= 2 && !r.gate_passed);
  expect(run.asked).toBe(failedFromSecond.length);
  for (const record of run.records.filter((r) => r.iteration >= 3)) {
    expect(record.advice?.after_iteration).toBe(record.iteration - 1);
    expect(record.advice?.assessment.next_action).toBe("CONTINUE");
  }
  expect(run.stops.every((s) => s.overridden)).toBe(true);
  expect(run.warnings).toEqual([]);
}

describe("overriding an advisor that stops every time", () => {
  it.each([
    { action: "PIVOT", status: "PIVOT_TO_RESEARCH", seed: 3 },
    { action: "ABANDON", status: "ABANDONED", seed: 79 },
  ] as const)("$action on seed $seed: asked every iteration, never obeyed", async (c) => {
    const plain = await runSeed({ seed: c.seed, dir: tempDir(), advisor: alwaysSays(c.action) });
    // The advisor is first asked after iteration 2, and its first answer stops the plain run.
    expect(plain.status).toBe(c.status);
    expect(plain.iterations).toBe(2);
    expect(plain.asked).toBe(1);
    expect(plain.stops).toEqual([{ afterIteration: 2, action: c.action, overridden: false }]);

    const advisor = alwaysSays(c.action);
    const over = await runSeed({ seed: c.seed, dir: tempDir(), advisor, overrideStops: true });
    expectRanOn(over);
    expect(advisor.calls).toBe(over.asked);
    expect(over.iterations).toBeGreaterThan(2);
    // Every answer was a stop, and every one was overridden.
    expect(over.stops).toHaveLength(over.asked);
    expect(over.stops.map((s) => s.afterIteration)).toEqual(
      over.records.filter((r) => r.iteration >= 2 && !r.gate_passed).map((r) => r.iteration),
    );
    expect(new Set(over.stops.map((s) => s.action))).toEqual(new Set([c.action]));
    // The advice passed on is the advisor's fresh answer but for the stop: its
    // recommendations steer the tuner.
    for (const record of over.records.filter((r) => r.iteration >= 3)) {
      expect(record.advice?.source).toBe("test");
      expect(record.advice?.assessment).toEqual({
        ...stopAssessment(c.action, record.iteration - 1),
        next_action: "CONTINUE",
      });
    }
    // Up to the stop, the two runs are the same run.
    expect(comparable(over.records.slice(0, 2))).toEqual(comparable(plain.records));
  });
});

describe("the rule advisor's stops overridden", () => {
  it("a seed that passes anyway (43, the default) gives the plain run's records", async () => {
    const plain = await runSeed({ seed: 43, dir: tempDir() });
    const over = await runSeed({ seed: 43, dir: tempDir(), overrideStops: true });
    expect(plain.passed).toBe(true);
    expectRanOn(over);
    // Nothing to override: the same run, the same pass, the same advice.
    expect(plain.stops).toEqual([]);
    expect(over.stops).toEqual([]);
    expect(over.passedAt).toBe(plain.passedAt);
    expect(over.asked).toBe(plain.asked);
    expect(comparable(over.records)).toEqual(comparable(plain.records));
  });

  // The README's stopped seeds (3 pivots, 79 is abandoned; demo.test.ts checks how). Which
  // stop they end on is the rules' business; here: that the override goes past it, and
  // that the README is right to call them stops of a search that would not have passed.
  it.each([3, 79])("seed %i runs on past its stop, the same run up to it", async (seed) => {
    const plain = await runSeed({ seed, dir: tempDir() });
    const over = await runSeed({ seed, dir: tempDir(), overrideStops: true });
    expect(plain.passed).toBe(false);
    expect(plain.warnings).toEqual([]);
    // The plain run ended on the advisor's stop, the first it said.
    expect(plain.stops).toHaveLength(1);
    expect(plain.stops[0]?.afterIteration).toBe(plain.iterations);
    expect(plain.status).toBe(
      plain.stops[0]?.action === "PIVOT" ? "PIVOT_TO_RESEARCH" : "ABANDONED",
    );
    expectRanOn(over);
    expect(over.stops[0]).toEqual({ ...plain.stops[0], overridden: true });
    expect(over.iterations).toBeGreaterThan(plain.iterations);
    expect(over.asked).toBeGreaterThan(plain.asked);
    expect(comparable(over.records.slice(0, plain.iterations))).toEqual(comparable(plain.records));
    // Run on to the budget, it still does not pass: the stop cost no pass.
    expect(over.status).toBe("MAX_ITERATIONS");
    expect(over.passedAt).toBeNull();
  });

  // A stop the counterfactual overturns (the bench's "would have passed"): seed 46 pivots
  // after iteration 12 (P(pass within the 3 iterations left) below 0.16), and run on, it
  // passes at iteration 14.
  it("seed 46 pivots after 12, but would pass at 14", async () => {
    const plain = await runSeed({ seed: 46, dir: tempDir() });
    const over = await runSeed({ seed: 46, dir: tempDir(), overrideStops: true });
    expect(plain.status).toBe("PIVOT_TO_RESEARCH");
    expect(plain.iterations).toBe(12);
    expectRanOn(over);
    expect(over.status).toBe("SUCCESS");
    expect(over.passedAt).toBe(14);
    expect(over.iterations).toBe(14);
    expect(over.stops.map((s) => s.afterIteration)).toEqual([12, 13]);
    expect(comparable(over.records.slice(0, 12))).toEqual(comparable(plain.records));
  });
});

describe("runSeed", () => {
  it("without the override is the demo's own run, record for record", async () => {
    const dir = tempDir();
    const demo = await runDemo({
      seed: 3,
      store: `jsonl:${dir}`,
      env: { PATH: process.env.PATH, NO_COLOR: "1" },
      cwd: dir,
      quiet: true,
      stdout: { write: () => true },
      stderr: { write: () => true },
    });
    const logged = readFileSync(join(dir, `${demo.experimentId}.jsonl`), "utf8")
      .trim()
      .split("\n")
      .map((line) => deserializeRecord(line));
    const plain = await runSeed({ seed: 3, dir: tempDir() });
    expect(plain.status).toBe(demo.loop.summary.status);
    expect(plain.records).toHaveLength(logged.length);
    expect(comparable(plain.records)).toEqual(comparable(logged));
  });
});
