import {
  ConfigurationError,
  createTracker,
  type ExperimentMeta,
  memoryStore,
  seededRandom,
} from "@converge/core";
import { sampleLogRecords } from "@converge/test-kit";
import { describe, expect, it } from "vitest";
import { analyzeTrajectory, defaultAnalyzers } from "./analyze-trajectory.js";
import { assessWithRules, ruleAdvisor, ruleTable } from "./rule-advisor.js";
import { expectValid, GATE, loop, sharpeLoop } from "./test-fixtures/rule-loops.js";

// The sample log of @converge/test-kit: three records in the original Python logger's format.
const SAMPLE = sampleLogRecords();

const SAMPLE_META = {
  schema_version: 1,
  experiment_id: "exp_20260118_143022",
  directive: "",
  gate: null,
  metrics: {},
  status: "IN_PROGRESS",
  created_at: null,
  updated_at: null,
  summary: null,
  tags: {},
} as ExperimentMeta;

/** Gate score = sharpe / 1.5 while failing (one criterion, scale 1.5). */
describe("ruleAdvisor", () => {
  it("is a v1 Advisor named rule and rejects bad options", () => {
    const advisor = ruleAdvisor();
    expect(advisor.specificationVersion).toBe("v1");
    expect(advisor.name).toBe("rule");
    expect(() => ruleAdvisor({ patience: 0 })).toThrow(ConfigurationError);
    expect(() => ruleAdvisor({ maxIterations: 2.5 })).toThrow(/maxIterations/);
    expect(() => ruleAdvisor({ minImprovement: -1 })).toThrow(/minImprovement/);
    expect(() => ruleAdvisor({ stopBelow: 1.5 })).toThrow(/stopBelow must be a probability/);
    expect(() => ruleAdvisor({ stopBelow: Number.NaN })).toThrow(
      /ruleAdvisor\(\{ stopBelow: 0\.16 \}\)/,
    );
    expect(() => ruleAdvisor({ horizon: 0 })).toThrow(/horizon/);
  });

  it("a converging loop → CONTINUE (R3), quoting the success probability and the ETA", async () => {
    // position_size rises by uneven steps; sharpe follows it (0.4 + 3·size) plus small noise.
    const rnd = seededRandom(11);
    const sizes = [0.1];
    for (let i = 1; i < 8; i++) sizes.push((sizes[i - 1] as number) + 0.01 + 0.04 * rnd());
    const sharpes = sizes.map((s) => 0.4 + 3 * s + 0.01 * (rnd() - 0.5));
    const l = await loop(sharpeLoop(sharpes, sizes));
    const advice = await l.advise();
    expectValid(advice);
    const a = advice.assessment;
    expect(a.convergence_assessment).toBe("CONVERGING");
    expect(a.next_action).toBe("CONTINUE");
    expect(a.likelihood_of_success).toBe("HIGH");
    expect(a.gradient_effectiveness).toBe("EFFECTIVE");
    expect(a.key_findings[0]).toMatch(
      /^gate score … → (\d\.\d\d → ){4}\d\.\d\d \(last 5 of 8\), \+0\.\d+ per iteration \[0\.\d+, 0\.\d+\]/,
    );
    expect(a.key_findings).toContainEqual(
      expect.stringMatching(
        /^P\(pass within the next 20 iterations \(no budget known\)\) (0\.9\d|> 0\.99) · 80% range \d+(–\d+)? iterations? \(median \d+\)$/,
      ),
    );
    // The direction is stated beside each verdict; max_drawdown has no stated goal here (the
    // gate tests sharpe_ratio only), so it is named as informational and not judged.
    expect(a.key_findings).toContainEqual(
      expect.stringMatching(/^sharpe_ratio \(higher is better\): \+.*, CONVERGING$/),
    );
    expect(a.key_findings).toContainEqual(
      "informational metrics (no goal, not judged): max_drawdown 0.2 (constant)",
    );
    expect(a.key_findings.some((f) => f.startsWith("max_drawdown ("))).toBe(false);
    // One vocabulary: the gradient is a direction, the changes are EFFECTIVE (docs/vocabulary.md).
    expect(a.reasoning).toMatch(
      /Parameter changes EFFECTIVE: the gate score's gradient is ASCENDING/,
    );
    expect(a.reasoning).not.toMatch(/Gradient EFFECTIVE/);
    expect(a.reasoning).toMatch(/Likelihood of success HIGH: P\(pass within/);
    expect(a.estimated_iterations_needed).toBeGreaterThan(0);
    expect(a.parameter_recommendations.position_size).toMatch(
      /^INCREASE - \+\d\.\d+ gate score per unit \(±/,
    );
    expect(a.specific_recommendations[0]).toMatch(
      /^Keep going in the current direction: \+0\.\d+ gate score per iteration; if it passes, most likely in/,
    );
    expect(a.reasoning).toMatch(
      /^Rule R3 \(the success probability is at least 0\.16 → CONTINUE\)/,
    );
    expect(a.reasoning).toMatch(/Outlook: P\(pass within the next 20 iterations/);
    expect(a.confidence).toBeGreaterThan(0.9);
  });

  it("a diverging loop → ABANDON (R5), keeping the best iteration", async () => {
    const l = await loop(sharpeLoop([1.2, 1.1, 1.05, 0.95, 0.85, 0.8, 0.7, 0.6]));
    const a = (await l.advise()).assessment;
    expect(a.convergence_assessment).toBe("DIVERGING");
    expect(a.next_action).toBe("ABANDON");
    expect(a.gradient_effectiveness).toBe("INEFFECTIVE");
    expect(a.likelihood_of_success).toBe("LOW");
    expect(a.reasoning).toMatch(/^Rule R5 \(the success probability is below 0\.16, and DIVERGING/);
    expect(a.reasoning).toMatch(
      /P\(pass within the next 20 iterations \(no budget known\)\) 0\.\d+ < 0\.16/,
    );
    expect(a.specific_recommendations[0]).toMatch(
      /^Stop this line of work: the gate score falls by 0\.\d+ per iteration and the gate is out of reach \(P\(pass within .*\); keep iteration 1 \(gate score 0\.80\)$/,
    );
    expect(a.confidence).toBeGreaterThan(0.82);
  });

  it("a HIGH overfitting risk when a pass is unlikely → ABANDON (R4)", async () => {
    // Wild swings: luck alone reaches a Sharpe above the best one after 10 trials.
    const swings = [0.9, -1.5, 1.0, -1.2, 0.8, -1.4, 0.9, -1.3, 0.85, -1.5];
    const inputs = sharpeLoop(swings).map((x) => ({
      ...x,
      metrics: { ...x.metrics, num_observations: 60 },
    }));
    const l = await loop(inputs);
    const t = analyzeTrajectory(l.records, { gate: GATE });
    expect(t.overfitting?.risk).toBe("HIGH");
    const a = (await l.advise({ maxIterations: 11 })).assessment;
    expect(a.next_action).toBe("ABANDON");
    expect(a.reasoning).toMatch(/^Rule R4 /);
    expect(a.key_findings).toContainEqual(expect.stringMatching(/^overfitting guard: .*risk HIGH/));
    // With room left, noise this large may still pass: the advisor does not stop on the risk alone.
    expect((await l.advise({ maxIterations: 40 })).assessment.next_action).toBe("CONTINUE");
  });

  it("without a goal there is no probability: patience decides (R7, R8)", async () => {
    const tracker = createTracker({ store: memoryStore(), analyzers: defaultAnalyzers() });
    const run = await tracker.start({ experimentId: "exp_nogoal" });
    for (const score of [0.5, 0.6, 0.61, 0.6, 0.6, 0.61, 0.6, 0.6, 0.6]) {
      await run.log({ metrics: { accuracy: score } });
    }
    const t = await run.analyze();
    expect(t).toMatchObject({ success_probability: { probability: null, basis: "none" } });
    const flat = (await run.advise(t, ruleAdvisor())).assessment;
    expect(flat.next_action).toBe("PIVOT");
    expect(flat.reasoning).toMatch(/^Rule R7 /);
    expect(flat.likelihood_of_success).toBe("MEDIUM");
    const patient = (await run.advise(t, ruleAdvisor({ patience: 10 }))).assessment;
    expect(patient.next_action).toBe("CONTINUE");
    expect(patient.reasoning).toMatch(/^Rule R8 /);
  });

  it("the sample log → CONTINUE, CONVERGING, the gate passes", async () => {
    const advice = await ruleAdvisor().advise({
      records: SAMPLE,
      trajectory: analyzeTrajectory(SAMPLE),
      meta: SAMPLE_META,
    });
    expectValid(advice);
    const a = advice.assessment;
    expect(a.convergence_assessment).toBe("CONVERGING");
    expect(a.next_action).toBe("CONTINUE");
    expect(a.gradient_effectiveness).toBe("EFFECTIVE");
    expect(a.likelihood_of_success).toBe("HIGH");
    expect(a.estimated_iterations_needed).toBe(0);
    expect(a.key_findings[0]).toMatch(
      /^gate score 0\.65 → 0\.75 → 0\.92, \+0\.1[34] per iteration \[0\.10, 0\.17\]/,
    );
    expect(a.reasoning).toMatch(/^Rule R1 \(the last iteration passes the gate → CONTINUE\)/);
    expect(a.specific_recommendations[0]).toBe(
      "Keep the strategy of iteration 3: it passes the gate",
    );
    expect(Object.keys(a.parameter_recommendations).sort()).toEqual([
      "position_size",
      "rsi_threshold",
      "stop_loss",
    ]);
  });

  it("one record → CONTINUE with low confidence (R0); no records do not throw", async () => {
    const one = SAMPLE.slice(0, 1);
    const a = (
      await ruleAdvisor().advise({
        records: one,
        trajectory: analyzeTrajectory(one),
        meta: SAMPLE_META,
      })
    ).assessment;
    expect(a.convergence_assessment).toBe("INSUFFICIENT_DATA");
    expect(a.next_action).toBe("CONTINUE");
    expect(a.confidence).toBeLessThanOrEqual(0.2);
    expect(a.reasoning).toMatch(/^Rule R0 /);
    expect(a.specific_recommendations[0]).toMatch(/^Run at least 2 more scored iterations/);

    const none = await ruleAdvisor().advise({
      records: [],
      trajectory: analyzeTrajectory([], { experimentId: "exp_empty" }),
      meta: SAMPLE_META,
    });
    expectValid(none);
    expect(none.assessment.next_action).toBe("CONTINUE");
    expect(none.assessment.confidence).toBe(0.1);
  });

  it("analyses a plain core trajectory itself, with the meta's gate", async () => {
    const tracker = createTracker({ store: memoryStore() }); // no analyzers
    const run = await tracker.start({ experimentId: "exp_plain", gate: GATE });
    for (const input of sharpeLoop([0.6, 0.7, 0.8, 0.9, 1.0])) await run.log(input);
    const plain = await run.analyze();
    expect(plain).not.toHaveProperty("score_trend");
    const advice = await run.advise(plain, ruleAdvisor());
    expectValid(advice);
    const direct = assessWithRules(analyzeTrajectory(run.records, { gate: GATE }), run.records);
    expect(advice.assessment).toEqual(direct);
    expect(advice.assessment.convergence_assessment).toBe("CONVERGING");
  });

  it("is deterministic: the same input gives a deep-equal assessment", async () => {
    const swings = [0.6, 1.2, 0.7, 1.1, 0.65, 1.15, 0.7, 1.1, 0.6, 1.12];
    const first = await (await loop(sharpeLoop(swings))).advise();
    const second = await (await loop(sharpeLoop(swings))).advise();
    expect(second).toEqual(first);
    const t = analyzeTrajectory(SAMPLE);
    expect(assessWithRules(t, SAMPLE)).toEqual(assessWithRules(analyzeTrajectory(SAMPLE), SAMPLE));
  });

  it("validates against the schema on a range of synthetic loops", async () => {
    const rnd = seededRandom(99);
    for (let k = 0; k < 20; k++) {
      const n = 1 + Math.floor(rnd() * 25);
      const drift = (rnd() - 0.5) * 0.1;
      const sharpes = Array.from({ length: n }, (_, i) =>
        i === 3 && k % 5 === 0 ? Number.NaN : 0.8 + drift * i + 0.1 * (rnd() - 0.5),
      );
      const advice = await (await loop(sharpeLoop(sharpes))).advise({ maxIterations: 30 });
      expectValid(advice);
      for (const line of [...advice.assessment.key_findings, advice.assessment.reasoning]) {
        expect(line).not.toMatch(/undefined|NaN|null/);
      }
    }
  });

  it("documents its rule table in order, ending in a catch-all", () => {
    const table = ruleTable({
      patience: 5,
      abandonAfter: 15,
      maxIterations: null,
      minImprovement: null,
      stopBelow: 0.1,
      horizon: 20,
    });
    expect(table.map((r) => `${r.id} ${r.action}`)).toEqual([
      "R0 CONTINUE",
      "R1 CONTINUE",
      "R2 ABANDON",
      "R3 CONTINUE",
      "R4 ABANDON",
      "R5 ABANDON",
      "R6 PIVOT",
      "R7 PIVOT",
      "R8 CONTINUE",
    ]);
    expect(table[3]?.when).toBe("the success probability is at least 0.1");
    expect(table[5]?.when).toContain("≥ 15");
    // Every rule that stops reads the success probability or the spent budget.
    for (const rule of table.filter((r) => r.action !== "CONTINUE" && r.id !== "R7")) {
      expect(rule.when).toMatch(/success probability is below|budget is spent/);
    }
  });
});
