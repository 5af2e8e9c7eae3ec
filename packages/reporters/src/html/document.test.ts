import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExperimentMetaSchema, parseRecord, type ReportExperiment } from "@converge/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeChartEngine } from "../test-fixtures/fake-charts.js";
import {
  attributesOf,
  cspOf,
  jsonBlocksOf,
  scriptsOf,
  stylesOf,
  tagNamesOf,
} from "../test-fixtures/html-inspect.js";
import { sampleExperiment } from "../test-fixtures/sample.js";
import { cspHash } from "./csp.js";
import { renderHtmlReport, writeHtmlReport } from "./document.js";

const engine = fakeChartEngine();
const at = new Date("2026-01-18T15:00:00Z");

function tbodyOf(html: string, tableClass: string): string {
  const m = new RegExp(
    `<table class="${tableClass}"[^>]*>[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`,
  ).exec(html);
  if (!m) throw new Error(`no table.${tableClass}`);
  return m[1] as string;
}

function experiment(codes: string[], id = "exp_code"): ReportExperiment {
  return {
    meta: ExperimentMetaSchema.parse({ experiment_id: id, directive: "Code diffs" }),
    records: codes.map((code, i) =>
      parseRecord({
        experiment_id: id,
        iteration: i + 1,
        strategy_code: code,
        parameters: { a: 1 },
        metrics: { score: i / 10 },
      }),
    ),
  };
}

