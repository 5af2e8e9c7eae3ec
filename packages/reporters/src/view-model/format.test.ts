import { describe, expect, it } from "vitest";
import {
  formatCost,
  formatDate,
  formatDuration,
  formatNumber,
  formatP,
  formatSigned,
  formatValue,
} from "./format.js";

describe("formatNumber", () => {
  it.each([
    [0.123456, "0.1235"],
    [1.5, "1.5"],
    [42, "42"],
    [123456, "123,456"],
    [-0.00001234, "-1.234e-5"],
    [2.5e12, "2.5e12"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "∞"],
    [null, "—"],
    ["0.5", "—"],
  ])("%s → %s", (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});

describe("other formats", () => {
  it("signs, p-values and costs", () => {
    expect(formatSigned(0.25)).toBe("+0.25");
    expect(formatSigned(-0.25)).toBe("−0.25");
    expect(formatP(0.0004)).toBe("< 0.001");
    expect(formatP(0.3333)).toBe("0.33");
    expect(formatCost(0.01234)).toBe("$0.0123");
    expect(formatCost(1234.5)).toBe("$1,234.50");
    expect(formatCost(0)).toBe("$0");
  });

  it("durations read naturally", () => {
    expect(formatDuration(0.25)).toBe("250 ms");
    expect(formatDuration(45.2)).toBe("45.2 s");
    expect(formatDuration(133.1)).toBe("2 min 13 s");
    expect(formatDuration(3 * 3600 + 20 * 60)).toBe("3 h 20 min");
  });

  it("dates in UTC and parameter values exactly", () => {
    expect(formatDate(new Date("2026-01-18T14:30:22Z"))).toBe("2026-01-18 14:30 UTC");
    expect(formatValue(0.15)).toBe("0.15");
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(formatValue(true)).toBe("true");
  });
});
