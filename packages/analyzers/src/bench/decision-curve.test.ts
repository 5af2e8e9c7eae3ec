import type { NextAction } from "@converge/core";
import { describe, expect, it } from "vitest";
import type { DecisionCheck } from "./decision-checks.js";
import {
  chooseStopBelow,
  dominates,
  renderCurve,
  STOP_BELOW_SWEEP,
  sweepAdvisors,
  sweepCurve,
  sweepName,
} from "./decision-curve.js";
import { generateLoop, type SimulatedLoop } from "./simulated-loops.js";

/** Checks of one loop where the swept advisors at thresholds above `stopAbove` stop at `at`. */
function checksOf(loop: SimulatedLoop, at: number, stopAbove: number): DecisionCheck[] {
  const out: DecisionCheck[] = [];
  for (let iteration = 2; iteration <= loop.budget; iteration++) {
    const actions: Record<string, NextAction> = {};
    for (const x of STOP_BELOW_SWEEP) {
      actions[sweepName(x)] = iteration === at && x > stopAbove ? "PIVOT" : "CONTINUE";
    }
    out.push({
      loopId: loop.id,
      family: loop.family,
      noise: loop.noise,
      iteration,
      budget: loop.budget,
      remaining: loop.budget - iteration,
      probability: null,
      probabilityHorizon: null,
      horizonSource: null,
      eta: null,
      passesWithinBudget: loop.passesWithinBudget,
      trueRemaining: null,
      knownAhead: loop.iterations.length - iteration,
      actions,
    });
  }
  return out;
}

describe("the trade-off curve", () => {
  it("dominates: better on one share and no worse on the other", () => {
    const p = { name: "p", lost: 0.05, saved: 0.4 };
    expect(dominates(p, { name: "a", lost: 0.1, saved: 0.4 })).toBe(true);
    expect(dominates(p, { name: "b", lost: 0.05, saved: 0.3 })).toBe(true);
    expect(dominates(p, { name: "c", lost: 0.05, saved: 0.4 })).toBe(false); // equal
    expect(dominates(p, { name: "d", lost: 0.02, saved: 0.3 })).toBe(false); // a trade-off
    expect(dominates(p, { name: "e", lost: 0.1, saved: 0.5 })).toBe(false);
  });

  it("replays each swept threshold and picks the middle one that meets both limits", () => {
    // A doomed loop stopped at iteration 3 by thresholds above 0.1, and a would-be success
    // (a steady loop) stopped at iteration 2 by thresholds above 0.25.
    const doomed = generateLoop("getting-worse", "low", 1001);
    const steady = generateLoop("steady-linear-fast", "low", 1001);
    expect(doomed.passesWithinBudget).toBe(false);
    expect(steady.passesWithinBudget).toBe(true);
    const loops = [doomed, steady];
    const checks = [...checksOf(doomed, 3, 0.1), ...checksOf(steady, 2, 0.25)];
    const curve = sweepCurve(loops, checks);
    expect(curve.map((p) => p.name)).toEqual(STOP_BELOW_SWEEP.map(sweepName));
    const at = (x: number) => curve.find((p) => p.name === sweepName(x));
    expect(at(0.1)).toEqual({ name: "rule@0.1", lost: 0, saved: 0 });
    expect(at(0.12)?.saved).toBeCloseTo((doomed.budget - 3) / doomed.budget, 12);
    expect(at(0.3)).toMatchObject({ lost: 1 });
    // Within the loss limits and saving something: 0.12 … 0.25; the middle of those 7 is 0.18.
    const chosen = chooseStopBelow(loops, checks, { all: 0.05, steady: 0.02, minSaved: 0.01 });
    expect(chosen).toMatchObject({ stopBelow: 0.18, lost: 0, steadyLost: 0 });
    // Nothing saves enough: the largest within the loss limits.
    expect(
      chooseStopBelow(loops, checks, { all: 0.05, steady: 0.02, minSaved: 0.99 }),
    ).toMatchObject({ stopBelow: 0.25 });
    const table = renderCurve(curve, [{ name: "patience-5", lost: 0.5, saved: 0.1 }]);
    expect(table).toContain("| rule@0.12 | 0.0% |");
    expect(table).toMatch(/\| rule@0\.12 \| 0\.0% \| \d+\.\d% \| patience-5 \|/);
    expect(table).toContain("| patience-5 | 50.0% | 10.0% |  |");
  });

  it("records one rule advisor per swept threshold", () => {
    const named = sweepAdvisors();
    expect(named.map((n) => n.name)).toEqual(STOP_BELOW_SWEEP.map(sweepName));
    expect(new Set(named.map((n) => n.advisor.name))).toEqual(new Set(["rule"]));
  });
});
