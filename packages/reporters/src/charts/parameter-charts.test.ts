import type { ReportExperiment } from "@converge/core";
import { describe, expect, it } from "vitest";
import { syntheticExperiment } from "../bench/synthetic.js";
import { parameterImpactSpec, parameterScatterSpec } from "./parameter-charts.js";
import { renderSvg } from "./render-svg.js";
import { count, markGroups, sampleExperiment, schemaErrors } from "./test-fixtures/kit.js";

const dataOf = (spec: object) =>
  (spec as { data: { values: Record<string, unknown>[] } }).data.values;
const panelsOf = (spec: object) =>
  (spec as { concat: { data: { values: Record<string, unknown>[] } }[] }).concat;

describe("parameterImpactSpec", () => {
  it("draws a bar per parameter with ±1.96·stderr, most important first, coloured by direction", async () => {
    const spec = parameterImpactSpec(syntheticExperiment(30));
    expect(schemaErrors(spec)).toEqual([]);
    const rows = dataOf(spec);
    expect(rows.map((r) => r.parameter)).toEqual([
      "position_size",
      "signal (ema is best)",
      "rsi_threshold",
    ]);
    expect(rows[0]).toMatchObject({ impact: 0.8, direction: "increase" });
    expect(rows[0]?.lo).toBeCloseTo(0.8 - 1.96 * 0.2, 12);
    expect(rows[0]?.hi).toBeCloseTo(0.8 + 1.96 * 0.2, 12);
    expect(rows[2]).toMatchObject({ direction: "unclear" });

    const svg = await renderSvg(spec);
    const bars = markGroups(svg, "impact_marks")[0] ?? "";
    expect(count(bars, "<path")).toBe(3);
    expect(count(bars, 'fill="#0072B2"')).toBe(2);
    expect(count(bars, 'fill="#999999"')).toBe(1);
    expect(count(markGroups(svg, "impact_interval_marks")[0] ?? "", "<line")).toBe(3);
    expect(count(markGroups(svg, "zero_marks")[0] ?? "", "<line")).toBe(1);
    expect(svg).toContain(">signal (ema is best)</text>");
  });

  it("labels a categorical switch and leaves out parameters without an estimate", () => {
    const e = syntheticExperiment(20);
    const effects = {
      method: "ols",
      skipped: { nested: "nested value" },
      parameters: {
        signal: {
          kind: "categorical",
          impact: 0.1,
          stderr: null,
          importance: 0.2,
          changes: 2,
          direction: "INCREASE",
          current: "sma",
          best: "ema",
        },
        window: {
          kind: "numeric",
          impact: null,
          stderr: null,
          importance: null,
          changes: 0,
          direction: "UNCLEAR",
        },
      },
    };
    const spec = parameterImpactSpec({
      ...e,
      trajectory: { ...e.trajectory, parameter_effects: effects },
    } as ReportExperiment);
    expect(dataOf(spec)).toEqual([
      expect.objectContaining({ parameter: "signal: sma → ema", lo: 0.1, hi: 0.1 }),
    ]);
  });

  it("is an empty, valid chart without the analysis", async () => {
    const spec = parameterImpactSpec(sampleExperiment());
    expect(schemaErrors(spec)).toEqual([]);
    expect(dataOf(spec)).toEqual([]);
    const svg = await renderSvg(spec);
    expect(count(markGroups(svg, "impact_marks")[0] ?? "", "<path")).toBe(0);
  });
});

describe("parameterScatterSpec", () => {
  it("draws small multiples of the sample log's varying numeric parameters against the gate score", async () => {
    const spec = parameterScatterSpec(sampleExperiment());
    expect(schemaErrors(spec)).toEqual([]);
    expect(panelsOf(spec).map((p) => p.data.values[0]?.parameter)).toEqual([
      "position_size",
      "rsi_threshold",
      "stop_loss",
    ]);
    const svg = await renderSvg(spec);
    const cells = markGroups(svg, "parameter_\\d_marks");
    expect(cells).toHaveLength(3);
    for (const cell of cells) expect(count(cell, 'aria-roledescription="point"')).toBe(3);
    for (const name of ["position_size", "rsi_threshold", "stop_loss"])
      expect(svg).toContain(`>${name}</text>`);
  });

  it("draws one categorical parameter with its levels on the x axis", async () => {
    const spec = parameterScatterSpec(syntheticExperiment(30), "signal");
    expect(schemaErrors(spec)).toEqual([]);
    const svg = await renderSvg(spec);
    expect(count(svg, 'aria-roledescription="point"')).toBe(30);
    expect(svg).toContain(">sma</text>");
    expect(svg).toContain(">ema</text>");
    expect(svg).toContain(">signal vs gate score</text>");
  });

  it("samples long runs evenly but keeps the best score", () => {
    const e = syntheticExperiment(10_000, { analysis: false });
    const spec = parameterScatterSpec(e, undefined, { maxPoints: 500 });
    expect(schemaErrors(spec)).toEqual([]);
    const rows = panelsOf(spec).flatMap((p) => p.data.values);
    const best = e.records.reduce((b, r) => ((r.gate_score ?? 0) > (b.gate_score ?? 0) ? r : b));
    for (const p of ["position_size", "rsi_threshold"]) {
      const mine = rows.filter((r) => r.parameter === p);
      expect(mine.length).toBeLessThanOrEqual(500);
      expect(mine.length).toBeGreaterThan(450);
      expect(mine.map((r) => r.iteration)).toContain(best.iteration);
    }
    expect(JSON.stringify(spec)).toContain("at most 500 evenly spread iterations");
  });
});
