/**
 * Names are data, end to end: arbitrary metric and parameter names (quotes,
 * backslashes, line breaks, U+2028, bidi controls, prototype keys, long and
 * blank-looking names) go through a real tracker over a JSONL store in a
 * temporary directory, the analyzers, the rule advisor, both reports and the
 * `converge` command, and come out as the same names, escaped where shown.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeTrajectory, ruleAdvisor, trajectoryAnalyzer } from "@converge/analyzers";
import {
  createTracker,
  type ExperimentRecord,
  hasName,
  ownValue,
  serializeRecord,
  setName,
} from "@converge/core";
import { renderHtmlReport, renderMarkdownReport } from "@converge/reporters";
import { jsonlStore } from "@converge/storage-jsonl";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
// The reporters' own escaping of names: each name must appear exactly so.
import { nameHtml } from "../../reporters/src/html/marks.js";
import { escapeMarkdown } from "../../reporters/src/markdown/escape.js";
import { main } from "./program.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const TRICKY = [
  "toString",
  "constructor",
  "valueOf",
  "hasOwnProperty",
  "__proto__",
  "__defineGetter__",
  'say "hi"',
  "back\\slash",
  "two\nlines",
  "para\u2028graph",
  "\u202eevil\u202c",
  "\u2066isolated\u2069",
  "<script>alert(1)</script>",
  "a & b | c",
  " ",
  "\u200b",
  "\t",
  "- item",
  "x".repeat(120),
  "ünïcødé 指標 📈",
];

/** A metric or parameter name: tricky ones, or any text at all. */
const nameArb = fc.oneof(
  { arbitrary: fc.constantFrom(...TRICKY), weight: 2 },
  { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 24 }), weight: 2 },
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }),
);

/** Names plus whether each first appears after iteration 1. */
const namesArb = fc.uniqueArray(fc.tuple(nameArb, fc.boolean()), {
  minLength: 1,
  maxLength: 3,
  selector: ([name]) => name,
});

const scenarioArb = fc
  .record({ metrics: namesArb, parameters: namesArb })
  .filter(({ metrics }) => metrics.every(([name]) => name !== "score"));

const ITERATIONS = 4;
const STAMP = new Date("2026-01-18T14:30:22Z");

/**
 * The first character that acts on a terminal or reorders text (C0/C1
 * controls, DEL, bidi controls, line separators), or null; `\n` is a line
 * break of the output itself.
 */
function rawControl(text: string): string | null {
  for (const char of text) {
    const c = char.codePointAt(0) as number;
    const control = (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f);
    const bidi =
      c === 0x061c ||
      c === 0x200e ||
      c === 0x200f ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069);
    if (control || bidi || c === 0x2028 || c === 0x2029) return `U+${c.toString(16)}`;
  }
  return null;
}

function capture(cwd: string) {
  const out = { stdout: "", stderr: "" };
  const io = {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    env: { NO_COLOR: "1" },
    cwd,
  };
  return { io, out };
}

function clock() {
  let t = STAMP.getTime();
  return () => {
    t += 1000;
    return new Date(t);
  };
}

async function scenario({
  metrics,
  parameters,
}: {
  metrics: [string, boolean][];
  parameters: [string, boolean][];
}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "converge-hostile-"));
  dirs.push(dir);
  const store = jsonlStore({ dir, durability: "none" });
  const tracker = createTracker({
    store,
    analyzers: [trajectoryAnalyzer()],
    advisor: ruleAdvisor(),
    now: clock(),
  });
  const run = await tracker.start({
    experimentId: "exp_hostile",
    directive: "names are data",
    gate: { criteria: [{ metric: "score", op: ">=", threshold: 10 }] },
    maxIterations: 10,
  });
  for (let i = 1; i <= ITERATIONS; i++) {
    const m: Record<string, number> = { score: i / 10 };
    metrics.forEach(([name, late], k) => {
      if (!late || i > 1) setName(m, name, i * (k + 1) + (i % 2));
    });
    const p: Record<string, number | string> = {};
    parameters.forEach(([name, late], k) => {
      if (!late || i > 1) setName(p, name, k % 2 ? `level ${i % 3}` : i * (k + 2));
    });
    await run.log({ metrics: m, parameters: p });
  }

  // Read back through another store on the same directory: the same records, the same names.
  const reader = jsonlStore({ dir });
  const read = await reader.read("exp_hostile");
  await reader.close();
  expect(read.map(serializeRecord)).toEqual(run.records.map(serializeRecord));
  const last = read.at(-1) as ExperimentRecord;
  for (const [name] of metrics) expect(hasName(last.metrics, name)).toBe(true);
  for (const [name] of parameters) expect(hasName(last.parameters, name)).toBe(true);

  // Analysis: every metric has a history of every iteration, NaN where it was not logged.
  const trajectory = await run.analyze();
  const direct = analyzeTrajectory(read, { gate: run.gate, maxIterations: 10 });
  for (const [name, late] of metrics) {
    for (const history of [
      ownValue(trajectory.metric_history, name),
      ownValue(direct.metric_history, name),
    ]) {
      expect(history).toHaveLength(ITERATIONS);
      expect(Number.isNaN(history?.[0])).toBe(late);
    }
  }
  const advice = await run.advise(trajectory);
  expect(["CONTINUE", "PIVOT", "ABANDON"]).toContain(advice.assessment.next_action);
  const summary = await run.finish();
  await store.close();

  // Reports: every name shown escaped, every chart drawn.
  const experiment = { meta: run.meta, records: read, trajectory, advice, summary };
  const warnings: string[] = [];
  const onWarning = (message: string) => warnings.push(message);
  const html = await renderHtmlReport(experiment, { generatedAt: STAMP, onWarning });
  const markdown = await renderMarkdownReport(experiment, { generatedAt: STAMP, onWarning });
  expect(warnings).toEqual([]);
  for (const text of [html, markdown.markdown]) expect(text).not.toContain("could not be drawn");
  for (const [name] of [...metrics, ...parameters]) {
    expect(html).toContain(nameHtml(name));
    expect(markdown.markdown).toContain(escapeMarkdown(name).trim());
  }

  // The command line: `show --json` gives the names back; `show` prints no raw control character.
  const json = capture(dir);
  expect(await main(["show", "exp_hostile", "--store", dir, "--json"], json.io)).toBe(0);
  const shown = JSON.parse(json.out.stdout) as { records: { metrics: unknown }[] };
  expect(shown.records.map((r) => r.metrics)).toEqual(
    read.map((r) => JSON.parse(serializeRecord(r)).metrics),
  );
  const text = capture(dir);
  expect(await main(["show", "exp_hostile", "--store", dir], text.io)).toBe(0);
  expect(rawControl(text.out.stdout)).toBeNull();
  expect(rawControl(text.out.stderr)).toBeNull();
}

describe("hostile metric and parameter names, end to end", () => {
  it("survive logging, reading, analysis, advice, reports and the CLI", async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, scenario), { numRuns: 25, seed: 20260118 });
  }, 120_000);
});
