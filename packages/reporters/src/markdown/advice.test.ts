import type { ExperimentRecord, RecordedAdvice } from "@converge/core";
import { describe, expect, it } from "vitest";
import {
  ADVISED_MODEL,
  ADVISED_PROMPT,
  advisedExperiment,
  FALLBACK_REASON,
} from "../test-fixtures/advised.js";
import { fakeChartEngine } from "../test-fixtures/fake-charts.js";
import { hostileAdvisedExperiment, PAYLOADS } from "../test-fixtures/hostile.js";
import { sampleExperiment } from "../test-fixtures/sample.js";
import { renderMarkdownReport } from "./render.js";

const engine = fakeChartEngine();

function tableRows(markdown: string, header: string): string[] {
  const start = markdown.indexOf(header);
  if (start < 0) throw new Error(`no table starting ${header}`);
  const lines = markdown.slice(start).split("\n");
  const end = lines.findIndex((l) => !l.startsWith("|"));
  return lines.slice(2, end < 0 ? undefined : end);
}

/** The lines of a section, from its heading to the next one. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(/\n#{1,3} /);
  return end < 0 ? rest : rest.slice(0, end);
}

const columns = (line: string) => line.replace(/\\\|/g, "").split("|").length;

describe("Markdown report of an experiment with recorded advice", () => {
  it("an advice history table, then the summary's final advice", async () => {
    const { markdown } = await renderMarkdownReport(advisedExperiment(), { chartEngine: engine });
    const rows = tableRows(markdown, "| After iteration |");
    expect(rows).toEqual([
      `| 2 | 3 | **CONTINUE** | CONVERGING | 0.72 | llm:${ADVISED_MODEL} | ${ADVISED_MODEL} | ${ADVISED_PROMPT} | — | steady gains on every iteration |`,
      `| 3 | 4 | **CONTINUE** | STAGNANT | 0.55 | rule | ${ADVISED_MODEL} | ${ADVISED_PROMPT} | llm:${ADVISED_MODEL} failed: ${FALLBACK_REASON} | rule: still improving |`,
      `| 4 | final | **PIVOT** | STAGNANT | 0.85 | llm:${ADVISED_MODEL} | ${ADVISED_MODEL} | ${ADVISED_PROMPT} | — | the score stopped improving |`,
    ]);
    expect(section(markdown, "## Advice history")).toContain(
      `Final advice, kept in the experiment summary: advice after iteration 4: PIVOT (confidence 0.85) by llm:${ADVISED_MODEL}, prompt ${ADVISED_PROMPT}.`,
    );
    // The assessment is the summary's advice, naming its prompt.
    expect(markdown).toContain("> **Next action: PIVOT** · confidence 85%");
    expect(markdown).toContain(`(source: llm:${ADVISED_MODEL}; prompt ${ADVISED_PROMPT})`);
    expect(markdown).toContain("> _The loop's last advice, kept in the experiment summary._");
  });

  it("per iteration: the advice, a fallback warning, the LLM cost and the failure analysis", async () => {
    const { markdown } = await renderMarkdownReport(advisedExperiment(), { chartEngine: engine });
    const notes = section(markdown, "## Advice, LLM cost and failure analysis by iteration");
    expect(notes).toContain(
      [
        "- **Iteration 3**",
        `  - advice after iteration 2: CONTINUE (confidence 0.72) by llm:${ADVISED_MODEL}, prompt ${ADVISED_PROMPT}`,
        "  - LLM cost $0.0055 · 2 calls (advisor, failure analysis) · 2400 tokens in, 600 out",
        `  - Failure analysis (PARAMETER\\_ISSUE → TUNE\\_PARAMETERS, confidence 0.8, by ${ADVISED_MODEL}, prompt failure-v1): position size too small at iteration 3`,
        "    - raise position\\_size to 0.2",
        "    - keep the stop loss",
      ].join("\n"),
    );
    expect(notes).toContain(
      `  - ⚠ **LLM advisor llm:${ADVISED_MODEL} failed (${FALLBACK_REASON}); rule advisor answered**`,
    );
    expect(notes).toContain(
      "  - LLM cost unknown (1 of 2 calls without a price; $0.001 for the rest)",
    );
    expect(notes).not.toContain("**Iteration 2**");
  });

  it("without advice in the records there is no history and no notes", async () => {
    const { markdown } = await renderMarkdownReport(sampleExperiment(), { chartEngine: engine });
    expect(markdown).not.toContain("Advice history");
    expect(markdown).not.toContain("by iteration");
  });

  it("a long run shows the first and latest advice and says how many are left out", async () => {
    const e = advisedExperiment();
    const template = e.records[2]?.advice as RecordedAdvice;
    const records = Array.from({ length: 40 }, (_, i) => ({
      ...(e.records[2] as ExperimentRecord),
      iteration: i + 1,
      advice: { ...template, after_iteration: i },
    }));
    const summary = e.meta.summary as NonNullable<typeof e.meta.summary>;
    const last = { ...(summary.advice as RecordedAdvice), after_iteration: 40 };
    const meta = { ...e.meta, summary: { ...summary, advice: last } };
    const { markdown } = await renderMarkdownReport(
      { meta, records },
      { chartEngine: engine, maxRows: 10 },
    );
    const rows = tableRows(markdown, "| After iteration |");
    expect(rows).toHaveLength(11);
    expect(rows[3]).toBe(`| ⋮ | _31 pieces of advice not shown_ |${" |".repeat(8)}`);
    expect(rows.at(-1)).toMatch(/^\| 40 \| final \| \*\*PIVOT\*\*/);
    const notes = section(markdown, "## Advice, LLM cost and failure analysis by iteration");
    expect(notes).toContain("- ⋮ _30 more iterations not shown; the HTML report has them all_");
    expect(notes.match(/^- \*\*Iteration/gm)).toHaveLength(10);
  });
});

describe("escaping of hostile advice", () => {
  it("keeps advice, LLM usage and failure analysis as text: no HTML, no link, no broken row", async () => {
    const { markdown } = await renderMarkdownReport(hostileAdvisedExperiment(), {
      chartEngine: engine,
    });
    expect(markdown).not.toMatch(/<(img|script|svg|style|!--)/i);
    expect(markdown).not.toMatch(/\]\(javascript:/i);
    expect(markdown).not.toContain("\u2028");
    const history = tableRows(markdown, "| After iteration |");
    expect(history).toHaveLength(2);
    const header = markdown.split("\n").find((l) => l.startsWith("| After iteration |")) as string;
    for (const row of history) expect(columns(row)).toBe(columns(header));
    const img = '&lt;img src=x onerror="window.\\_\\_pwned=1"&gt;';
    const script = "&lt;/script&gt;&lt;script&gt;window.\\_\\_pwned=1&lt;/script&gt;";
    // Source, fallback reason and reasoning, each escaped.
    expect(history[0]).toContain(`| ${img}${script} |`);
    expect(history[0]).toContain(`failed: ${img} ${script} line<br>sep<br>end`);
    expect(history[0]).toContain(`| ${script} ${img} reasoning 1 |`);
    const notes = section(markdown, "## Advice, LLM cost and failure analysis by iteration");
    expect(notes).toContain(`failed (${img} ${script} line sep end &lt;/script&gt;`);
    expect(notes).toContain(`    - ${script}`);
    expect(PAYLOADS.separator).toContain("\u2028");
  });
});
