/**
 * One vocabulary, end to end: the built demo's loop, then its HTML report,
 * the Markdown report, `converge analyze` and `converge advise` on what it
 * wrote. Every renderer must use the terms of docs/vocabulary.md the same
 * way: the gradient is a direction (ASCENDING / DESCENDING / FLAT) and equals
 * the analysis' own, the assessment's EFFECTIVE / INEFFECTIVE / MIXED is
 * "Parameter changes" (never "Gradient EFFECTIVE" beside "Gradient FLAT"),
 * and the demo's goal-less metrics are informational: no direction, no
 * verdict, a constant one on one line.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SEED } from "./demo.js";
import { CONVERGE as converge, DEMO as demo, ensureBuilt } from "./test-fixtures/built-demo.js";

const dirs: string[] = [];
beforeAll(ensureBuilt, 180_000);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1" };

function node(args: string[], cwd: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env, timeout: 60_000 }, (error, stdout) => {
      const code = error ? ((error as { code?: unknown }).code as number) : 0;
      resolve({ code: typeof code === "number" ? code : -1, stdout });
    });
  });
}

/** The visible text of an HTML page, one space between words (styles and charts left out). */
function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<svg[\s\S]*?<\/svg>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

const INFORMATIONAL = ["trade_count", "num_observations", "periods_per_year"];
const OLD_PAIR = /Gradient:? (EFFECTIVE|INEFFECTIVE|MIXED)/;
const VERDICTS = /CONVERGING|DIVERGING|OSCILLATING|STAGNANT|INSUFFICIENT_DATA/;

describe("one vocabulary across the analysis, the advisor, the reports and the CLI", () => {
  const out = { html: "", markdown: "", analyze: "", advise: "", gradient: "" };

  beforeAll(async () => {
    const cwd = mkdtempSync(join(tmpdir(), "converge-vocabulary-"));
    dirs.push(cwd);
    const store = join(cwd, "runs");
    const run = await node(
      [demo, "--seed", String(DEFAULT_SEED), "--store", `jsonl:${store}`, "--quiet"],
      cwd,
    );
    expect(run.code).toBe(0);
    const log = readdirSync(store).find((f) => f.endsWith(".jsonl")) as string;
    const id = log.replace(/\.jsonl$/, "");
    out.html = visibleText(readFileSync(join(store, `${id}.html`), "utf8"));
    const [md, analyze, json, advise] = await Promise.all([
      node([converge, "report", id, "--store", store, "--format", "md", "-o", "-"], cwd),
      node([converge, "analyze", id, "--store", store], cwd),
      node([converge, "analyze", id, "--store", store, "--json"], cwd),
      node([converge, "advise", id, "--store", store], cwd),
    ]);
    for (const r of [md, analyze, json, advise]) expect(r.code).toBe(0);
    out.markdown = md.stdout.replace(/\\_/g, "_");
    out.analyze = analyze.stdout;
    out.advise = advise.stdout;
    out.gradient = JSON.parse(json.stdout).gradient_direction;
  }, 120_000);

  it("never puts the advisor's EFFECTIVE under the Gradient label, anywhere", () => {
    for (const text of [out.html, out.markdown, out.analyze, out.advise]) {
      expect(text).not.toMatch(OLD_PAIR);
      expect(text).not.toMatch(/Gradient\s+EFFECTIVE/);
    }
    expect(out.html).toMatch(/Parameter changes (EFFECTIVE|INEFFECTIVE|MIXED)/);
    expect(out.markdown).toMatch(/parameter changes (EFFECTIVE|INEFFECTIVE|MIXED)/);
    expect(out.advise).toMatch(/Parameter changes\s+(EFFECTIVE|INEFFECTIVE|MIXED)\n/);
  });

  it("shows the analysis' gradient, with its meaning, in the report, the Markdown and the CLI", () => {
    expect(["ASCENDING", "DESCENDING", "FLAT"]).toContain(out.gradient);
    expect(out.html).toContain(`Gradient ${out.gradient} (`);
    expect(out.markdown).toContain(`| Gradient | ${out.gradient} (`);
    expect(out.analyze).toMatch(new RegExp(`\\nGradient\\s+${out.gradient}\\s`));
    // The rule advisor's reasoning names the same gradient.
    expect(out.html).toContain(`gradient is ${out.gradient}`);
    // Every Gradient label anywhere carries a direction, never another term's value.
    for (const text of [out.html, out.markdown, out.analyze]) {
      for (const m of text.matchAll(/Gradient\s*\|?\s*([A-Z_]{4,})/g)) {
        expect(["ASCENDING", "DESCENDING", "FLAT"]).toContain(m[1]);
      }
    }
  });

  it("gives the goal-less metrics no direction and no verdict, constant ones on one line", () => {
    for (const text of [out.html, out.markdown, out.analyze]) {
      for (const name of INFORMATIONAL) {
        expect(text).not.toMatch(new RegExp(`${name} \\((higher|lower) is better\\)`));
        expect(text).not.toMatch(new RegExp(`${name}\\s+(higher|lower) is better`));
        expect(
          text.match(new RegExp(`${name}[^\\n]{0,40}(${VERDICTS.source})`))?.[0],
        ).toBeUndefined();
      }
      expect(text).toMatch(/periods_per_year\s+252 \(constant\)/);
      expect(text).toMatch(/num_observations\s+\d+ \(constant\)/);
      expect(text).toMatch(/trade_count\s+\d+ → \d+/);
    }
    // The objectives keep their direction beside their verdict.
    expect(out.html).toMatch(
      /sharpe_ratio higher is better (CONVERGING|DIVERGING|OSCILLATING|STAGNANT)/,
    );
    expect(out.markdown).toMatch(/sharpe_ratio \(higher is better\): \*\*[A-Z_]+\*\*/);
    expect(out.analyze).toMatch(/sharpe_ratio\s+higher is better\s/);
    expect(out.analyze).toMatch(/max_drawdown\s+lower is better\s/);
  });
});