describe("renderHtmlReport on the Python logger's sample log", () => {
  let html: string;
  beforeAll(async () => {
    html = await renderHtmlReport(sampleExperiment(), { chartEngine: engine, generatedAt: at });
  });

  it("has every section", () => {
    for (const section of ["summary", "assessment", "trajectory", "charts", "iterations", "code"]) {
      expect(html).toContain(`id="e1-${section}"`);
    }
    expect(html).toContain("Build an AAPL momentum strategy");
    expect(html).toContain("exp_20260118_143022");
    expect(html).toContain("Passed the quality gate at iteration 3 (3 iterations in all).");
    expect(html).toContain("Generated 2026-01-18 15:00 UTC");
  });

  it("header: status, best iteration, gate, totals of time and cost", () => {
    expect(html).toMatch(/<span class="badge ok">SUCCESS<\/span>/);
    expect(html).toMatch(/<dt>Best iteration<\/dt><dd>3<small>gate score 0\.92<\/small>/);
    expect(html).toMatch(/Passing<\/span><small>first passed at iteration 3/);
    expect(html).toContain("<dt>Compute time</dt><dd>2 min 13 s</dd>");
    expect(html).toContain("<dt>Cost</dt><dd>$0");
  });

  it("assessment: the next action up front and who said so", () => {
    expect(html).toMatch(/<p class="next-action">CONTINUE <small>/);
    expect(html).toContain("a language model (openai/gpt-4.1)");
    expect(html).toContain("<code>llm:openai/gpt-4.1</code>");
    expect(html).toContain("Consider slight increase in position size to 0.22 if needed");
  });

  it("trajectory: status with reason, ETA, criteria, metric trends, effects, overfitting", () => {
    expect(html).toContain("every step goes the same way (3 points");
    expect(html).toContain("<dt>Iterations to success</dt><dd>0 <small>(passing now)</small>");
    expect(tbodyOf(html, "criteria")).toContain("≤ 0.2");
    expect(tbodyOf(html, "trends").match(/<tr>/g)).toHaveLength(3);
    expect(tbodyOf(html, "effects")).toContain("rsi_threshold");
    expect(html).toMatch(/<h3>Overfitting guard<\/h3>[\s\S]*MEDIUM/);
  });

  it("iteration table: changed parameters highlighted, failed criteria marked", () => {
    const body = tbodyOf(html, "iters");
    const rows = body.split("<tr").slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).not.toContain('class="c"');
    expect(rows[1]?.match(/class="c"/g)).toHaveLength(1); // position_size 0.1 → 0.15
    expect(rows[2]?.match(/class="c"/g)).toHaveLength(3);
    expect(rows[0]?.match(/class="f"/g)).toHaveLength(3); // all three criteria fail at iteration 1
    expect(rows[1]?.match(/class="f"/g)).toHaveLength(1); // only the Sharpe ratio at iteration 2
    expect(rows[2]).toMatch(/^ class="pass best">/);
    // Text cells (strategy, action) carry the class the stylesheet left-aligns, so the
    // stylesheet does not depend on which columns there are.
    expect(rows[2]).toContain('<td class="t">SUCCESS');
    expect(rows[2]?.match(/<td class="t">/g)).toHaveLength(2);
    expect(stylesOf(html)[0]).toContain("table.iters td.t { text-align: left; }");
    expect(stylesOf(html)[0]).not.toContain("nth-child");
  });

  it("charts are inline SVG with per-chart ids", () => {
    expect(html).toMatch(
      /<figure class="chart" id="e1-c1"><div class="chart-body"><svg [^>]*aria-label="Gate score"/,
    );
    expect(html).toMatch(/id="e1-c1-clip\d+"/);
    expect(html).not.toMatch(/id="clip\d+"/);
  });

  it("static build: a CSP with the stylesheet's hash, no script at all", () => {
    const csp = cspOf(html);
    const styles = stylesOf(html);
    expect(styles).toHaveLength(1);
    expect(csp).toBe(
      `default-src 'none'; style-src ${cspHash(styles[0] as string)}; img-src data:; base-uri 'none'; form-action 'none'`,
    );
    expect(tagNamesOf(html)).not.toContain("script");
    expect(html.indexOf("Content-Security-Policy")).toBeLessThan(html.indexOf("<style>"));
  });

  it("loads nothing: no URL anywhere in the static file", () => {
    expect(html).not.toMatch(/https?:|\/\/|url\((?!#)/i);
    for (const a of attributesOf(html)) {
      expect(a.value, `${a.tag} ${a.name}`).not.toMatch(/https?:|\/\/|javascript:/i);
      expect(["src", "srcset", "action", "formaction", "poster"]).not.toContain(a.name);
      if (a.name === "href" || a.name === "xlink:href") expect(a.value).toMatch(/^#[\w-]+$/);
    }
  });
});

describe("with the package's own charts", () => {
  it("inlines every chart the chart module offers for the sample log", async () => {
    const html = await renderHtmlReport(sampleExperiment());
    const figures = [
      ...html.matchAll(/<figure class="chart" id="(e1-c\d+)"><div class="chart-body"><svg /g),
    ];
    expect(figures.length).toBeGreaterThanOrEqual(4);
    expect(html).not.toContain("could not be drawn");
    expect(html).not.toMatch(/https?:/);
  });
});

describe("interactive build", () => {
  let html: string;
  beforeAll(async () => {
    html = await renderHtmlReport(sampleExperiment(), { chartEngine: engine, interactive: true });
  });

  it("inlines the three vega bundles and the embed script, each allowed by hash only", () => {
    const scripts = scriptsOf(html);
    expect(scripts).toHaveLength(4);
    expect(scripts[0]).toContain("vega");
    expect(scripts[3]).toContain("vegaEmbed");
    const csp = cspOf(html) ?? "";
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1]?.split(" ") ?? [];
    expect(scriptSrc).toEqual(scripts.map(cspHash));
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain(`style-src ${cspHash(stylesOf(html)[0] as string)}`);
  });

  it("carries each chart's spec as an escaped JSON block, without the $schema URL", () => {
    const blocks = jsonBlocksOf(html);
    expect(blocks).toHaveLength(2);
    for (const block of blocks) {
      expect(block).not.toMatch(/[<>&\u2028\u2029]|https?:/);
      expect(JSON.parse(block)).toHaveProperty("mark");
    }
  });

  it("has no URL in any attribute", () => {
    for (const a of attributesOf(html)) expect(a.value).not.toMatch(/https?:|\/\//i);
  });
});

describe("strategy code", () => {
  it("diffs each change against the previous code and collapses unchanged runs", async () => {
    const html = await renderHtmlReport(
      experiment(["a = 1\nb = 2\n", "a = 1\nb = 2\n", "a = 1\nb = 2\n", "a = 1\nb = 3\n"]),
      { chartEngine: engine },
    );
    expect(html).toContain("Iterations 2–3: code unchanged");
    expect(html).toContain('<span class="d">-b = 2</span><span class="a">+b = 3</span>');
    expect(html).toContain("changed: +1 −1 lines");
    expect(html).toContain("2 code versions over 4 iterations");
  });

  it("shows hostile code as text", async () => {
    const code = "x = '</script><!-- <img src=x onerror=alert(1)> \u2028'";
    const html = await renderHtmlReport(experiment([code]), { chartEngine: engine });
    // U+2028 is a hidden character: marked, not passed through.
    expect(html).toContain(
      'x = &#39;&lt;/script&gt;&lt;!-- &lt;img src=x onerror=alert(1)&gt; <span class="hidden-char" title="U+2028">⟨U+2028⟩</span>&#39;',
    );
  });

  it("says when no code was recorded", async () => {
    const html = await renderHtmlReport(experiment(["", ""]), { chartEngine: engine });
    expect(html).toContain("No strategy code was recorded");
  });
});

describe("several experiments", () => {
  it("adds a comparison section with a row per experiment and the comparison charts", async () => {
    const other = experiment(["x"], "exp_other");
    const html = await renderHtmlReport([sampleExperiment(), other], { chartEngine: engine });
    expect(html).toContain('<h2 id="comparison">Side by side</h2>');
    expect(html).toContain("<h1>Comparison of 2 experiments</h1>");
    const rows = tbodyOf(html, "compare").split("<tr>").slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('href="#e1"');
    expect(rows[1]).toContain("exp_other");
    expect(html).toContain('id="cmp-c1"');
    expect(html).toContain('<article class="experiment" id="e2">');
    expect(html).toContain("<title>Comparison of 2 experiments</title>");
  });
});

describe("degraded inputs", () => {
  it("a chart that fails to draw shows its error and warns once; the report still renders", async () => {
    const warnings: string[] = [];
    const html = await renderHtmlReport([sampleExperiment(), experiment(["x"], "exp_two")], {
      chartEngine: fakeChartEngine({ failing: true }),
      onWarning: (m) => warnings.push(m),
    });
    expect(html).toContain("The chart “Broken” could not be drawn:");
    expect(html).toMatch(/id="e1-c2-clip\d+"/);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /^experiment exp_20260118_143022: the chart “Broken” could not be drawn: \S/,
    );
    expect(warnings[1]).toMatch(/^experiment exp_two: the chart “Broken” could not be drawn:/);
    for (const w of warnings) expect(w).not.toContain("\n");
  });

  it("a chart module that throws leaves a note in the charts section and warns", async () => {
    const warnings: string[] = [];
    const html = await renderHtmlReport(sampleExperiment(), {
      chartEngine: {
        ...engine,
        chartsFor: () => {
          throw new Error("no charts today\n\u001b[2J");
        },
      },
      onWarning: (m) => warnings.push(m),
    });
    expect(html).toContain("The charts could not be built: no charts today");
    // One line, terminal-safe: the control sequence is shown, not sent.
    expect(warnings).toEqual([
      "experiment exp_20260118_143022: the charts could not be built: no charts today\\n\\x1b[2J",
    ]);
  });

  it("without analysis or advice it says so instead of showing empty tables", async () => {
    const html = await renderHtmlReport(sampleExperiment({ analysis: false }), {
      chartEngine: engine,
    });
    expect(html).toContain("No advisor assessed this experiment");
    expect(html).toContain("No trajectory analysis was supplied");
    expect(html).toContain("Gate criteria at the latest iteration");
  });

  it("an experiment without records, or with NaN and missing values, still renders", async () => {
    const empty = await renderHtmlReport(experiment([]));
    expect(empty).toContain("No iterations recorded yet.");
    expect(empty).toContain("No iterations yet.");
    const gaps: ReportExperiment = {
      meta: ExperimentMetaSchema.parse({
        experiment_id: "exp_gaps",
        gate: { criteria: [{ metric: "score", op: ">=", threshold: 1 }] },
      }),
      records: [
        parseRecord({ experiment_id: "exp_gaps", iteration: 1, metrics: { score: "NaN" } }),
        parseRecord({
          experiment_id: "exp_gaps",
          iteration: 2,
          metrics: { other: 1 },
          gate_score: null,
        }),
      ],
    };
    const html = await renderHtmlReport(gaps, { chartEngine: engine });
    const rows = tbodyOf(html, "iters").split("<tr").slice(1);
    expect(rows[0]).toContain('<td class="f">NaN');
    expect(rows[1]).toContain('<td class="f">—');
  });

  it("no experiment at all is an error that says what to pass", async () => {
    await expect(renderHtmlReport([])).rejects.toThrow(
      /at least one experiment: pass a ReportExperiment/,
    );
  });
});

describe("writeHtmlReport", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "converge-html-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the rendered report atomically, leaving no temporary file", async () => {
    const path = join(dir, "out", "report.html");
    const bytes = await writeHtmlReport(sampleExperiment(), path, {
      chartEngine: engine,
      generatedAt: at,
    });
    const written = await readFile(path, "utf8");
    expect(Buffer.byteLength(written)).toBe(bytes);
    // vega numbers clip paths with a process-wide counter: compare without those numbers.
    const again = await renderHtmlReport(sampleExperiment(), {
      chartEngine: engine,
      generatedAt: at,
    });
    const plain = (s: string) => s.replace(/clip\d+/g, "clip");
    expect(plain(written)).toBe(plain(again));
    expect(await readdir(join(dir, "out"))).toEqual(["report.html"]);
  });
});
