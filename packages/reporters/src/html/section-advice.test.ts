import type { ExperimentRecord } from "@converge/core";
import { beforeAll, describe, expect, it } from "vitest";
import { generateExperiment } from "../bench/generate.js";
import {
  ADVISED_MODEL,
  ADVISED_PROMPT,
  advisedExperiment,
  FALLBACK_REASON,
} from "../test-fixtures/advised.js";
import { fakeChartEngine } from "../test-fixtures/fake-charts.js";
import { decode } from "../test-fixtures/html-inspect.js";
import { SAMPLE_ADVICE, sampleExperiment } from "../test-fixtures/sample.js";
import { renderHtmlReport } from "./document.js";

const engine = fakeChartEngine();

/** The text of some HTML: tags dropped, character references decoded. */
const textOf = (html: string) => decode(html.replace(/<[^>]*>/g, ""));

function between(html: string, start: string, end: string): string {
  const i = html.indexOf(start);
  if (i < 0) throw new Error(`no ${start}`);
  const j = html.indexOf(end, i);
  return html.slice(i, j < 0 ? undefined : j);
}

/** The notes under each iteration of the code section, as text, by iteration. */
function notesByIteration(html: string): Map<number, string> {
  const code = between(html, 'id="e1-code"', "</section>");
  const out = new Map<number, string>();
  for (const m of code.matchAll(
    /<ul class="iter-notes" aria-label="Iteration (\d+)[^"]*">(.*?)<\/ul>(?=\n|$)/gs,
  )) {
    out.set(Number(m[1]), textOf((m[2] as string).replace(/<\/li>/g, "\n")));
  }
  return out;
}

