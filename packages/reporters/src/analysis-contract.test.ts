import { describe, expect, it } from "vitest";
import { renderMarkdownReport } from "./markdown/render.js";
import { reportTrajectory } from "./report-data.js";
import { fakeChartEngine } from "./test-fixtures/fake-charts.js";
import { sampleExperiment } from "./test-fixtures/sample.js";

/** The sample experiment's analysis as an older or foreign producer might write it. */
function olderAnalysis() {
  const experiment = sampleExperiment();
  const t = { ...(experiment.trajectory as unknown as Record<string, unknown>) };
  delete t.success_probability;
  delete t.overfitting;
  delete t.analysis_version;
  const eta = { ...(t.iterations_to_success as Record<string, unknown>) };
  delete eta.level;
  delete eta.horizon;
  t.iterations_to_success = eta;
  t.parameter_effects = { parameters: {}, method: "bayesian" };
  return { ...experiment, trajectory: t as never };
}

describe("a report on an analysis without its optional fields", () => {
  it("reads what is there and leaves the rest out", () => {
    const t = reportTrajectory(olderAnalysis());
    expect(t.success_probability).toBeUndefined();
    expect(t.iterations_to_success?.level).toBeUndefined();
    expect(t.iterations_to_success?.horizon).toBeUndefined();
    expect(t.parameter_effects?.method).toBeNull();
    expect(t.score_trend).toBeDefined();
  });

  it("still renders", async () => {
    const { markdown } = await renderMarkdownReport(olderAnalysis(), {
      chartEngine: fakeChartEngine(),
    });
    expect(markdown.length).toBeGreaterThan(0);
    expect(markdown).not.toMatch(/undefined|NaN/);
  });
});
