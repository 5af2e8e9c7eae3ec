import { evaluateGate } from "@converge/core";
import { describe, expect, it } from "vitest";
import { SYNTHETIC_GATE, syntheticExperiment } from "../bench/synthetic.js";
import { distanceToGoalSpec } from "./distance-to-goal.js";
import { renderSvg } from "./render-svg.js";
import {
  count,
  lineVertexCounts,
  markGroups,
  SAMPLE_GATE,
  sampleExperiment,
  schemaErrors,
} from "./test-fixtures/kit.js";

type Row = { iteration: number; value: number | null; criterion: string };
const rows = (spec: object) =>
  (spec as { layer: { data: { values: Row[] } }[] }).layer[0]?.data.values ?? [];

describe("distanceToGoalSpec", () => {
  it("computes each criterion's distance per record with the gate, one line per criterion", async () => {
    const e = sampleExperiment();
    const spec = distanceToGoalSpec(e);
    expect(schemaErrors(spec)).toEqual([]);
    const expected = e.records.flatMap((r) =>
      evaluateGate(r.metrics, SAMPLE_GATE).criteria.map((c) => ({
        iteration: r.iteration,
        value: c.distance,
        criterion: c.metric,
      })),
    );
    const byCriterion = (xs: Row[]) =>
      [...xs].sort((a, b) => a.criterion.localeCompare(b.criterion) || a.iteration - b.iteration);
    expect(byCriterion(rows(spec))).toEqual(byCriterion(expected));
    // Iteration 1's drawdown 0.22 is 0.02 over 0.2: distance 0.1.
    const drawdown = rows(spec).find((r) => r.iteration === 1 && r.criterion === "max_drawdown");
    expect(drawdown?.value).toBeCloseTo(0.1, 12);

    const svg = await renderSvg(spec);
    // One group (and path) per criterion.
    expect(markGroups(svg, "distance_marks").flatMap(lineVertexCounts)).toEqual([3, 3, 3]);
    for (const name of ["sharpe_ratio", "max_drawdown", "win_rate"])
      expect(svg).toContain(`>${name}</text>`);
  });

  it("names a metric tested twice by its criterion, and downsamples long runs", async () => {
    const e = syntheticExperiment(5000);
    const gate = {
      criteria: [...SYNTHETIC_GATE.criteria, { metric: "sharpe_ratio", op: "<=", threshold: 3 }],
    };
    const spec = distanceToGoalSpec({ ...e, meta: { ...e.meta, gate: gate as never } });
    expect(schemaErrors(spec)).toEqual([]);
    const names = [...new Set(rows(spec).map((r) => r.criterion))];
    expect(names).toEqual(["sharpe_ratio >= 1.5", "max_drawdown", "win_rate", "sharpe_ratio <= 3"]);
    const svg = await renderSvg(spec);
    const counts = markGroups(svg, "distance_marks").flatMap(lineVertexCounts);
    expect(counts).toHaveLength(4);
    for (const n of counts) expect(n).toBeLessThanOrEqual(2000);
    expect(count(markGroups(svg, "change_points_marks")[0] ?? "", "<line")).toBe(1);
  });

  it("has no lines without a gate", () => {
    const e = sampleExperiment();
    const spec = distanceToGoalSpec({ ...e, meta: { ...e.meta, gate: null } });
    expect(schemaErrors(spec)).toEqual([]);
    expect(rows(spec)).toEqual([]);
  });
});
