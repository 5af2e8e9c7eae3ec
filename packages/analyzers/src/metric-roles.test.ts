import { type ExperimentRecord, parseRecord } from "@converge/core";
import { describe, expect, it } from "vitest";
import { analyzeTrajectory } from "./analyze-trajectory.js";
import { assessWithRules } from "./rule-advisor.js";

const GATE = { criteria: [{ metric: "sharpe", op: ">=" as const, threshold: 2 }] };

/**
 * Ten iterations: sharpe (gated) rises, drawdown (given "minimize") falls,
 * trade_count (no goal) wanders down, periods_per_year (no goal) is constant.
 */
function records(extra: (i: number) => Record<string, number> = () => ({})): ExperimentRecord[] {
  return Array.from({ length: 10 }, (_, k) => {
    const i = k + 1;
    return parseRecord({
      experiment_id: "roles",
      iteration: i,
      metrics: {
        sharpe: 0.5 + 0.1 * i + (i % 2) * 0.01,
        drawdown: 0.4 - 0.02 * i,
        ...extra(i),
      },
      parameters: { size: 0.1 * i },
    });
  });
}

const context = (i: number) => ({ trade_count: 200 - 13 * i + (i % 3) * 7, periods_per_year: 252 });

describe("metric roles", () => {
  it("judges a metric with a stated goal and gives a goal-less one no direction and no verdict", () => {
    const t = analyzeTrajectory(records(context), {
      gate: GATE,
      metrics: { drawdown: "minimize" },
    });
    // Gated: its goal from the criterion (>=), a verdict.
    expect(t.metric_trends.sharpe).toMatchObject({
      role: "objective",
      goal: "maximize",
      status: "CONVERGING",
      constant: false,
    });
    expect(t.metric_trends.sharpe?.improvement_rate).toBeGreaterThan(0);
    // Given "minimize": a falling drawdown converges.
    expect(t.metric_trends.drawdown).toMatchObject({
      role: "objective",
      goal: "minimize",
      status: "CONVERGING",
    });
    // No goal stated: informational, raw statistics only.
    const trades = t.metric_trends.trade_count;
    expect(trades).toMatchObject({ role: "informational", goal: null, status: null });
    expect(trades?.improvement_rate).toBeNull();
    expect(trades?.theil_sen.slope).toBeLessThan(0); // the raw slope is still there
    expect(trades?.reason).toMatch(/^informational: no goal stated/);
    expect(t.metric_trends.periods_per_year).toMatchObject({
      role: "informational",
      goal: null,
      status: null,
      constant: true,
    });
  });

  it("takes a gated metric's goal from its criterion, and a maximize / minimize over the name's guess", () => {
    const t = analyzeTrajectory(records(context), {
      gate: { criteria: [{ metric: "trade_count", op: "<=", threshold: 50 }] },
      metrics: { periods_per_year: "maximize" },
    });
    expect(t.metric_trends.trade_count).toMatchObject({ role: "objective", goal: "minimize" });
    expect(t.metric_trends.trade_count?.status).not.toBeNull();
    // A constant objective keeps its verdict (no trend: STAGNANT) and is marked constant.
    expect(t.metric_trends.periods_per_year).toMatchObject({
      role: "objective",
      goal: "maximize",
      status: "STAGNANT",
      constant: true,
    });
    // Neither gated nor given a goal: informational even though its name suggests one.
    expect(t.metric_trends.drawdown).toMatchObject({ role: "informational", goal: null });
  });

  it("without a gate, the metric the score is is the objective and the others are informational", () => {
    const t = analyzeTrajectory(records(context), { metrics: { sharpe: "maximize" } });
    expect(t.score_trend.source).toBe("objective:sharpe");
    expect(t.metric_trends.sharpe?.role).toBe("objective");
    const bare = analyzeTrajectory(records());
    expect(bare.score_trend.source).toBe("objective:sharpe");
    expect(bare.metric_trends.sharpe).toMatchObject({ role: "objective", goal: "maximize" });
    expect(bare.metric_trends.drawdown).toMatchObject({ role: "informational", goal: null });
  });
});

describe("the rule advisor and informational metrics", () => {
  it("never judges an informational metric, and its course does not change the advice", () => {
    const options = { gate: GATE, metrics: { drawdown: "minimize" as const } };
    const plain = records();
    // trade_count collapses and oscillates wildly: as an objective it would be DIVERGING.
    // (Only trade_count: the overfitting guard reads periods_per_year, as context it is meant to.)
    const noisy = records((i) => ({ trade_count: 1000 / i + (i % 2) * 300 }));
    const a = assessWithRules(analyzeTrajectory(plain, options), plain);
    const b = assessWithRules(analyzeTrajectory(noisy, options), noisy);
    const judged = (findings: string[]) => findings.filter((f) => /^trade_count \(/.test(f));
    expect(judged(b.key_findings)).toEqual([]);
    expect(b.key_findings).toContainEqual(
      "informational metrics (no goal, not judged): trade_count 1300 → 100",
    );
    // Apart from that one line, the assessment is the one without those metrics.
    const withoutInfo = {
      ...b,
      key_findings: b.key_findings.filter((f) => !f.startsWith("informational metrics")),
    };
    expect(withoutInfo).toEqual(a);
    // The objectives are judged with their direction stated.
    expect(b.key_findings).toContainEqual(
      expect.stringMatching(/^drawdown \(lower is better\): \+[\d.]+ per iteration .*CONVERGING$/),
    );
    expect(b.key_findings).not.toContainEqual(
      expect.stringMatching(/STAGNANT|OSCILLATING|DIVERGING/),
    );
  });

  it("states the changes and the likelihood in the vocabulary's words", () => {
    const plain = records();
    const a = assessWithRules(analyzeTrajectory(plain, { gate: GATE }), plain);
    expect(a.reasoning).toMatch(/Parameter changes (EFFECTIVE|INEFFECTIVE|MIXED): /);
    expect(a.reasoning).toMatch(/gradient is (ASCENDING|DESCENDING|FLAT)/);
    expect(a.reasoning).toMatch(/Likelihood of success (HIGH|MEDIUM|LOW): /);
    expect(a.reasoning).not.toMatch(/Gradient (EFFECTIVE|INEFFECTIVE|MIXED)/);
    // The score's verdict is stated with its direction.
    expect(a.key_findings[1]).toMatch(
      /^(CONVERGING|DIVERGING|OSCILLATING|STAGNANT|INSUFFICIENT_DATA) \(gate score, higher is better\): /,
    );
  });
});

describe("docs/vocabulary.md's 'computed by'", () => {
  it("names functions that exist where it says", async () => {
    const { VOCABULARY } = await import("@converge/core");
    const core = (await import("@converge/core")) as Record<string, unknown>;
    for (const term of VOCABULARY) {
      const [, fn, pkg, file] =
        term.computedBy.match(/^`(\w+)` in packages\/([\w-]+)\/src\/([\w-]+)\.ts/) ?? [];
      expect(fn, term.id).toBeDefined();
      const module: Record<string, unknown> =
        pkg === "analyzers" ? await import(`./${file}.js`) : pkg === "core" ? core : {};
      expect(typeof module[fn as string], `${term.id}: ${fn} in ${pkg}/${file}`).toBe("function");
    }
  });
});
