import { createTracker, memoryStore } from "@converge/core";
import { describe, expect, it } from "vitest";
import { analyzeTrajectory, defaultAnalyzers } from "./analyze-trajectory.js";
import { assessWithRules, ruleAdvisor } from "./rule-advisor.js";
import { GATE, loop, sharpeLoop } from "./test-fixtures/rule-loops.js";

describe("ruleAdvisor: the success probability within the budget decides", () => {
  it("the loop a point extrapolation once stopped at iteration 5 → CONTINUE", async () => {
    // Sharpe 0.16 → 0.75 toward a gate of 1.0 with 15 of 20 iterations left: it passed at 9.
    const tracker = createTracker({ store: memoryStore(), analyzers: defaultAnalyzers() });
    const gate = { criteria: [{ metric: "sharpe_ratio", op: ">=" as const, threshold: 1 }] };
    const run = await tracker.start({ experimentId: "exp_r6", gate, maxIterations: 20 });
    for (const input of sharpeLoop([0.16, 0.37, 0.52, 0.64, 0.75])) await run.log(input);
    const t = await run.analyze();
    const a = (await run.advise(t, ruleAdvisor())).assessment;
    expect(a.next_action).toBe("CONTINUE");
    expect(a.reasoning).toMatch(/P\(pass within the 15 iterations left\) (0\.9\d|> 0\.99)/);
  });

  it("a flat loop far below the gate: PIVOT (R6) only once its probability is low", async () => {
    const sharpes = [0.93, 0.931, 0.929, 0.932, 0.93, 0.928, 0.931, 0.93];
    const l = await loop(sharpeLoop(sharpes));
    // 20 iterations ahead, a breakthrough could still bridge the gap (see the README's priors).
    const open = (await l.advise()).assessment;
    expect(open.convergence_assessment).toBe("STAGNANT");
    expect(open.next_action).toBe("CONTINUE");
    expect(open.gradient_effectiveness).toBe("INEFFECTIVE"); // parameters changed, the score did not
    expect(open.specific_recommendations[0]).toMatch(
      /^Keep trying: no trend yet, but the gate is still within reach/,
    );
    // Two iterations left: no longer.
    const late = (await l.advise({ maxIterations: 10 })).assessment;
    expect(late.next_action).toBe("PIVOT");
    expect(late.likelihood_of_success).toBe("LOW");
    expect(late.reasoning).toMatch(/^Rule R6 /);
    expect(late.specific_recommendations[0]).toMatch(
      /^Revert to iteration \d \(gate score 0\.62\) and change approach: the gate score has stayed around ~0\.62; P\(pass within the 2 iterations left\) 0\.\d+$/,
    );
    // Without breakthroughs in the model, the same loop is hopeless already.
    const noJumps = analyzeTrajectory(l.records, {
      gate: GATE,
      predictive: { breakthrough: { rate: 0, strength: 1, sizeSd: 0 } },
    });
    expect(assessWithRules(noJumps, l.records).next_action).toBe("PIVOT");
  });

  it("stopBelow sets how unlikely a pass must be before the advisor stops", async () => {
    const sharpes = [0.93, 0.931, 0.929, 0.932, 0.93, 0.928, 0.931, 0.93];
    const l = await loop(sharpeLoop(sharpes));
    const t = analyzeTrajectory(l.records, { gate: GATE, maxIterations: 14 });
    const p = t.success_probability.probability as number;
    expect(p).toBeGreaterThan(0.02);
    expect(p).toBeLessThan(0.98);
    expect(assessWithRules(t, l.records, { stopBelow: p + 0.01 }).next_action).toBe("PIVOT");
    expect(assessWithRules(t, l.records, { stopBelow: p - 0.01 }).next_action).toBe("CONTINUE");
    expect(assessWithRules(t, l.records, { stopBelow: 0 }).next_action).toBe("CONTINUE");
    // A probability just under the threshold is written with the digits that show it is.
    const near = { ...t, success_probability: { ...t.success_probability, probability: 0.1596 } };
    expect(assessWithRules(near, l.records, { stopBelow: 0.16 }).reasoning).toMatch(
      /P\(pass within the 6 iterations left\) 0\.1596 < 0\.16/,
    );
  });

  it("the budget: spent → ABANDON (R2); one left → PIVOT (R6); ample → CONTINUE", async () => {
    const sharpes = [0.6, 0.65, 0.7, 0.74, 0.8, 0.84, 0.9, 0.95];
    const l = await loop(sharpeLoop(sharpes));
    const spent = (await l.advise({ maxIterations: 8 })).assessment;
    expect(spent.next_action).toBe("ABANDON");
    expect(spent.reasoning).toMatch(/^Rule R2 /);
    expect(spent.likelihood_of_success).toBe("LOW");
    const short = (await l.advise({ maxIterations: 9 })).assessment;
    expect(short.convergence_assessment).toBe("CONVERGING");
    expect(short.next_action).toBe("PIVOT");
    expect(short.reasoning).toMatch(
      /^Rule R6 .*P\(pass within the 1 iteration left\) 0\.\d+ < 0\.16/,
    );
    expect(short.specific_recommendations[0]).toMatch(
      /still rises by \+0\.\d+ per iteration, too slowly/,
    );
    const ample = (await l.advise({ maxIterations: 60 })).assessment;
    expect(ample.next_action).toBe("CONTINUE");
    expect(ample.likelihood_of_success).toBe("HIGH");
    expect(ample.reasoning).toMatch(/52 of 60 iterations left/);
  });

  it("without a maxIterations option, uses the budget of the loop that asks, else the meta's", async () => {
    const sharpes = [0.6, 0.65, 0.7, 0.74, 0.8, 0.84, 0.9, 0.95];
    const { records, meta } = await loop(sharpeLoop(sharpes));
    const trajectory = analyzeTrajectory(records, { metrics: meta.metrics, gate: meta.gate });
    const progress = {
      costSpentUsd: 0,
      costBudgetUsd: null,
      elapsedSeconds: 1,
      wallTimeBudgetSeconds: null,
    };
    const ask = (maxIterations: number) =>
      ruleAdvisor().advise({
        records,
        trajectory,
        meta,
        loop: { ...progress, iteration: 8, maxIterations },
      });
    expect((await ask(8)).assessment.reasoning).toMatch(/^Rule R2 /);
    expect((await ask(60)).assessment.next_action).toBe("CONTINUE");
    // An explicit option wins over the loop's budget.
    const explicit = await ruleAdvisor({ maxIterations: 60 }).advise({
      records,
      trajectory,
      meta,
      loop: { ...progress, iteration: 8, maxIterations: 8 },
    });
    expect(explicit.assessment.next_action).toBe("CONTINUE");
    // A stored experiment's budget, as runGateLoop keeps it in the meta.
    const stored = await ruleAdvisor().advise({
      records,
      trajectory,
      meta: { ...meta, max_iterations: 9 },
    });
    expect(stored.assessment.reasoning).toMatch(/P\(pass within the 1 iteration left\)/);
  });
});
