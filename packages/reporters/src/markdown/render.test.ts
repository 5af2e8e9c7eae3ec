import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateExperiment } from "../bench/generate.js";
import { fakeChartEngine } from "../test-fixtures/fake-charts.js";
import { hostileExperiment, PAYLOADS } from "../test-fixtures/hostile.js";
import { seedExperiment } from "../test-fixtures/seed.js";
import { renderMarkdownReport, writeMarkdownReport } from "./render.js";

const engine = fakeChartEngine();
const at = new Date("2026-01-18T15:00:00Z");

function tableRows(markdown: string, header: string): string[] {
  const start = markdown.indexOf(header);
  if (start < 0) throw new Error(`no table starting ${header}`);
  const lines = markdown.slice(start).split("\n");
  const end = lines.findIndex((l) => !l.startsWith("|"));
  return lines.slice(2, end < 0 ? undefined : end);
}

describe("renderMarkdownReport on the seed's sample log", () => {
  it("has the summary, key numbers, assessment, charts and the iteration table", async () => {
    const { markdown, files } = await renderMarkdownReport(seedExperiment(), {
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
    const { markdown } = await renderMarkdownReport(hostileExperiment(), { chartEngine: engine });
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
      [seedExperiment(), generateExperiment({ iterations: 20 })],
      { chartEngine: engine },
    );
    expect(markdown).toContain("## Comparison of 2 experiments");
    expect(tableRows(markdown, "| Experiment |")).toHaveLength(2);
    expect(Object.keys(files)).toContain("charts/comparison-comparison.svg");
    expect(Object.keys(files)).toContain("charts/e2-gate-score.svg");
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
    const written = await writeMarkdownReport(seedExperiment(), path, { chartEngine: engine });
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
