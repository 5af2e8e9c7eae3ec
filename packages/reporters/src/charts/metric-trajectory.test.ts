import { ExperimentMetaSchema, parseRecord, type ReportExperiment } from "@converge/core";
import { describe, expect, it } from "vitest";
import { syntheticExperiment } from "../bench/synthetic.js";
import { chartsFor } from "./charts-for.js";
import { metricTrajectorySpec } from "./metric-trajectory.js";
import { renderSvg } from "./render-svg.js";
import {
  count,
  lineVertexCounts,
  lineVertices,
  markGroups,
  sampleExperiment,
  schemaErrors,
} from "./test-fixtures/kit.js";

type Panel = {
  title: { text: string };
  layer: { name: string; data: { values: Record<string, unknown>[] } }[];
};
const panels = (spec: object) => (spec as { concat: Panel[] }).concat;
const values = (p: Panel | undefined, suffix: string) =>
  p?.layer.find((l) => l.name.endsWith(suffix))?.data.values ?? [];

describe("metricTrajectorySpec", () => {
  it("draws one panel per metric of the sample log, with the gate's threshold and the direction", async () => {
    const spec = metricTrajectorySpec(sampleExperiment());
    expect(schemaErrors(spec)).toEqual([]);
    expect(panels(spec).map((p) => p.title.text)).toEqual([
      "sharpe_ratio (higher is better)",
      "max_drawdown (lower is better)",
      "win_rate (higher is better)",
    ]);
    // Best so far follows the goal: the running minimum of the drawdown.
    expect(values(panels(spec)[1], "_best").map((r) => r.value)).toEqual([0.22, 0.2, 0.18]);

    const svg = await renderSvg(spec);
    for (const i of [0, 1, 2]) {
      expect(lineVertexCounts(markGroups(svg, `m${i}_value_marks`)[0] ?? "")).toEqual([3]);
      expect(markGroups(svg, `m${i}_best_marks`)).toHaveLength(1);
      expect(count(markGroups(svg, `m${i}_threshold_marks`)[0] ?? "", "<line")).toBe(1);
    }
    expect(svg).toContain("max_drawdown (lower is better)</text>");
    expect(svg).toContain(">gate ≤ 0.2</text>");
    expect(svg).toContain(">gate ≥ 1</text>");
    // 3 metrics × 3 iterations of markers; no change points without an analysis.
    expect(count(svg, 'aria-roledescription="point"')).toBe(9);
    expect(svg).not.toContain("change point");
  });

  it("draws both ends of a between criterion and the analysis' change points", async () => {
    const spec = metricTrajectorySpec(syntheticExperiment(30));
    expect(schemaErrors(spec)).toEqual([]);
    const svg = await renderSvg(spec);
    const winRate = panels(spec).findIndex((p) => p.title.text.startsWith("win_rate"));
    expect(count(markGroups(svg, `m${winRate}_threshold_marks`)[0] ?? "", "<line")).toBe(2);
    expect(svg).toContain(">gate ≥ 0.5</text>");
    expect(svg).toContain(">gate ≤ 0.7</text>");
    for (let i = 0; i < 3; i++)
      expect(count(markGroups(svg, `m${i}_change_marks`)[0] ?? "", "<line")).toBe(1);
    expect(svg).toContain("max_drawdown (%, lower is better)");
  });

  it("takes directions from meta.metrics (and the gate); a metric without a goal is informational, with no best-so-far line", () => {
    const meta = ExperimentMetaSchema.parse({
      experiment_id: "directions",
      metrics: { loss_recovered: { goal: "maximize", threshold: 0.8 } },
      gate: { criteria: [{ metric: "latency_ms", op: "<=", threshold: 50 }] },
    });
    const records = [1, 2, 3].map((i) =>
      parseRecord({
        experiment_id: "directions",
        iteration: i,
        metrics: { loss_recovered: 0.1 * i, latency_ms: 100 - i, accuracy: 0.5 + i / 10 },
      }),
    );
    const spec = metricTrajectorySpec({ meta, records });
    // Gated metrics first; the name "loss_recovered" does not override its spec.
    expect(panels(spec).map((p) => p.title.text)).toEqual([
      "latency_ms (lower is better)",
      "loss_recovered (higher is better)",
      "accuracy (informational)",
    ]);
    expect(values(panels(spec)[1], "_threshold")).toEqual([{ y: 0.8, text: "target 0.8" }]);
    expect(values(panels(spec)[0], "_best").map((r) => r.value)).toEqual([99, 98, 97]);
    // No goal, no "best": an informational metric's panel has its values only.
    expect(values(panels(spec)[2], "_best")).toEqual([]);
    expect(values(panels(spec)[2], "_value")).toHaveLength(3);
    expect(metricTrajectorySpec({ meta, records }, { metrics: ["accuracy"] })).toMatchObject({
      concat: [{ title: { text: "accuracy (informational)" } }],
    });
  });

  it("draws at most 2,000 points per series of a 10,000-iteration run and keeps its extremes", async () => {
    const e = syntheticExperiment(10_000, { analysis: false });
    // A spike and a dip that LTTB could lose among 5 neighbours a bucket.
    const records = e.records.map((r) =>
      r.iteration === 4321
        ? { ...r, metrics: { ...r.metrics, sharpe_ratio: 40 } }
        : r.iteration === 8765
          ? { ...r, metrics: { ...r.metrics, sharpe_ratio: -40 } }
          : r,
    );
    const experiment: ReportExperiment = { ...e, records };
    const spec = metricTrajectorySpec(experiment);
    expect(schemaErrors(spec)).toEqual([]);
    const sharpe = values(panels(spec)[0], "_value");
    expect(sharpe.length).toBeLessThanOrEqual(2000);
    expect(sharpe).toContainEqual({ iteration: 4321, value: 40 });
    expect(sharpe).toContainEqual({ iteration: 8765, value: -40 });
    // The best-so-far staircase needs only its steps: it stops at the spike.
    const steps = values(panels(spec)[0], "_best");
    expect(steps.at(-2)).toEqual({ iteration: 4321, value: 40 });
    expect(steps.at(-1)).toEqual({ iteration: 10_000, value: 40 });

    const svg = await renderSvg(spec);
    for (let i = 0; i < 3; i++) {
      const [n] = lineVertexCounts(markGroups(svg, `m${i}_value_marks`)[0] ?? "");
      expect(n).toBeGreaterThan(1500);
      expect(n).toBeLessThanOrEqual(2000);
    }
    // The spike reaches the top of the plot (y = 0) and the dip its bottom (y = 160).
    const ys = lineVertices(markGroups(svg, "m0_value_marks")[0] ?? "").map(([, y]) => y);
    expect(Math.min(...ys)).toBeLessThan(1);
    expect(Math.max(...ys)).toBeGreaterThan(159);
    expect(svg.length).toBeLessThan(250_000);
    expect(JSON.stringify(spec)).toContain("downsampled, extremes kept");
  });

  it("labels a constant series and plain values without trailing zeros", async () => {
    const meta = ExperimentMetaSchema.parse({ experiment_id: "constant" });
    const records = [1, 2, 3].map((i) =>
      parseRecord({
        experiment_id: "constant",
        iteration: i,
        metrics: { num_observations: 755, periods_per_year: 252, ratio: 0.25 * i },
      }),
    );
    // Named, so drawn: by default a constant metric is listed, not charted (next test).
    const metrics = ["num_observations", "periods_per_year", "ratio"];
    const svg = await renderSvg(metricTrajectorySpec({ meta, records }, { metrics }));
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] as string);
    expect(labels).toContain("755");
    expect(labels).toContain("252");
    expect(labels).toContain("0.5");
    expect(labels.filter((l) => /^[−-]?[\d,]*\.\d*0$/.test(l))).toEqual([]);
  });

  it("leaves out a constant metric no criterion tests, and says so", async () => {
    const meta = ExperimentMetaSchema.parse({
      experiment_id: "constant",
      gate: { criteria: [{ metric: "fixed_gated", op: ">=", threshold: 1 }] },
    });
    const records = [1, 2, 3].map((i) =>
      parseRecord({
        experiment_id: "constant",
        iteration: i,
        metrics: { periods_per_year: 252, fixed_gated: 2, ratio: 0.25 * i },
      }),
    );
    const spec = metricTrajectorySpec({ meta, records });
    const titles = JSON.stringify((spec as { concat: unknown[] }).concat);
    expect(titles).toContain("ratio");
    expect(titles).toContain("fixed_gated"); // gated: its threshold is worth a panel
    expect(titles).not.toContain("periods_per_year");
    expect(spec.description).toContain(
      "1 metric has one value in every iteration and is listed, not drawn.",
    );
    const onlyConstant = records.map((r) => ({ ...r, metrics: { periods_per_year: 252 } }));
    expect(
      chartsFor({ meta: { ...meta, gate: null }, records: onlyConstant }).map((c) => c.id),
    ).not.toContain("metric-trajectories");
  });

  it("labels huge and tiny values in exponent form", async () => {
    const meta = ExperimentMetaSchema.parse({ experiment_id: "scales" });
    const records = [1, 2, 3].map((i) =>
      parseRecord({
        experiment_id: "scales",
        iteration: i,
        metrics: { energy: i * 1e21, leak: i * 1e-7, accuracy: i / 10 },
      }),
    );
    const svg = await renderSvg(metricTrajectorySpec({ meta, records }));
    expect(svg).toMatch(/>\d(\.\d+)?e\+21<\/text>/);
    expect(svg).toMatch(/>\d(\.\d+)?e-7<\/text>/);
    expect(svg).not.toContain("000,000,000");
    expect(svg).toContain(">0.2</text>");
  });

  it("downsamples a best-so-far staircase that steps at every iteration", () => {
    const meta = ExperimentMetaSchema.parse({
      experiment_id: "monotone",
      metrics: { accuracy: { goal: "maximize" } },
    });
    const records = Array.from({ length: 5000 }, (_, i) =>
      parseRecord({ experiment_id: "monotone", iteration: i + 1, metrics: { accuracy: i } }),
    );
    const best = values(panels(metricTrajectorySpec({ meta, records }))[0], "_best");
    expect(best.length).toBeLessThanOrEqual(2000);
    expect(best[0]).toEqual({ iteration: 1, value: 0 });
    expect(best.at(-1)).toEqual({ iteration: 5000, value: 4999 });
  });
});
