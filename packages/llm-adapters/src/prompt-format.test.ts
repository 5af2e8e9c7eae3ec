import { describe, expect, it } from "vitest";
import {
  assemble,
  capped,
  clipMiddle,
  fenced,
  formatValue,
  num,
  oneLine,
  type PromptSection,
  quoted,
  signed,
  truncate,
} from "./prompt-format.js";

describe("num / signed", () => {
  it("prints 4 significant digits, integers exactly, non-finite as words", () => {
    expect(num(0.123456)).toBe("0.1235");
    expect(num(1234.5678)).toBe("1235");
    expect(num(-0.000012346)).toBe("-0.00001235");
    expect(num(1.23456e-9)).toBe("1.235e-9");
    expect(num(42)).toBe("42");
    expect(num(252)).toBe("252");
    expect(num(-0)).toBe("0");
    expect(num(Number.NaN)).toBe("n/a");
    expect(num(null)).toBe("n/a");
    expect(num(undefined)).toBe("n/a");
    expect(num(Number.POSITIVE_INFINITY)).toBe("∞");
    expect(num(Number.NEGATIVE_INFINITY)).toBe("-∞");
  });

  it("signs positive numbers only", () => {
    expect(signed(0.05)).toBe("+0.05");
    expect(signed(-0.05)).toBe("-0.05");
    expect(signed(0)).toBe("0");
    expect(signed(Number.POSITIVE_INFINITY)).toBe("+∞");
    expect(signed(Number.NaN)).toBe("n/a");
  });
});

describe("strings from records", () => {
  it("truncates to the bound with an ellipsis, never splitting a surrogate pair", () => {
    expect(truncate("abcdef", 6)).toBe("abcdef");
    expect(truncate("abcdefg", 6)).toBe("abcde…");
    const emoji = `abcd${"😀".repeat(3)}`;
    const cut = truncate(emoji, 6);
    expect(cut.length).toBeLessThanOrEqual(6);
    expect(cut).toBe("abcd…");
  });

  it("keeps a string on one line: line breaks and control characters become spaces", () => {
    expect(oneLine("a\nb\r\n\tc\u2028d\u0000e")).toBe("a b c d e");
    expect(oneLine("x".repeat(500))).toHaveLength(200);
    expect(quoted('say "hi"\n## Heading')).toBe('"say \\"hi\\" ## Heading"');
  });

  it("clips long code in the middle, keeping head and tail and saying how much was cut", () => {
    const code = `${"h".repeat(5000)}${"t".repeat(5000)}`;
    const clipped = clipMiddle(code, 4000);
    expect(clipped.startsWith("h".repeat(3000))).toBe(true);
    expect(clipped.endsWith("t".repeat(1000))).toBe(true);
    expect(clipped).toContain("… [6000 characters cut] …");
    expect(clipMiddle("short", 4000)).toBe("short");
  });

  it("fences text with a fence longer than any backtick run inside it", () => {
    expect(fenced("plain")).toBe("```text\nplain\n```");
    const nasty = "a ``` b\n````\nc";
    const block = fenced(nasty);
    expect(block.startsWith("`````text\n")).toBe(true);
    expect(block.endsWith("\n`````")).toBe(true);
  });

  it("formats parameter values compactly", () => {
    expect(formatValue(0.15)).toBe("0.15");
    expect(formatValue(1 / 3)).toBe("0.333333");
    expect(formatValue("pull\nback")).toBe('"pull back"');
    expect(formatValue(true)).toBe("true");
    expect(formatValue(null)).toBe("null");
    expect(formatValue(undefined)).toBe("(none)");
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(formatValue("v".repeat(100))).toHaveLength(62);
  });
});

describe("capped / assemble", () => {
  it("lists at most max items and counts the rest", () => {
    const lines = capped([1, 2, 3, 4, 5], 3, (n) => `- ${n}`, "numbers", "  ");
    expect(lines).toEqual(["- 1", "- 2", "- 3", "  - … 2 more numbers not shown"]);
    expect(capped([1], 3, (n) => `- ${n}`, "numbers")).toEqual(["- 1"]);
  });

  const sections = (): PromptSection[] => [
    { title: "Keep", entries: ["- important"], priority: 90 },
    {
      title: "Old first",
      entries: Array.from({ length: 50 }, (_, i) => `- iteration ${i + 1} ${"x".repeat(80)}`),
      priority: 30,
      cutFrom: "start",
    },
    {
      title: "Tail cut",
      entries: Array.from({ length: 50 }, (_, i) => `- item ${i + 1} ${"y".repeat(80)}`),
      priority: 50,
    },
    { title: "Your task", entries: ["Answer with JSON."], priority: Number.POSITIVE_INFINITY },
  ];

  it("returns everything when within budget", () => {
    const text = assemble(sections(), 100_000);
    expect(text).toContain("- iteration 1 x");
    expect(text).not.toContain("left out");
    expect(text.split("\n\n").map((s) => s.split("\n")[0])).toEqual([
      "## Keep",
      "## Old first",
      "## Tail cut",
      "## Your task",
    ]);
  });

  it("cuts the lowest priority first, from its cut end, until the text fits", () => {
    const text = assemble(sections(), 6000);
    expect(text.length).toBeLessThanOrEqual(6000);
    expect(text).toContain("## Your task\nAnswer with JSON.");
    expect(text).toContain("- important");
    // The oldest iterations went first; the newest stayed.
    expect(text).not.toContain("- iteration 1 x");
    expect(text).toContain("- iteration 50 x");
    expect(text).toMatch(/## Old first\n- … \d+ more lines left out to keep the prompt short\n/);
  });

  it("moves on to the next section once one is down to a single entry", () => {
    const text = assemble(sections(), 2500);
    expect(text.length).toBeLessThanOrEqual(2500);
    expect(text).toContain("- iteration 50 x");
    expect(text).toContain("- item 1 y");
    expect(text).not.toContain("- item 50 y");
    expect(text).toContain("## Your task\nAnswer with JSON.");
  });

  it("cuts in two passes: first down to each section's minEntries, then down to one", () => {
    const many = (tag: string) =>
      Array.from({ length: 20 }, (_, i) => `- ${tag} ${i + 1} ${"z".repeat(90)}`);
    const parts = (): PromptSection[] => [
      { title: "High", entries: many("high"), priority: 80 },
      { title: "Low", entries: many("low"), priority: 20, minEntries: 5 },
      { title: "Mid", entries: many("mid"), priority: 50, minEntries: 5 },
    ];
    // Pass 1 is enough: Low and Mid keep 5 entries, High (no minEntries) is untouched.
    const first = assemble(parts(), 3200);
    expect(first.length).toBeLessThanOrEqual(3200);
    expect(first).toContain("- high 20 z");
    expect(first).toContain("- low 5 z");
    expect(first).not.toContain("- low 6 z");
    expect(first).toContain("- mid 1 z");
    // Pass 2: below one entry per section nothing is cut; over that, Low goes to one first.
    const second = assemble(parts(), 2800);
    expect(second.length).toBeLessThanOrEqual(2800);
    expect(second).toContain("- low 1 z");
    expect(second).not.toContain("- low 2 z");
    expect(second).toContain("- mid 5 z");
  });
});
