import { describe, expect, it } from "vitest";
import { createStyle } from "./style.js";
import { append, jsonSafe, maxOf, safeOutput } from "./terminal-text.js";
import { RAW_UNSAFE } from "./test-fixtures/capture-io.js";

const colour = createStyle(true);

describe("safeOutput", () => {
  it("escapes C0 and C1 controls, DEL, bidi and zero-width characters visibly", () => {
    expect(
      safeOutput("a\u001b]52;c;eA==\u0007b\rc\u007fd\u0085e\u202ef\u200bg\u2028h", {
        colour: false,
      }),
    ).toBe(String.raw`a\x1b]52;c;eA==\x07b\rc\x7fd\x85e\u202ef\u200bg\u2028h`);
  });

  it("keeps the colour codes a Style emits when colour is on, and escapes any other sequence", () => {
    const line = `${colour.bold("id")} ${colour.red("FAIL")} \u001b[2J\u001b[38;5;1mx`;
    expect(safeOutput(line, { colour: true })).toBe(
      `\u001b[1mid\u001b[22m \u001b[31mFAIL\u001b[39m ${String.raw`\x1b[2J\x1b[38;5;1mx`}`,
    );
  });

  it("escapes a line break unless keepNewlines, and is idempotent", () => {
    expect(safeOutput("a\nb", { colour: false })).toBe(String.raw`a\nb`);
    expect(safeOutput("a\nb\r", { colour: true, keepNewlines: true })).toBe("a\nb\\r");
    const once = safeOutput(`${colour.green("ok")}\u001b]0;t\u0007`, { colour: true });
    expect(safeOutput(once, { colour: true })).toBe(once);
  });
});

describe("jsonSafe", () => {
  it("escapes what JSON.stringify leaves raw, and the JSON value stays the same", () => {
    const value = { "k\u202e": "a\u2028b\u2029c\u007fd\u0085e\u200bf\ufeffg\u001bh" };
    const text = JSON.stringify(value, null, 2);
    expect(text).toContain("\u2028");
    const safe = jsonSafe(text);
    expect(safe).not.toMatch(RAW_UNSAFE);
    expect(safe).toContain(
      String.raw`"k\u202e": "a\u2028b\u2029c\u007fd\u0085e\u200bf\ufeffg\u001bh"`,
    );
    expect(JSON.parse(safe)).toEqual(value);
    // The line breaks of pretty-printed JSON are kept.
    expect(safe.split("\n")).toHaveLength(3);
    expect(jsonSafe(safe)).toBe(safe);
  });
});

describe("maxOf and append", () => {
  const many = Array.from({ length: 500_000 }, (_, i) => i % 1000);

  it("take lists far longer than a call's argument limit", () => {
    expect(maxOf(many)).toBe(999);
    expect(maxOf([], 7)).toBe(7);
    expect(maxOf([-3, -1, -2])).toBe(-1);
    const target = ["a"];
    expect(append(target, many.map(String))).toBe(target);
    expect(target).toHaveLength(500_001);
    expect(target.at(-1)).toBe("999");
  });
});
