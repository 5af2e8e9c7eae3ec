import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateExperiment } from "../bench/generate.js";
import { fakeChartEngine } from "../test-fixtures/fake-charts.js";
import { hostileExperiment, PAYLOADS } from "../test-fixtures/hostile.js";
import { sampleExperiment } from "../test-fixtures/sample.js";
import { renderMarkdownReport } from "./render.js";
import { writeMarkdownReport } from "./write.js";

const engine = fakeChartEngine();
const at = new Date("2026-01-18T15:00:00Z");

function tableRows(markdown: string, header: string): string[] {
  const start = markdown.indexOf(header);
  if (start < 0) throw new Error(`no table starting ${header}`);
  const lines = markdown.slice(start).split("\n");
  const end = lines.findIndex((l) => !l.startsWith("|"));
  return lines.slice(2, end < 0 ? undefined : end);
}

describe("renderMarkdownReport on the Python logger's sample log", () => {
  it("has the summary, key numbers, assessment, charts and the iteration table", async () => {
    const { markdown, files } = await renderMarkdownReport(sampleExperiment(), {
      chartEngine: engine,
      chartDir: "seed-charts",
      generatedAt: at,
    });
    expect(markdown).toMatch(/^# Build an AAPL momentum strategy/);
    expect(markdown).toContain("_Converge report · generated 2026-01-18 15:00 UTC_");
    expect(markdown).toContain("Experiment `exp_20260118_143022` · **SUCCESS**");
    expect(markdown).toContain("Passed the quality gate at iteration 3 (3 iterations in all).");
    expect(markdown).toContain("| Best iteration | 3 (gate score 0.92) |");
    expect(markdown).toContain("| Compute time | 2 min 13 s |");
    expect(markdown).toContain("> **Next action: CONTINUE** · confidence 90%");
    expect(markdown).toContain("(source: llm:openai/gpt-4.1)");
    expect(markdown).toContain("![Gate score](seed-charts/gate-score.svg)");
    expect(Object.keys(files)).toEqual(["seed-charts/gate-score.svg", "seed-charts/metrics.svg"]);
    for (const svg of Object.values(files)) expect(svg).toMatch(/^<svg[^>]*xmlns=/);

    const rows = tableRows(markdown, "| # |");
    expect(rows).toHaveLength(3);
    expect(rows[0]).toBe(
      "| 1 | 0.1 | 70 | 0.15 | 0.75 ✗ | 0.22 ✗ | 0.48 ✗ | 0.65 | TUNE\\_PARAMETERS | $0 |",
    );
    expect(rows[1]).toContain("| **0.15** |");
    expect(rows[2]).toMatch(
      /^\| ★ 3 ✓ \| \*\*0\.2\*\* \| \*\*75\*\* \| \*\*0\.12\*\* \| 1\.05 \| 0\.18 \| 0\.52 \|/,
    );
  });
});

describe("escaping", () => {
  it("keeps hostile strings as text: no HTML, no link, no broken table row", async () => {
    const report = await renderMarkdownReport(hostileExperiment(), { chartEngine: engine });
    // The strategy code is a fenced block: literal there (no HTML is parsed inside it),
    // and its fence is longer than any backtick run, so the code cannot close it early.
    const fenced = /\n(`{3,})diff\n[\s\S]*?\n\1(?=\n|$)/;
    expect(report.markdown).toMatch(fenced);
    const markdown = report.markdown.replace(fenced, "\n[code]");
    expect(markdown).not.toMatch(/<(img|script|svg|style)/i);
    expect(markdown).not.toMatch(/\]\(javascript:/i);
    expect(markdown).toContain('&lt;img src=x onerror="window.\\_\\_pwned=1"&gt;');
    const rows = tableRows(markdown, "| # |");
    expect(rows).toHaveLength(2);
    const columns = (line: string) => line.replace(/\\\|/g, "").split("|").length;
    const header = markdown.split("\n").find((l) => l.startsWith("| # |")) as string;
    for (const row of rows) expect(columns(row)).toBe(columns(header));
    expect(markdown).not.toContain("\u2028");
    expect(markdown).toContain(`line<br>sep<br>end`);
    expect(PAYLOADS.separator).toContain("\u2028");
  });
});

describe("large and multi-experiment reports", () => {
  it("a long run shows a compact selection of rows with the gaps marked", async () => {
    const { markdown } = await renderMarkdownReport(generateExperiment({ iterations: 300 }), {
      chartEngine: engine,
      maxRows: 12,
    });
    const rows = tableRows(markdown, "| # |");
    expect(rows.length).toBeLessThanOrEqual(15);
    expect(rows.some((r) => /^\| ⋮ \| _\d+ iterations not shown_/.test(r))).toBe(true);
    expect(rows.at(-1)).toMatch(/^\| (★ )?300/);
  });

  it("several experiments get a comparison table and charts", async () => {
    const { markdown, files } = await renderMarkdownReport(
      [sampleExperiment(), generateExperiment({ iterations: 20 })],
      { chartEngine: engine },
    );
    expect(markdown).toContain("## Comparison of 2 experiments");
    expect(tableRows(markdown, "| Experiment |")).toHaveLength(2);
    expect(Object.keys(files)).toContain("charts/comparison-comparison.svg");
    expect(Object.keys(files)).toContain("charts/e2-gate-score.svg");
  });
});

describe("charts that cannot be drawn, and charts left out", () => {
  it("says a chart that cannot be drawn in the report and once through onWarning", async () => {
    const warnings: string[] = [];
    const { markdown, files } = await renderMarkdownReport(sampleExperiment(), {
      chartEngine: fakeChartEngine({ failing: true }),
      onWarning: (m) => warnings.push(m),
    });
    expect(markdown).toContain("_The chart “Broken” could not be drawn:");
    expect(Object.keys(files)).toEqual(["charts/gate-score.svg", "charts/metrics.svg"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^experiment exp_20260118_143022: the chart “Broken” could not be drawn: \S/,
    );
  });

  it("warns when the chart list itself fails, for an experiment and for the comparison", async () => {
    const warnings: string[] = [];
    const fail = (what: string) => () => {
      throw new Error(`${what} broke`);
    };
    const { markdown } = await renderMarkdownReport(
      [sampleExperiment(), generateExperiment({ iterations: 5 })],
      {
        chartEngine: { ...engine, chartsFor: fail("list"), comparisonCharts: fail("comparison") },
        onWarning: (m) => warnings.push(m),
      },
    );
    expect(markdown).toContain("_The charts could not be built: list broke_");
    expect(warnings).toEqual([
      "the comparison of 2 experiments: the charts could not be built: comparison broke",
      "experiment exp_20260118_143022: the charts could not be built: list broke",
      expect.stringMatching(/^experiment \S+: the charts could not be built: list broke$/),
    ]);
  });

  it('charts: "omit" draws nothing and leaves a one-line note per charts section', async () => {
    let drawn = 0;
    const { markdown, files } = await renderMarkdownReport(sampleExperiment(), {
      chartEngine: {
        ...engine,
        renderSvg: async (spec) => {
          drawn++;
          return engine.renderSvg(spec);
        },
      },
      charts: "omit",
    });
    expect(drawn).toBe(0);
    expect(files).toEqual({});
    expect(markdown).not.toContain("![");
    expect(markdown).toContain(
      "## Charts\n\n_2 charts (“Gate score”, “Metrics”) are not included: charts are SVG files written beside the Markdown file, so they need a file output (e.g. `-o report.md`)._",
    );
  });
});

describe("writeMarkdownReport", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "converge-md-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the document and its SVGs beside it in <name>-charts/", async () => {
    const path = join(dir, "review.md");
    const written = await writeMarkdownReport(sampleExperiment(), path, { chartEngine: engine });
    expect(written.at(-1)).toBe(path);
    const markdown = await readFile(path, "utf8");
    expect(markdown).toContain("![Gate score](review-charts/gate-score.svg)");
    expect((await readdir(join(dir, "review-charts"))).sort()).toEqual([
      "gate-score.svg",
      "metrics.svg",
    ]);
    expect(await readFile(join(dir, "review-charts", "gate-score.svg"), "utf8")).toMatch(/^<svg/);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
