import {
  ExperimentMetaSchema,
  type ExperimentRecord,
  ownValue,
  parseRecord,
  setName,
} from "@converge/core";
import { describe, expect, it } from "vitest";
import { analyzeTrajectory } from "./analyze-trajectory.js";
import { ruleAdvisor } from "./rule-advisor.js";

const HOSTILE = ["toString", "constructor", "valueOf", "hasOwnProperty", "__proto__"] as const;
const gate = { criteria: [{ metric: "score", op: ">=" as const, threshold: 1 }] };

/** An object with `extra` as own entries (an object literal would set the prototype for "__proto__"). */
function withEntries<T>(base: Record<string, T>, extra: Record<string, T>): Record<string, T> {
  const out = { ...base };
  for (const [k, v] of Object.entries(extra)) setName(out, k, v);
  return out;
}

function record(iteration: number, metrics: Record<string, number>, parameters = {}) {
  return parseRecord({ experiment_id: "exp_h", iteration, metrics, parameters });
}

/** Ten iterations; `name` is a metric and a numeric parameter from iteration 2 on, and a categorical one's level. */
function hostileRecords(name: string): ExperimentRecord[] {
  const out: ExperimentRecord[] = [];
  for (let i = 1; i <= 10; i++) {
    const score = 0.05 * i + (i % 3) * 0.01;
    const metrics = i === 1 ? { score } : withEntries({ score }, { [name]: i * 2 });
    const parameters =
      i === 1
        ? { mode: "a" }
        : withEntries<unknown>({ mode: i % 2 ? name : "a" }, { [name]: i % 4 });
    out.push(record(i, metrics, parameters));
  }
  return out;
}

describe.each(HOSTILE)("names are data: %s", (name) => {
  const records = hostileRecords(name);

  it("is analysed like any metric and parameter, with NaN where an iteration lacked it", () => {
    const a = analyzeTrajectory(records, { gate });
    expect(Object.getPrototypeOf(a.metric_history)).toBeNull();
    expect(Object.keys(a.metric_history)).toEqual(["score", name]);
    expect(ownValue(a.metric_history, name)).toEqual([
      Number.NaN,
      ...records.slice(1).map((r) => ownValue(r.metrics, name)),
    ]);
    expect(ownValue(a.metric_trends, name)?.n).toBe(9);
    expect(ownValue(a.improvement_rates, name)).toBeCloseTo(2, 9);
    expect(Object.keys(a.parameter_effects.parameters).sort()).toEqual([name, "mode"].sort());
    const mode = ownValue(a.parameter_effects.parameters, "mode");
    expect(Object.keys(mode?.levels ?? {}).sort()).toEqual([name, "a"].sort());
  });

  it("uses a metric spec of that name and not an inherited property", () => {
    const specs = withEntries<"minimize">({}, { [name]: "minimize" });
    const a = analyzeTrajectory(records, { metrics: specs });
    expect(ownValue(a.metric_trends, name)).toMatchObject({ role: "objective", goal: "minimize" });
    // A metric with no stated goal (no spec, no gate, not the score) is informational: no direction, no verdict.
    expect(ownValue(a.metric_trends, "score")).toMatchObject({
      role: "informational",
      goal: null,
      status: null,
    });
  });

  it("is scored as a gate criterion by own value only", () => {
    const a = analyzeTrajectory(records, {
      gate: { criteria: [{ metric: name, op: ">=", threshold: 100 }] },
    });
    expect(Object.keys(a.distance_by_criterion)).toEqual([name]);
    expect(ownValue(a.distance_by_criterion, name)).toBeGreaterThan(0);
    expect(Object.keys(a.success_probability.by_criterion)).toEqual([name]);
  });

  it("gets rule advice", async () => {
    const metrics = withEntries<{ goal: "maximize" }>({}, { [name]: { goal: "maximize" } });
    const meta = ExperimentMetaSchema.parse({ experiment_id: "exp_h", gate, metrics });
    const trajectory = analyzeTrajectory(records, { gate, metrics });
    const advice = await ruleAdvisor().advise({ records, trajectory, meta });
    expect(["CONTINUE", "PIVOT", "ABANDON"]).toContain(advice.assessment.next_action);
    expect(advice.assessment.key_findings).toContainEqual(
      expect.stringMatching(new RegExp(`^${name} \\(higher is better\\): `)),
    );
    // Without a stated goal the same metric is named once as informational, never judged.
    const plain = await ruleAdvisor().advise({
      records,
      trajectory: analyzeTrajectory(records, { gate }),
      meta: ExperimentMetaSchema.parse({ experiment_id: "exp_h", gate }),
    });
    const findings = plain.assessment.key_findings;
    expect(findings.some((f) => f.startsWith(`${name} (`))).toBe(false);
    expect(findings).toContainEqual(
      expect.stringContaining(`informational metrics (no goal, not judged): ${name} 4 → 20`),
    );
  });
});

describe("record order and duplicates", () => {
  const records: ExperimentRecord[] = [];
  for (let i = 1; i <= 12; i++) {
    records.push(record(i, { score: i < 6 ? 0.1 * i : 0.5 - 0.01 * i }, { k: i % 5 }));
  }
  const meta = ExperimentMetaSchema.parse({ experiment_id: "exp_h", gate, max_iterations: 20 });

  it("analyses records out of order as in order, without touching the caller's array", () => {
    const shuffled = [...records.slice(6), ...records.slice(0, 6).reverse()];
    const before = shuffled.map((r) => r.iteration);
    const options = { gate, maxIterations: 20 };
    expect(analyzeTrajectory(shuffled, options)).toEqual(analyzeTrajectory(records, options));
    expect(shuffled.map((r) => r.iteration)).toEqual(before);
  });

  it("gives the same advice for records out of order", async () => {
    const shuffled = records.slice().reverse();
    const trajectory = analyzeTrajectory(records, { gate, maxIterations: 20 });
    const inOrder = await ruleAdvisor().advise({ records, trajectory, meta });
    const reversed = await ruleAdvisor().advise({ records: shuffled, trajectory, meta });
    expect(reversed).toEqual(inOrder);
  });

  it("counts a duplicated iteration once: the first record given of it", () => {
    const passing = record(12, { score: 2 });
    const a = analyzeTrajectory([...records, passing], { gate });
    expect(a.total_iterations).toBe(12);
    expect(a.metric_history.score?.at(-1)).toBe(records[11]?.metrics.score);
    expect(a.distance_to_goal).toBeGreaterThan(0);
  });
});
