import type { ExperimentStatus } from "@converge/core";
import { describe, expect, it } from "vitest";
import type { DecisionCheck } from "./decision-checks.js";
import type { LoopRun } from "./decision-harness.js";
import {
  markdownTable,
  renderDecisionTables,
  renderEtaCoverage,
  renderReliability,
  renderStops,
} from "./decision-report.js";
import {
  MIN_BIN_CHECKS,
  MIN_BIN_LOOPS,
  passesWithinHorizon,
  scoreCalibration,
  scoreDecisions,
  scoreEtaCoverage,
} from "./decision-scoring.js";
import type { LoopFamily } from "./simulated-loops.js";

let runCount = 0;

function run(
  family: LoopFamily,
  passesWithinBudget: boolean,
  status: ExperimentStatus,
  iterationsRun: number,
  budget = 20,
): LoopRun {
  return {
    loopId: `${family}-${++runCount}`,
    family,
    noise: "low",
    budget,
    passesWithinBudget,
    status,
    iterationsRun,
    passed: status === "SUCCESS",
    stoppedBy: status === "PIVOT_TO_RESEARCH" ? "R6" : status === "ABANDONED" ? "R3" : null,
    lastAdvice: null,
  };
}

function check(over: Partial<DecisionCheck>): DecisionCheck {
  return {
    loopId: "l",
    family: "steady-linear-fast",
    noise: "low",
    iteration: 5,
    budget: 20,
    remaining: 15,
    probability: null,
    probabilityHorizon: null,
    horizonSource: null,
    eta: null,
    passesWithinBudget: false,
    trueRemaining: null,
    knownAhead: 115,
    actions: {},
    ...over,
  };
}

describe("scoreDecisions", () => {
  const runs = [
    run("steady-linear-fast", true, "SUCCESS", 8),
    run("steady-linear-fast", true, "PIVOT_TO_RESEARCH", 4),
    run("late-bloomer", true, "ABANDONED", 6),
    run("late-bloomer", true, "SUCCESS", 12),
    run("no-trend", false, "PIVOT_TO_RESEARCH", 5),
    run("no-trend", false, "MAX_ITERATIONS", 20),
  ];
  const scores = scoreDecisions("p", runs);

  it("scores each family present, the steady families and all loops", () => {
    expect(scores.map((s) => s.group)).toEqual([
      "steady-linear-fast",
      "no-trend",
      "late-bloomer",
      "steady",
      "all",
    ]);
  });

  it("counts lost would-be successes and the budget saved on doomed loops", () => {
    const all = scores.find((s) => s.group === "all");
    expect(all).toMatchObject({
      loops: 6,
      wouldBeSuccesses: 4,
      lost: 2,
      lostShare: 0.5,
      doomed: 2,
    });
    expect(all?.savedShare).toBeCloseTo((15 / 20 + 0) / 2, 12);
    expect(all?.meanIterations).toBeCloseTo(55 / 6, 12);
    expect(scores.find((s) => s.group === "steady")).toMatchObject({
      lost: 1,
      lostShare: 0.5,
      savedShare: null,
    });
    expect(scores.find((s) => s.group === "no-trend")).toMatchObject({
      wouldBeSuccesses: 0,
      lostShare: null,
    });
  });

  it("renders one column per policy and the stops by rule", () => {
    const text = renderDecisionTables([...scores, ...scoreDecisions("q", runs.slice(0, 1))]);
    expect(text).toContain("| family | would-be successes | p | q |");
    expect(text).toContain("| all | 4 | 2 (50.0%) | 0 (0.0%) |");
    expect(text).toContain("| no-trend | 2 | 37.5% | — |");
    expect(renderStops(runs)).toContain("| R6 | 1 | 1 |");
    expect(renderStops(runs)).toContain("| R3 | 1 | 0 |");
  });
});

