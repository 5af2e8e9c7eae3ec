import { describe, expect, it } from "vitest";
import {
  formatChanges,
  formatDuration,
  formatMetric,
  formatNumber,
  formatValue,
  toJson,
} from "./format.js";
import { truncate } from "./table.js";

describe("formatChanges", () => {
  it("reads Converge's {name: {from, to}} form", () => {
    expect(
      formatChanges({
        position_size: { from: 0.1, to: 0.15 },
        added: { to: "x" },
        removed: { from: 3 },
      }),
    ).toEqual(["position_size 0.1→0.15", "+added=x", "-removed (was 3)"]);
  });

  it("reads the Python logger's {name: to} form, including object values", () => {
    expect(formatChanges({ position_size: 0.2, mode: "fast", window: { fast: 5 } })).toEqual([
      "position_size→0.2",
      "mode→fast",
      'window→{"fast":5}',
    ]);
  });
});

describe("formatNumber", () => {
  it("writes an integer-valued metric as an integer and others with 4 significant digits", () => {
    expect(formatNumber(21)).toBe("21");
    expect(formatNumber(755)).toBe("755");
    expect(formatNumber(12_345)).toBe("12,345");
    expect(formatNumber(0.000123)).toBe("0.000123");
    expect(formatNumber(1.5e9)).toBe("1.5e9");
    expect(formatNumber(-0.0114)).toBe("-0.0114");
    expect(formatNumber(1.0756527349307747)).toBe("1.076");
  });

  it("on a loop's lines: n/a for what is not a finite number", () => {
    expect(formatMetric(21)).toBe("21");
    expect(formatMetric(0.17516965310805765)).toBe("0.1752");
    expect(formatMetric(Number.NaN)).toBe("n/a");
    expect(formatMetric(undefined)).toBe("n/a");
  });

  it("writes a parameter value without digit grouping", () => {
    expect(formatValue(12_345)).toBe("12345");
    expect(formatValue(0.15)).toBe("0.15");
  });

  it("writes non-finite values as text and trims decimals", () => {
    expect(formatNumber(Number.NaN)).toBe("NaN");
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe("Infinity");
    expect(formatNumber(Number.NEGATIVE_INFINITY)).toBe("-Infinity");
    expect(formatNumber(0.2)).toBe("0.2");
    expect(formatNumber(1.234567)).toBe("1.235");
    expect(formatNumber(70)).toBe("70");
    expect(formatNumber(0.0000123)).toBe("1.23e-5");
  });
});

describe("formatDuration", () => {
  it("uses seconds, minutes or hours", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(0.0004)).toBe("< 0.01 s");
    expect(formatDuration(45.2)).toBe("45.2 s");
    expect(formatDuration(133.1)).toBe("2 min 13.1 s");
    expect(formatDuration(3720)).toBe("1 h 02 min");
  });
});

describe("toJson", () => {
  it("keeps non-finite numbers as strings instead of null", () => {
    expect(JSON.parse(toJson({ a: Number.NaN, b: [Number.NEGATIVE_INFINITY], c: 1 }))).toEqual({
      a: "NaN",
      b: ["-Infinity"],
      c: 1,
    });
  });
});

describe("truncate", () => {
  it("cuts long text with an ellipsis and flattens newlines", () => {
    expect(truncate("short", 10)).toBe("short");
    expect(truncate("a b c d e f g h", 6)).toBe("a b c…");
    expect(truncate("line one\nline two", 40)).toBe("line one line two");
  });
});
