import { describe, expect, it } from "vitest";
import { HIDDEN_CHARACTER, hiddenCharacters, terminalSafe } from "./text-safety.js";

describe("terminalSafe", () => {
  it("escapes every C0 control, DEL and C1 control visibly", () => {
    for (let code = 0; code < 0xa0; code++) {
      if (code >= 0x20 && code < 0x7f) continue;
      const out = terminalSafe(`a${String.fromCharCode(code)}b`);
      expect(out).toMatch(/^a\\(x[0-9a-f]{2}|n|r|t)b$/);
    }
  });

  it("defuses OSC 52, window titles, clear-screen and forged rows", () => {
    const hostile = "\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07\x1b[2J\rok\nforged | row";
    const out = terminalSafe(hostile);
    expect([...out].every((c) => c.charCodeAt(0) >= 0x20 && c !== "\x7f")).toBe(true);
    expect(out).toBe("\\x1b]52;c;ZXZpbA==\\x07\\x1b]0;pwned\\x07\\x1b[2J\\rok\\nforged | row");
  });

  it("keeps newlines when asked, still escaping CR", () => {
    expect(terminalSafe("a\r\nb", { keepNewlines: true })).toBe("a\\r\nb");
  });

  it("makes bidi overrides, zero-width characters and separators visible", () => {
    expect(terminalSafe("admin\u202e\u2066x\u200b\ufeff\u2028")).toBe(
      "admin\\u202e\\u2066x\\u200b\\ufeff\\u2028",
    );
  });

  it("leaves ordinary text, accents, CJK and emoji alone", () => {
    const text = "Sharpe ≥ 1.5 · café 日本 🚀";
    expect(terminalSafe(text)).toBe(text);
  });
});

describe("hiddenCharacters", () => {
  it("lists each hidden character once, in order of first use", () => {
    expect(hiddenCharacters("if (a\u202e) {\u200b}\u202e")).toEqual(["U+202E", "U+200B"]);
    expect(hiddenCharacters("plain")).toEqual([]);
  });

  it("exports a pattern that matches them for replace", () => {
    expect("x\u2067y".replace(HIDDEN_CHARACTER, "?")).toBe("x?y");
  });
});
