import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { outlookText } from "@converge/analyzers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  removeTempDirs,
  runCli,
  SAMPLE_LOG,
  tempDir,
  writeExperiment,
} from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

const GATE = { criteria: [{ metric: "sharpe_ratio", op: ">=" as const, threshold: 1 }] };

describe("converge report", () => {
  let store: string;
  let out: string;
  beforeAll(async () => {
    store = tempDir();
    out = tempDir("converge-report-");
    await writeExperiment(
      store,
      { experimentId: "exp_a", gate: GATE, directive: "first attempt", maxIterations: 10 },
      [0.6, 0.7, 0.8, 0.9].map((s, i) => ({
        parameters: { size: i },
        metrics: { sharpe_ratio: s },
      })),
    );
    await writeExperiment(
      store,
      { experimentId: "exp_b", gate: GATE, directive: "second attempt" },
      [0.5, 0.55, 0.5, 0.55].map((s) => ({ metrics: { sharpe_ratio: s } })),
    );
  });

  it("renders the Python logger's sample log to one self-contained HTML file", () => {
    const file = join(out, "seed.html");
    const { code, stdout, stderr } = runCli(["report", SAMPLE_LOG, "-o", file]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Wrote .*seed\.html \(\d+ KB, 1 experiment\)\./);
    const html = readFileSync(file, "utf8");
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    expect(html).toContain("exp_20260118_143022");
    expect(html).toContain("AAPL_Momentum_v3");
    expect(html).toMatch(/<svg[^>]*>/);
    expect(html).toContain("CONTINUE"); // the rule advisor's assessment is in it
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toContain("<script");
  });

  it("compares several experiments, and inlines the vega bundles when asked", () => {
    const file = join(out, "cmp.html");
    const { code, stdout } = runCli([
      "report",
      "exp_a",
      "exp_b",
      "--store",
      store,
      "-o",
      file,
      "--interactive",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("2 experiments");
    const html = readFileSync(file, "utf8");
    expect(html).toContain("first attempt");
    expect(html).toContain("second attempt");
    expect(html).toMatch(/comparison/i);
    expect(html).toContain("<script");
  });

  it("writes Markdown with its charts as SVG files beside it", () => {
    const file = join(out, "REPORT.md");
    const { code } = runCli(["report", store, "--format", "md", "-o", file]);
    expect(code).toBe(0);
    const md = readFileSync(file, "utf8");
    const svgs = readdirSync(join(out, "REPORT-charts"));
    expect(svgs.length).toBeGreaterThan(0);
    for (const svg of svgs) expect(md).toContain(`REPORT-charts/${svg}`);
    expect(md).toContain("exp_a");
  });

  it("shows the outlook over the experiment's budget, worded as the analyzers word it", () => {
    const analysis = JSON.parse(runCli(["analyze", "exp_a", "--store", store, "--json"]).stdout);
    const outlook = outlookText(analysis.success_probability, analysis.iterations_to_success);
    // A budget of 10 with 4 iterations logged: 6 left.
    expect(outlook).toMatch(/^P\(pass within the 6 iterations left\) /);
    const escaped = outlook.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    const html = join(out, "a.html");
    expect(runCli(["report", "exp_a", "--store", store, "-o", html]).code).toBe(0);
    expect(readFileSync(html, "utf8")).toContain(
      `<dt>Outlook</dt><dd class="outlook">${escaped} <small>(trajectory analysis)</small></dd>`,
    );
    const md = join(out, "a.md");
    expect(runCli(["report", "exp_a", "--store", store, "--format", "md", "-o", md]).code).toBe(0);
    expect(readFileSync(md, "utf8")).toContain(`| Outlook | ${escaped} |`);
  });

  it("refuses --interactive for Markdown (exit 2) and writes nothing for an unknown experiment (exit 1)", () => {
    const usage = runCli([
      "report",
      SAMPLE_LOG,
      "--format",
      "md",
      "--interactive",
      "-o",
      join(out, "x.md"),
    ]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--interactive applies to HTML reports only");
    const missing = runCli(["report", "nope", "--store", store, "-o", join(out, "nope.html")]);
    expect(missing.code).toBe(1);
    expect(existsSync(join(out, "nope.html"))).toBe(false);
  });

  it("--help explains the forms with examples", () => {
    const { code, stdout } = runCli(["report", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("--format <format>");
    expect(stdout).toContain("$ converge report exp_a exp_b --store ./runs -o comparison.html");
  });
});
