import { describe, expect, it } from "vitest";
import { sampleExperiment } from "../charts/test-fixtures/kit.js";
import { benchCharts } from "./charts.js";

describe("benchCharts", () => {
  it("renders every chart of a generated experiment and reports time and sizes", async () => {
    const r = await benchCharts(100);
    expect(r).toMatchObject({ iterations: 100, charts: 5 });
    expect(r.ms).toBeGreaterThan(0);
    expect(r.svgBytes).toBeGreaterThan(20_000);
    expect(r.specBytes).toBeGreaterThan(5_000);
  });

  it("charts a given experiment instead", async () => {
    const r = await benchCharts(0, sampleExperiment());
    expect(r).toMatchObject({ iterations: 3, charts: 4 });
  });
});