describe("scoreCalibration", () => {
  it("computes the Brier score, the base rate's and the skill", () => {
    const checks = [
      check({ probability: 0.9, passesWithinBudget: true, trueRemaining: 3 }),
      check({ probability: 0.2, passesWithinBudget: false }),
      check({ probability: 0.6, passesWithinBudget: true, trueRemaining: 1 }),
      check({ probability: 0.1, passesWithinBudget: false }),
      check({}),
    ];
    const s = scoreCalibration(checks);
    expect(s).toMatchObject({ checks: 5, withProbability: 4, passRate: 0.5 });
    const brier = (0.01 + 0.04 + 0.16 + 0.01) / 4;
    expect(s.brier).toBeCloseTo(brier, 12);
    expect(s.baseBrier).toBeCloseTo(0.25, 12);
    expect(s.skill).toBeCloseTo(1 - brier / 0.25, 12);
    expect(s.bins[9]?.checks).toBe(1);
    expect(s.bins[6]?.checks).toBe(1);
    expect(s.worstGap).toBeNull();
  });

  it("counts a bin only with enough checks from enough loops, and finds its gap", () => {
    const many = (n: number, loops: number, p: number, passShare: number) =>
      Array.from({ length: n }, (_, i) =>
        check({
          loopId: `l${i % loops}`,
          probability: p,
          passesWithinBudget: i < passShare * n,
          trueRemaining: i < passShare * n ? 2 : null,
        }),
      );
    const s = scoreCalibration([
      ...many(MIN_BIN_CHECKS, MIN_BIN_LOOPS, 0.05, 0.2),
      ...many(MIN_BIN_CHECKS - 1, 50, 0.55, 0.5),
      ...many(200, MIN_BIN_LOOPS - 1, 0.95, 0.9),
    ]);
    expect(s.bins.map((b) => b.counts)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(s.bins[0]?.observed).toBeCloseTo(0.2, 12);
    expect(s.bins[0]?.withinTolerance).toBe(false);
    expect(s.worstGap).toBeCloseTo(0.15, 12);
    expect(renderReliability(s)).toContain(
      "| [0.0, 0.1) | 100 | 20 | 0.050 | 0.200 | 0.150 | no | yes |",
    );
  });

  it("judges the probability against its own horizon when it states one", () => {
    expect(passesWithinHorizon(check({ probabilityHorizon: 3, trueRemaining: 3 }))).toBe(true);
    expect(
      passesWithinHorizon(
        check({ probabilityHorizon: 3, trueRemaining: 4, passesWithinBudget: true }),
      ),
    ).toBe(false);
    expect(passesWithinHorizon(check({ passesWithinBudget: true, trueRemaining: 4 }))).toBe(true);
  });

  it("says so when no check carries a probability", () => {
    expect(renderReliability(scoreCalibration([check({})]))).toContain("No check carried");
  });
});

describe("scoreEtaCoverage", () => {
  const eta = (
    low: number | null,
    high: number | null,
    horizon: number | null,
    estimate: number | null = 3,
  ) => ({
    estimate,
    low,
    high,
    level: 0.8,
    horizon,
  });

  it("covers only checks whose loop passes within the horizon and that have a range", () => {
    const s = scoreEtaCoverage([
      check({ eta: eta(2, 5, 10), trueRemaining: 4 }),
      check({ eta: eta(2, 5, 10), trueRemaining: 6 }),
      check({ eta: eta(2, 5, 10), trueRemaining: 12 }),
      check({ eta: eta(null, null, null, null), trueRemaining: 4 }),
      check({ eta: eta(1, 2, null), trueRemaining: 40, family: "plateau-below" }),
      check({ eta: null, trueRemaining: 4 }),
      check({ eta: eta(1, 2, 200), family: "no-trend" }),
      check({ eta: eta(1, 2, 100), family: "no-trend" }),
    ]);
    expect(s.level).toBe(0.8);
    expect(s.overall).toEqual({ eligible: 3, covered: 1, coverage: 1 / 3 });
    expect(s.steady).toEqual({ eligible: 2, covered: 1, coverage: 0.5 });
    expect(s.steadyChecks).toBe(5);
    expect(s.steadyWithoutEstimate).toBe(2);
    expect(s.beyondKnown).toBe(1);
    expect(renderEtaCoverage(s)).toContain("| steady families | 2 | 1 | 50.0% | 80% |");
  });
});

describe("markdownTable", () => {
  it("escapes pipes and writes the separator row", () => {
    expect(markdownTable(["a", "b|c"], [["1", "2"]])).toBe(
      "| a | b\\|c |\n| --- | --- |\n| 1 | 2 |",
    );
  });
});
