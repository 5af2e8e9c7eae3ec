import { describe, expect, it } from "vitest";
import { htmlReporter, markdownReporter } from "./reporters.js";
import { fakeChartEngine } from "./test-fixtures/fake-charts.js";
import { sampleExperiment } from "./test-fixtures/sample.js";

const chartEngine = fakeChartEngine();

describe("htmlReporter", () => {
  it("is a v1 Reporter that renders the HTML report", async () => {
    const reporter = htmlReporter({ chartEngine });
    expect(reporter.specificationVersion).toBe("v1");
    expect(reporter.name).toBe("html");
    expect(htmlReporter({ interactive: true }).name).toBe("html-interactive");
    const out = await reporter.render({ experiments: [sampleExperiment()] });
    expect(out.contentType).toBe("text/html; charset=utf-8");
    expect(out.body).toMatch(/^<!doctype html>/);
    expect(out.body).toContain("exp_20260118_143022");
    expect(out.attachments).toBeUndefined();
  });
});

describe("markdownReporter", () => {
  it("returns the document and the charts it links as attachments", async () => {
    const reporter = markdownReporter({ chartEngine, chartDir: "report-charts" });
    expect(reporter.specificationVersion).toBe("v1");
    expect(reporter.name).toBe("markdown");
    const out = await reporter.render({ experiments: [sampleExperiment()] });
    expect(out.contentType).toBe("text/markdown; charset=utf-8");
    const paths = Object.keys(out.attachments ?? {});
    expect(paths).toEqual(["report-charts/gate-score.svg", "report-charts/metrics.svg"]);
    for (const path of paths) expect(out.body).toContain(`](${path})`);
  });
});
