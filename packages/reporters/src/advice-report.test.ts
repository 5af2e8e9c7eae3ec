/**
 * Reports of an experiment run with an LLM advisor and failure analyser: the
 * reviewer sees which model and prompt version advised each iteration and
 * why a fallback answered, and no secret of the environment the report was
 * rendered in ends up in it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderHtmlReport } from "./html/document.js";
import { renderMarkdownReport } from "./markdown/render.js";
import { htmlReporter, markdownReporter } from "./reporters.js";
import {
  ADVISED_MODEL,
  ADVISED_OUTLOOK,
  ADVISED_PROMPT,
  advisedExperiment,
  FAILURE_PROMPT,
  FALLBACK_REASON,
} from "./test-fixtures/advised.js";
import { fakeChartEngine } from "./test-fixtures/fake-charts.js";
import { decode } from "./test-fixtures/html-inspect.js";

const SENTINEL = "sk-test-SENTINEL-7f3a9c2e1b";
const engine = fakeChartEngine();

/** An HTML report as a reader sees it: both the markup and its text (tags dropped). */
const readable = (html: string) => `${html}\n${decode(html.replace(/<[^>]*>/g, ""))}`;

beforeEach(() => {
  vi.stubEnv("OPENAI_API_KEY", SENTINEL);
  vi.stubEnv("ANTHROPIC_API_KEY", SENTINEL);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function reports(): Promise<Record<string, string>> {
  const experiment = advisedExperiment();
  const markdown = await renderMarkdownReport(experiment, { chartEngine: engine });
  const viaPlugin = await markdownReporter({ chartEngine: engine }).render({
    experiments: [experiment],
  });
  return {
    "static HTML": readable(await renderHtmlReport(experiment, { chartEngine: engine })),
    "interactive HTML": readable(
      await renderHtmlReport(experiment, { chartEngine: engine, interactive: true }),
    ),
    "HTML reporter": readable(
      (await htmlReporter({ chartEngine: engine }).render({ experiments: [experiment] })).body,
    ),
    Markdown: [markdown.markdown, ...Object.values(markdown.files)].join("\n"),
    "Markdown reporter": [viaPlugin.body, ...Object.values(viaPlugin.attachments ?? {})]
      .map((b) => (typeof b === "string" ? b : Buffer.from(b).toString("utf8")))
      .join("\n"),
  };
}

describe("reports of an LLM-advised experiment", () => {
  it("the fixture is what the check needs: advice, LLM usage, no sentinel in the input", () => {
    const e = advisedExperiment();
    expect(e.records.filter((r) => r.advice).length).toBe(2);
    expect(e.records.filter((r) => r.llm_usage.length > 0).length).toBe(3);
    expect(JSON.stringify(e)).not.toContain(SENTINEL);
    expect(process.env.OPENAI_API_KEY).toBe(SENTINEL);
  });

  it("never contain a secret from the environment", async () => {
    for (const [name, text] of Object.entries(await reports())) {
      expect(text.length, name).toBeGreaterThan(1000);
      expect(text, name).not.toContain(SENTINEL);
      expect(text, name).not.toContain(SENTINEL.slice(-10));
    }
  });

  it("name the model, the prompt versions, the fallback reason and the outlook", async () => {
    for (const [name, text] of Object.entries(await reports())) {
      expect(text, name).toContain(
        `advice after iteration 2: CONTINUE (confidence 0.72) by llm:${ADVISED_MODEL}, prompt ${ADVISED_PROMPT}`,
      );
      expect(text, name).toContain(
        `LLM advisor llm:${ADVISED_MODEL} failed (${FALLBACK_REASON}); rule advisor answered`,
      );
      expect(text, name).toContain(`prompt ${FAILURE_PROMPT}`);
      expect(text, name).toContain("LLM cost unknown");
      expect(text, name).toContain("Advice history");
      expect(text, name).toContain(ADVISED_OUTLOOK);
    }
  });
});
