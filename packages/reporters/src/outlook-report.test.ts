/**
 * The outlook in the reports: the success probability with its horizon and
 * the ETA with its level, wherever the report shows where the loop stands or
 * what to do next (verdict, key numbers, the advisor's assessment, the
 * trajectory statistics, the gate-score chart); an analysis written before
 * them shows what it has.
 */
import type { ReportExperiment } from "@converge/core";
import { beforeAll, describe, expect, it } from "vitest";
import { syntheticExperiment } from "./bench/synthetic.js";
import { gateScoreSpec } from "./charts/gate-score.js";
import { renderHtmlReport } from "./html/document.js";
import { renderMarkdownReport } from "./markdown/render.js";
import { ADVISED_OUTLOOK, advisedExperiment } from "./test-fixtures/advised.js";
import { fakeChartEngine } from "./test-fixtures/fake-charts.js";
import { decode } from "./test-fixtures/html-inspect.js";
import { sampleExperiment } from "./test-fixtures/sample.js";

const engine = fakeChartEngine();
/** The report's text as a reader sees it (tags dropped, entities decoded). */
const text = (html: string) => decode(html.replace(/<[^>]*>/g, ""));

/** A loop 10 iterations in, not passing, analysed without a budget (the synthetic analysis). */
function inProgress() {
  const e = syntheticExperiment(10);
  const t = e.trajectory as unknown as {
    success_probability: { probability: number; horizon: number; by_criterion: object };
    iterations_to_success: { estimate: number; low: number; high: number; horizon: number };
  };
  return { e, s: t.success_probability, eta: t.iterations_to_success };
}

describe("an experiment in progress with an outlook", () => {
  const { e, s, eta } = inProgress();
  const p = s.probability.toFixed(2);
  const outlook = `P(pass within the next 20 iterations (no budget known)) ${p} · 80% range ${eta.low}–${eta.high} iterations (median ${eta.estimate})`;
  let html: string;
  let plain: string;
  beforeAll(async () => {
    html = await renderHtmlReport(e, { chartEngine: engine });
    plain = text(html);
  });

  it("the fixture is what the check needs: failing, a probability strictly between 0 and 1", () => {
    expect(e.records.at(-1)?.gate_passed).toBe(false);
    expect(s.probability).toBeGreaterThan(0.01);
    expect(s.probability).toBeLessThan(0.99);
    expect(eta.low).toBeLessThan(eta.high);
  });

  it("HTML: the verdict and the key numbers give the probability with its horizon and the ETA with its level", () => {
    expect(plain).toContain(`In progress: 10 iterations, not passing yet, converging; ${outlook}.`);
    expect(html).toContain(
      `<div class="outlook"><dt><a class="term" href="#vocabulary-success-probability">Success probability</a></dt><dd>${p}<small>within the next 20 iterations (no budget known)</small><small>ETA 80% range ${eta.low}–${eta.high} iterations (median ${eta.estimate})</small></dd></div>`,
    );
  });

  it("HTML: the trajectory section states the probability, the ETA's level and horizon, and each criterion's chance", () => {
    expect(html).toContain(
      `<dt><a class="term" href="#vocabulary-success-probability">Success probability</a></dt><dd class="outlook">P(pass within the next 20 iterations (no budget known)) ${p}<br><small>synthetic</small></dd>`,
    );
    expect(html).toContain(
      `<dt>Iterations to success</dt><dd>median ${eta.estimate} iterations · 80% range ${eta.low}–${eta.high}, over the predicted futures that pass within ${eta.horizon} iterations; predictive model<br><small>synthetic</small></dd>`,
    );
    const chances = Object.values(s.by_criterion).map((c: number) => c.toFixed(2));
    expect(chances).toHaveLength(3);
    const criteria = /<table class="criteria">[\s\S]*?<\/table>/.exec(html)?.[0] ?? "";
    expect(criteria).toContain('<th class="n">Chance to pass</th>');
    for (const c of chances) expect(criteria).toContain(`<td class="n">${c}</td>`);
    expect(plain).toContain(
      "Chance to pass: the chance that the criterion alone passes within the next 20 iterations (no budget known)",
    );
  });

  it("Markdown: the key numbers carry the outlook line", async () => {
    const { markdown } = await renderMarkdownReport(e, { chartEngine: engine });
    expect(markdown).toContain(`| Outlook | ${outlook} |`);
    expect(markdown).not.toContain("| Iterations to success |");
  });

  it("the gate-score chart's caption states the ETA's level", () => {
    const caption = JSON.stringify(gateScoreSpec(e));
    expect(caption).toContain(
      `ETA median ${eta.estimate} more iterations (80% range ${eta.low}–${eta.high})`,
    );
  });
});

describe("the outlook beside the advisor's assessment", () => {
  it("HTML and Markdown show it with the decision", async () => {
    const e = advisedExperiment();
    const html = await renderHtmlReport(e, { chartEngine: engine });
    expect(html).toContain(
      `<dt>Outlook</dt><dd class="outlook">${ADVISED_OUTLOOK} <small>(trajectory analysis)</small></dd>`,
    );
    const { markdown } = await renderMarkdownReport(e, { chartEngine: engine });
    expect(markdown).toContain(`> Outlook (trajectory analysis): ${ADVISED_OUTLOOK}\n`);
    expect(markdown).toContain(`| Outlook | ${ADVISED_OUTLOOK} |`);
  });
});

describe("an analysis written before the outlook", () => {
  it("shows its ETA without a made-up level or probability", async () => {
    const { e } = inProgress();
    const t = { ...(e.trajectory as object) } as Record<string, unknown>;
    delete t.success_probability;
    t.iterations_to_success = { estimate: 6, low: 4, high: 9, model: "linear", reason: "old" };
    const old: ReportExperiment = { ...e, trajectory: t as never };
    const html = await renderHtmlReport(old, { chartEngine: engine });
    expect(text(html)).toContain(
      "not passing yet, converging; about 6 more iterations to the gate.",
    );
    expect(html).toContain(
      "<dt>Iterations to success</dt><dd>about 6 iterations (range 4–9); linear model",
    );
    // Neither the success probability (labelled as in docs/vocabulary.md) nor a per-criterion chance.
    expect(html).not.toContain(
      'href="#vocabulary-success-probability">Success probability</a></dt>',
    );
    expect(html).not.toContain("Chance to pass");
    expect(html).not.toContain("<dt>Outlook</dt>");
    const { markdown } = await renderMarkdownReport(old, { chartEngine: engine });
    expect(markdown).toContain("| Iterations to success | range 4–9 iterations (estimate 6) |");
    expect(markdown).not.toContain("| Outlook |");
    expect(JSON.stringify(gateScoreSpec(old))).toContain("ETA ≈ 6 more iterations (4–9)");
  });

  it("the sample log's stored analysis (passing, no success probability) renders as before", async () => {
    const html = await renderHtmlReport(sampleExperiment(), { chartEngine: engine });
    expect(html).toContain("<dt>Iterations to success</dt><dd>0 <small>(passing now)</small>");
    // Neither the success probability (labelled as in docs/vocabulary.md) nor a per-criterion chance.
    expect(html).not.toContain(
      'href="#vocabulary-success-probability">Success probability</a></dt>',
    );
    expect(html).not.toContain("Chance to pass");
  });
});
