import { describe, expect, it } from "vitest";
import { syntheticExperiment } from "../bench/synthetic.js";
import { comparisonSpec } from "./comparison.js";
import { renderSvg } from "./render-svg.js";
import {
  count,
  lineVertexCounts,
  markGroups,
  sampleExperiment,
  schemaErrors,
} from "./test-fixtures/kit.js";

type Row = { experiment: string; iteration: number; value: number | null };
const rows = (spec: object) =>
  (spec as { layer: { data: { values: Row[] } }[] }).layer[0]?.data.values ?? [];

describe("comparisonSpec", () => {
  it("puts each experiment's gate score on one chart, coloured by experiment id", async () => {
    const a = syntheticExperiment(25, { experimentId: "run-a" });
    const b = syntheticExperiment(40, { experimentId: "run-b", seed: 2 });
    const spec = comparisonSpec([sampleExperiment(), a, b]);
    expect(schemaErrors(spec)).toEqual([]);
    expect(rows(spec).filter((r) => r.experiment === "exp_20260118_143022")).toHaveLength(3);
    const svg = await renderSvg(spec);
    const lines = markGroups(svg, "series_marks").flatMap(lineVertexCounts);
    expect(lines.sort((x, y) => x - y)).toEqual([3, 25, 40]);
    expect(count(markGroups(svg, "pass_line_marks")[0] ?? "", "<line")).toBe(1);
    for (const id of ["exp_20260118_143022", "run-a", "run-b"])
      expect(svg).toContain(`>${id}</text>`);
    // Three distinct colours from the palette.
    const strokes = new Set(
      markGroups(svg, "series_marks").flatMap((g) =>
        [...g.matchAll(/stroke="(#[0-9A-Fa-f]{6})"/g)].map((m) => m[1]),
      ),
    );
    expect(strokes.size).toBe(3);
  });

  it("compares a chosen metric with its direction, keeping two runs of one id apart", async () => {
    const seed = sampleExperiment();
    const spec = comparisonSpec([seed, seed], { metric: "max_drawdown" });
    expect(schemaErrors(spec)).toEqual([]);
    expect(spec.title).toEqual({ text: "max_drawdown by experiment (lower is better)" });
    expect([...new Set(rows(spec).map((r) => r.experiment))]).toEqual([
      "exp_20260118_143022",
      "exp_20260118_143022 (2)",
    ]);
    const svg = await renderSvg(spec);
    expect(markGroups(svg, "pass_line_marks")).toHaveLength(0);
  });

  it("downsamples each long series on its own", () => {
    const spec = comparisonSpec([
      syntheticExperiment(6000, { experimentId: "long", analysis: false }),
      syntheticExperiment(50, { experimentId: "short", analysis: false }),
    ]);
    const r = rows(spec);
    expect(r.filter((x) => x.experiment === "long").length).toBeLessThanOrEqual(2000);
    expect(r.filter((x) => x.experiment === "short")).toHaveLength(50);
  });
});
