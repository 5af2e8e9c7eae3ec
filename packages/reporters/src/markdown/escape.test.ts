import { describe, expect, it } from "vitest";
import { cell, escapeMarkdown } from "./escape.js";

describe("escapeMarkdown", () => {
  it("keeps HTML as text", () => {
    expect(escapeMarkdown(`<img src=x onerror="alert(1)"> & </script>`)).toBe(
      `&lt;img src=x onerror="alert(1)"&gt; &amp; &lt;/script&gt;`,
    );
  });

  it("defuses links, emphasis, code and strikethrough", () => {
    expect(escapeMarkdown("[x](javascript:alert(1)) *a* _b_ `c` ~~d~~")).toBe(
      "\\[x\\](javascript:alert(1)) \\*a\\* \\_b\\_ \\`c\\` \\~\\~d\\~\\~",
    );
  });

  it("escapes a leading block marker", () => {
    expect(escapeMarkdown("# not a heading")).toBe("\\# not a heading");
    expect(escapeMarkdown("1. not a list")).toBe("1\\. not a list");
    expect(escapeMarkdown("- item")).toBe("\\- item");
    expect(escapeMarkdown("---")).toBe("\\---");
    // Numbers are not block markers.
    expect(escapeMarkdown("0.15")).toBe("0.15");
    expect(escapeMarkdown("-0.5")).toBe("-0.5");
  });

  it("turns every kind of line break into <br> or a space", () => {
    expect(escapeMarkdown("a\nb\r\nc\u2028d")).toBe("a<br>b<br>c<br>d");
    expect(escapeMarkdown("a\nb", "space")).toBe("a b");
  });
});

describe("cell", () => {
  it("escapes pipes and newlines so the row stays one row", () => {
    expect(cell("a | b\nc")).toBe("a \\| b<br>c");
  });

  it("is never empty", () => {
    expect(cell("")).toBe(" ");
  });
});
