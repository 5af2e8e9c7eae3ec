import { describe, expect, it } from "vitest";
import { fakeChartEngine } from "../test-fixtures/fake-charts.js";
import { trojanExperiment } from "../test-fixtures/trojan.js";
import { codeBlockMarkdown } from "./code.js";
import { escapeMarkdown } from "./escape.js";
import { renderMarkdownReport } from "./render.js";

/** The hidden and control characters of the fixture still raw in `text` (none, once marked). */
const rawIn = (text: string) =>
  ["\u202e", "\u2066", "\u2069", "\u200b", "\u001b"].filter((c) => text.includes(c));

const WARNING =
  "This code contains bidirectional or invisible Unicode characters: U+202E, U+2066, U+2069, U+200B, U+001B";

describe("hidden characters in the Markdown report", () => {
  it("shows the latest code change as a diff with visible marks and the warning above it", async () => {
    const { markdown } = await renderMarkdownReport(trojanExperiment(), {
      chartEngine: fakeChartEngine(),
      charts: "omit",
    });
    const section = markdown.slice(markdown.indexOf("## Strategy code"));
    expect(section).toContain(
      "Iteration 2 changed the code: +2 −2 lines, the latest of 2 code versions",
    );
    expect(section).toContain(`> ⚠ ${WARNING}\n\n\`\`\`diff\n@@ -1,5 +1,5 @@\n`);
    expect(section).toContain(
      '\n+    if access_level != "user⟨U+202E⟩ ⟨U+2066⟩# Check if admin⟨U+2069⟩ ⟨U+2066⟩":\n',
    );
    expect(section).toContain("\n+    return False⟨U+200B⟩  # ⟨U+001B⟩[2J\n");
    // The metric name in the iteration table is marked too; no raw hidden character anywhere.
    expect(markdown).toContain("| # | level | profit⟨U+202E⟩TIFORP |");
    expect(rawIn(markdown)).toEqual([]);
  });

  it("fences code with a fence longer than any backtick run in it, and caps long code", () => {
    const block = codeBlockMarkdown("a ```` b\n", "text");
    expect(block).toBe("`````text\na ```` b\n`````");
    const long = codeBlockMarkdown(`${"x\n".repeat(100)}`, "");
    expect(long.split("\n")).toHaveLength(83);
    expect(long).toContain("\n… 20 more lines\n```");
    expect(codeBlockMarkdown("clean\n", "")).toBe("```\nclean\n```");
  });

  it("marks hidden characters in every escaped string, keeping line breaks as breaks", () => {
    expect(escapeMarkdown("a\u200bb\u2028c\u001b")).toBe("a⟨U+200B⟩b<br>c⟨U+001B⟩");
  });
});
