import { describe, expect, it } from "vitest";
import { formatMetricValue } from "./metric-value.js";

describe("formatMetricValue", () => {
  it.each([
    [755, "755"],
    [21, "21"],
    [0, "0"],
    [-0, "0"],
    [-42, "-42"],
    [12_345, "12,345"],
    [-1_234_567, "-1,234,567"],
    [0.1752, "0.1752"],
    [1.0756527349307747, "1.076"],
    [0.30000000000000004, "0.3"],
    [11.5998, "11.6"],
    [-4.208333, "-4.208"],
    [0.000822, "0.000822"],
    [0.000123, "0.000123"],
    [0.0000123, "1.23e-5"],
    [1.5e9, "1.5e9"],
    [-2.5e12, "-2.5e12"],
    [123456.7, "123,457"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [Number.NEGATIVE_INFINITY, "-Infinity"],
  ])("%d → %s", (value, text) => {
    expect(formatMetricValue(value)).toBe(text);
  });

  it("never writes trailing zeros, whatever the digits", () => {
    for (const value of [755, 252, 1, 0.5, 0.25, 1e-3, 2.5, 100.1]) {
      for (const digits of [1, 3, 6, 10]) {
        expect(formatMetricValue(value, { digits }), `${value} at ${digits}`).not.toMatch(
          /\.\d*0$|\.$/,
        );
      }
    }
  });

  it("takes the significant digits asked for, and leaves grouping off when asked", () => {
    expect(formatMetricValue(Math.PI, { digits: 2 })).toBe("3.1");
    expect(formatMetricValue(Math.PI, { digits: 6 })).toBe("3.14159");
    expect(formatMetricValue(0.123456, { digits: 3 })).toBe("0.123");
    expect(formatMetricValue(12_345, { group: false })).toBe("12345");
  });
});
