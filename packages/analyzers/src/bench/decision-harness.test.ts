import { evaluateGate, TrajectoryAssessmentSchema } from "@converge/core";
import { describe, expect, it } from "vitest";
import { defaultAnalyzers } from "../analyze-trajectory.js";
import { ruleAdvisor } from "../rule-advisor.js";
import { collectChecks, readEta, readProbability, runsFromChecks } from "./decision-checks.js";
import {
  adviceReason,
  iterationsSinceBest,
  NEVER_STOP,
  patienceAdvisor,
  patiencePolicy,
  runLoop,
  runPolicy,
} from "./decision-harness.js";
import { generateLoop, type LoopFamily, loopSet, type SimulatedLoop } from "./simulated-loops.js";

const scoresOf = (loop: SimulatedLoop) =>
  loop.iterations.map((it) => evaluateGate(it.metrics, loop.gate).score);

function findLoop(family: LoopFamily, pred: (l: SimulatedLoop) => boolean): SimulatedLoop {
  const seeds = Array.from({ length: 30 }, (_, i) => i + 1);
  const loop = loopSet(seeds, { families: [family] }).find(pred);
  if (!loop) throw new Error(`no ${family} loop matches`);
  return loop;
}

describe("runLoop", () => {
  it("without an advisor runs to the noisy pass, or to the budget", async () => {
    const passing = findLoop("steady-linear-slow", (l) => l.passesWithinBudget);
    const a = await runLoop(passing);
    expect(a).toMatchObject({
      status: "SUCCESS",
      passed: true,
      iterationsRun: passing.passIteration,
      stoppedBy: null,
      lastAdvice: null,
    });
    const doomed = findLoop("no-trend", (l) => !l.passesWithinBudget);
    const b = await runLoop(doomed);
    expect(b).toMatchObject({
      status: "MAX_ITERATIONS",
      passed: false,
      iterationsRun: doomed.budget,
    });
  });

  it("stops a patience-k loop where k iterations brought no new best score", async () => {
    const loop = findLoop("no-trend", (l) => !l.passesWithinBudget);
    const scores = scoresOf(loop);
    let expected = loop.budget;
    for (let i = 2; i <= loop.budget; i++) {
      if ((iterationsSinceBest(scores.slice(0, i)) as number) >= 3) {
        expected = i;
        break;
      }
    }
    expect(expected).toBeLessThan(loop.budget);
    const run = await runLoop(loop, { advisor: patienceAdvisor(3) });
    expect(run).toMatchObject({
      status: "PIVOT_TO_RESEARCH",
      iterationsRun: expected,
      stoppedBy: "patience-3",
    });
    expect(TrajectoryAssessmentSchema.safeParse(run.lastAdvice?.assessment).success).toBe(true);
  });

  it("names the rule that stopped a loop under the rule advisor", async () => {
    const loop = generateLoop("getting-worse", "low", 3);
    const run = await runLoop(loop, { advisor: ruleAdvisor(), analyzers: defaultAnalyzers() });
    expect(["PIVOT_TO_RESEARCH", "ABANDONED"]).toContain(run.status);
    expect(run.stoppedBy).toMatch(/^R\d+$/);
    expect(run.lastAdvice?.assessment.reasoning.startsWith(`Rule ${run.stoppedBy} (`)).toBe(true);
  });

  it("fails loudly when the advisor fails instead of scoring a run without it", async () => {
    const loop = generateLoop("no-trend", "low", 1);
    const broken = { ...patienceAdvisor(3), advise: () => Promise.reject(new Error("boom")) };
    await expect(runLoop(loop, { advisor: broken })).rejects.toThrow(/boom/);
  });
});

