import { ExperimentMetaSchema, parseRecord, type ReportExperiment } from "@converge/core";
import { describe, expect, it } from "vitest";
import { syntheticExperiment } from "../bench/synthetic.js";
import { gateScoreSpec } from "./gate-score.js";
import { renderSvg } from "./render-svg.js";
import {
  count,
  lineVertexCounts,
  markGroups,
  sampleExperiment,
  schemaErrors,
} from "./test-fixtures/kit.js";

type Layers = { name?: string; data?: { values?: Record<string, unknown>[] } }[];
const layer = (spec: object, name: string) =>
  ((spec as { layer: Layers }).layer ?? []).find((l) => l.name === name);

/**
 * A synthetic experiment whose analysis says `estimate` (low–high) more
 * iterations; without `stated`, as an older analysis did: no level, no horizon.
 */
function withEta(
  n: number,
  estimate: number | null,
  low: number | null,
  high: number | null,
  stated: { level: number; horizon: number } | Record<string, never> = {},
) {
  const e = syntheticExperiment(n);
  const trajectory = {
    ...e.trajectory,
    iterations_to_success: { estimate, low, high, model: "linear", reason: "test", ...stated },
  };
  return { ...e, trajectory } as ReportExperiment;
}

describe("gateScoreSpec", () => {
  it("draws the sample log's scores, best so far and the pass line without any analysis", async () => {
    const spec = gateScoreSpec(sampleExperiment());
    expect(schemaErrors(spec)).toEqual([]);
    const svg = await renderSvg(spec);
    const score = markGroups(svg, "gate_score_marks");
    expect(score).toHaveLength(1);
    expect(lineVertexCounts(score[0] as string)).toEqual([3]);
    expect(markGroups(svg, "best_so_far_marks")).toHaveLength(1);
    // One marker per iteration on a short series.
    expect(count(svg, 'aria-roledescription="point"')).toBe(3);
    const pass = markGroups(svg, "pass_line_marks");
    expect(count(pass[0] ?? "", "<line")).toBe(1);
    expect(svg).toContain(">pass</text>");
    // No analysis: no projection, no change point.
    expect(markGroups(svg, "eta_marks")).toHaveLength(0);
    expect(markGroups(svg, "change_points_marks")).toHaveLength(0);
    expect(svg).not.toContain("ETA projection");
    expect(JSON.stringify(spec)).toContain("best 0.92 at iteration 3");
  });

  it("projects to the goal with a shaded range and marks change points from the analysis", async () => {
    const e = withEta(40, 6, 4, 9);
    const spec = gateScoreSpec(e);
    expect(schemaErrors(spec)).toEqual([]);
    const eta = layer(spec, "eta")?.data?.values ?? [];
    const last = e.records.at(-1);
    expect(eta).toEqual([
      { iteration: 40, value: last?.gate_score },
      { iteration: 46, value: 1 },
    ]);
    const range = layer(spec, "eta_range")?.data?.values ?? [];
    expect(range.map((r) => r.iteration)).toEqual([40, 44, 49]);
    // The optimistic edge reaches the goal at low, the pessimistic one at high.
    expect(range[1]?.hi).toBe(1);
    expect(range[2]).toMatchObject({ lo: 1, hi: 1 });

    const svg = await renderSvg(spec);
    expect(markGroups(svg, "eta_marks")).toHaveLength(1);
    expect(count(markGroups(svg, "eta_range_marks")[0] ?? "", "<path")).toBe(1);
    expect(count(markGroups(svg, "change_points_marks")[0] ?? "", "<line")).toBe(1);
    expect(svg).toContain("ETA projection");
    expect(svg).toContain("change point");
    expect(svg).toContain("ETA ≈ 6 more iterations (4–9)");
  });

  it("states the range's level when the analysis gives one: the estimate is then a median", () => {
    const spec = gateScoreSpec(withEta(40, 6, 4, 9, { level: 0.8, horizon: 50 }));
    expect(spec.title).toMatchObject({
      subtitle: expect.stringContaining("ETA median 6 more iterations (80% range 4–9)"),
    });
    expect(spec.description).toContain("ETA median 6 more iterations (80% range 4–9).");
  });

  it("cuts a far projection at the chart's horizon and says so", () => {
    const spec = gateScoreSpec(withEta(12, 500, 300, null));
    const eta = layer(spec, "eta")?.data?.values ?? [];
    expect(eta[1]?.iteration).toBe(12 + 11);
    expect(eta[1]?.value as number).toBeLessThan(1);
    // No pessimistic end: no range to shade.
    expect(layer(spec, "eta_range")).toBeUndefined();
    expect(JSON.stringify(spec)).toContain("beyond the chart");
  });

  it("draws no projection at the goal or when the analysis is about another score", () => {
    const atGoal = gateScoreSpec(withEta(20, 0, 0, 0));
    expect(layer(atGoal, "eta")).toBeUndefined();
    expect(JSON.stringify(atGoal)).toContain("at the goal");

    const e = withEta(20, 5, 3, 8);
    const objective = {
      ...e,
      trajectory: { ...e.trajectory, score_trend: { source: "objective:sharpe_ratio" } },
    } as ReportExperiment;
    expect(layer(gateScoreSpec(objective), "eta")).toBeUndefined();
  });

  it("scores records logged without a gate score with the experiment's gate", async () => {
    const meta = ExperimentMetaSchema.parse({
      experiment_id: "unscored",
      gate: { criteria: [{ metric: "accuracy", op: ">=", threshold: 0.9 }] },
    });
    const records = [0.45, 0.9].map((accuracy, i) =>
      parseRecord({ experiment_id: "unscored", iteration: i + 1, metrics: { accuracy } }),
    );
    const spec = gateScoreSpec({ meta, records });
    expect(layer(spec, "gate_score")?.data?.values).toEqual([
      { iteration: 1, value: 0.5 },
      { iteration: 2, value: 1 },
    ]);
    const svg = await renderSvg(spec);
    expect(lineVertexCounts(markGroups(svg, "gate_score_marks")[0] ?? "")).toEqual([2]);
  });
});

describe("gateScoreSpec on a very long run", () => {
  it("finds the best score of 300,000 iterations without spreading them into a call", () => {
    const id = "exp_long";
    const base = parseRecord({ experiment_id: id, iteration: 1, metrics: {}, parameters: {} });
    const n = 300_000;
    const records = Array.from({ length: n }, (_, i) => ({
      ...base,
      iteration: i + 1,
      gate_score: i === 123_456 ? 0.99 : (i % 1000) / 2000,
    }));
    const meta = ExperimentMetaSchema.parse({ experiment_id: id });
    const spec = gateScoreSpec({ meta, records });
    expect(spec.description).toContain("best 0.99 at iteration 123457");
  });
});