describe("HTML report of an experiment with recorded advice", () => {
  let html: string;
  beforeAll(async () => {
    html = await renderHtmlReport(advisedExperiment(), { chartEngine: engine });
  });

  it("under each iteration: the advice it acted on, its LLM cost and failure analysis", () => {
    const notes = notesByIteration(html);
    expect([...notes.keys()]).toEqual([1, 3, 4]); // iteration 2 has nothing to say
    expect(notes.get(3)).toContain(
      `advice after iteration 2: CONTINUE (confidence 0.72) by llm:${ADVISED_MODEL}, prompt ${ADVISED_PROMPT}\n`,
    );
    expect(notes.get(3)).toContain(
      "LLM cost $0.0055 · 2 calls (advisor, failure analysis) · 2400 tokens in, 600 out",
    );
    expect(notes.get(3)).toContain("position size too small at iteration 3");
    expect(notes.get(3)).toContain("raise position_size to 0.2\nkeep the stop loss");
    expect(notes.get(1)).not.toContain("advice after");
  });

  it("a fallback is a visible warning, and an unpriced call makes the cost unknown", () => {
    const notes = notesByIteration(html).get(4) ?? "";
    expect(notes).toContain(
      `⚠ LLM advisor llm:${ADVISED_MODEL} failed (${FALLBACK_REASON}); rule advisor answered`,
    );
    expect(html).toContain('<li class="fallback">⚠ LLM advisor');
    expect(notes).toContain("LLM cost unknown (1 of 2 calls without a price; $0.001 for the rest)");
  });

  it("an iteration with notes is not folded into an unchanged run", () => {
    expect(html).toContain(
      '<p class="unchanged">Iteration 4: code unchanged</p><ul class="iter-notes"',
    );
    expect(html).toContain("3 code versions over 4 iterations");
  });

  it("advice history: one row per advice, the summary's final advice last", () => {
    const table = between(html, '<table class="advice-history">', "</table>");
    const rows = table
      .split("<tr")
      .slice(2)
      .map((r) => [...r.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => textOf(m[1] as string)));
    expect(rows).toEqual([
      [
        "2",
        "3",
        "CONTINUE",
        "CONVERGING",
        "0.72",
        `llm:${ADVISED_MODEL}`,
        ADVISED_MODEL,
        ADVISED_PROMPT,
        "—",
        "steady gains on every iteration",
      ],
      [
        "3",
        "4",
        "CONTINUE",
        "STAGNANT",
        "0.55",
        "rule",
        ADVISED_MODEL,
        ADVISED_PROMPT,
        `llm:${ADVISED_MODEL} failed: ${FALLBACK_REASON}`,
        "rule: still improving",
      ],
      [
        "4",
        "final",
        "PIVOT",
        "STAGNANT",
        "0.85",
        `llm:${ADVISED_MODEL}`,
        ADVISED_MODEL,
        ADVISED_PROMPT,
        "—",
        "the score stopped improving",
      ],
    ]);
    expect(table).toContain('<tr class="final">');
    expect(textOf(between(html, '<p class="final-advice">', "</p>"))).toBe(
      `Final advice, kept in the experiment summary: advice after iteration 4: PIVOT (confidence 0.85) by llm:${ADVISED_MODEL}, prompt ${ADVISED_PROMPT}.`,
    );
  });

  it("sits in the assessment section, linked from the contents", () => {
    const assessment = between(html, 'id="e1-assessment"', "</section>");
    expect(assessment).toContain('<h3 id="e1-assessment-history">Advice history</h3>');
    expect(html).toContain('<li><a href="#e1-assessment-history">Advice history</a></li>');
  });

  it("with no advice passed, the assessment is the summary's last advice, with model, prompt and source", () => {
    const assessment = between(html, 'id="e1-assessment"', '<h3 id="e1-assessment-history">');
    expect(assessment).toContain(
      "The loop's last advice, kept in the experiment summary (asked after iteration 4).",
    );
    expect(assessment).toMatch(/<p class="next-action">PIVOT <small>/);
    expect(assessment).toContain(`<dt>Model</dt><dd><code>${ADVISED_MODEL}</code></dd>`);
    expect(assessment).toContain(`<dt>Prompt version</dt><dd><code>${ADVISED_PROMPT}</code></dd>`);
  });

  it("a passed advice with a fallback shows it in the assessment", async () => {
    const e = advisedExperiment();
    const out = await renderHtmlReport(
      {
        ...e,
        advice: {
          ...SAMPLE_ADVICE,
          source: "rule",
          model: ADVISED_MODEL,
          fallback: { from: `llm:${ADVISED_MODEL}`, reason: "timed out after 30 s" },
        },
      },
      { chartEngine: engine },
    );
    expect(out).toContain(
      `<dt>Fallback</dt><dd class="fb">⚠ LLM advisor llm:${ADVISED_MODEL} failed (timed out after 30 s); rule advisor answered</dd>`,
    );
    expect(out).not.toContain("kept in the experiment summary (asked");
  });
});

describe("HTML report without recorded advice", () => {
  it("has no advice history and no notes", async () => {
    const html = await renderHtmlReport(sampleExperiment(), { chartEngine: engine });
    expect(html).not.toContain("Advice history");
    expect(html).not.toContain('class="iter-notes"');
    expect(html).not.toContain('class="advice-history"');
  });

  it("records without code still show their notes", async () => {
    const e = advisedExperiment();
    const records = e.records.map((r) => ({ ...r, strategy_code: "" }) as ExperimentRecord);
    const html = await renderHtmlReport({ ...e, records }, { chartEngine: engine });
    expect(html).toContain("No strategy code was recorded for these iterations.");
    expect([...notesByIteration(html).keys()]).toEqual([1, 3, 4]);
  });

  it("a long run without notes still collapses its unchanged code", async () => {
    const html = await renderHtmlReport(generateExperiment({ iterations: 200 }), {
      chartEngine: engine,
    });
    expect(html).not.toContain('class="iter-notes"');
    expect(html).toMatch(/Iterations \d+–\d+: code unchanged/);
  });
});