describe("patienceAdvisor", () => {
  it("counts iterations since the best score, ties and missing scores not improving it", () => {
    expect(iterationsSinceBest([])).toBeNull();
    expect(iterationsSinceBest([null, null])).toBeNull();
    expect(iterationsSinceBest([0.5])).toBe(0);
    expect(iterationsSinceBest([0.5, 0.4, 0.5, null])).toBe(3);
    expect(iterationsSinceBest([0.5, 0.6, 0.2])).toBe(1);
  });

  it("rejects a patience that is not a whole number >= 1", () => {
    expect(() => patienceAdvisor(0)).toThrow();
    expect(() => patienceAdvisor(2.5)).toThrow();
  });

  it("adviceReason keeps the rule id, else the source", () => {
    const assessment = { reasoning: "Rule R6 (CONVERGING → PIVOT) decided: x" };
    expect(adviceReason({ assessment, source: "rule" } as never)).toBe("R6");
    expect(
      adviceReason({ assessment: { reasoning: "Patience 3" }, source: "patience-3" } as never),
    ).toBe("patience-3");
  });
});

describe("collectChecks", () => {
  it("records every check up to the pass or the budget with the truth after it", async () => {
    const loops = [
      generateLoop("steady-saturating-fast", "medium", 5),
      generateLoop("plateau-below", "low", 5),
    ];
    for (const loop of loops) {
      const checks = await collectChecks(loop, {
        analyzers: defaultAnalyzers(),
        advisors: [{ name: "p3", advisor: patienceAdvisor(3) }],
      });
      const last = loop.passesWithinBudget ? (loop.passIteration as number) - 1 : loop.budget;
      expect(checks.map((c) => c.iteration)).toEqual(
        Array.from({ length: last - 1 }, (_, i) => i + 2),
      );
      for (const c of checks) {
        expect(c.remaining).toBe(loop.budget - c.iteration);
        expect(c.trueRemaining).toBe(
          loop.passIteration === null ? null : loop.passIteration - c.iteration,
        );
        expect(c.passesWithinBudget).toBe(loop.passesWithinBudget);
        expect(c.knownAhead).toBe(loop.iterations.length - c.iteration);
        expect(["CONTINUE", "PIVOT", "ABANDON"]).toContain(c.actions.p3);
        expect(c.eta).not.toBeNull();
      }
    }
  });

  it("replays a recorded advisor to the same ends as running it", async () => {
    const loops = loopSet([21, 22], { noises: ["medium"] });
    const checks = (
      await Promise.all(
        loops.map((loop) =>
          collectChecks(loop, {
            analyzers: [],
            advisors: [{ name: "patience-3", advisor: patienceAdvisor(3) }],
          }),
        ),
      )
    ).flat();
    const replayed = runsFromChecks(loops, checks, "patience-3");
    const ran = await runPolicy(patiencePolicy(3), loops);
    expect(replayed.map((r) => [r.status, r.iterationsRun])).toEqual(
      ran.map((r) => [r.status, r.iterationsRun]),
    );
    expect(ran.some((r) => r.status === "PIVOT_TO_RESEARCH")).toBe(true);
    const never = runsFromChecks(loops, checks, "nobody");
    const ranNever = await runPolicy(NEVER_STOP, loops);
    expect(never.map((r) => [r.status, r.iterationsRun])).toEqual(
      ranNever.map((r) => [r.status, r.iterationsRun]),
    );
  });

  it("reads success_probability and iterations_to_success defensively", () => {
    expect(readProbability({})).toEqual({
      probability: null,
      probabilityHorizon: null,
      horizonSource: null,
    });
    expect(
      readProbability({ success_probability: { probability: 1.5, horizon: 3 } }),
    ).toMatchObject({
      probability: null,
      probabilityHorizon: 3,
    });
    expect(
      readProbability({
        success_probability: { probability: 0.25, horizon: 7, horizon_source: "budget" },
      }),
    ).toEqual({ probability: 0.25, probabilityHorizon: 7, horizonSource: "budget" });
    expect(readEta({ iterations_to_success: "soon" })).toBeNull();
    expect(readEta({ iterations_to_success: { estimate: 4, low: 2, high: null } })).toEqual({
      estimate: 4,
      low: 2,
      high: null,
      level: null,
      horizon: null,
    });
  });
});
