import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./retry-after.js";

describe("parseRetryAfter", () => {
  it("reads delay-seconds, whole or fractional", () => {
    expect(parseRetryAfter("120")).toBe(120_000);
    expect(parseRetryAfter(" 1.5 ")).toBe(1500);
  });

  it("reads an HTTP date relative to now; a past date waits 0", () => {
    const now = Date.parse("2026-01-18T14:30:00Z");
    expect(parseRetryAfter("Sun, 18 Jan 2026 14:30:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Sun, 18 Jan 2026 14:29:00 GMT", now)).toBe(0);
  });

  it("is null when absent, empty or unreadable", () => {
    for (const value of [undefined, null, "", "  ", "soon"])
      expect(parseRetryAfter(value)).toBeNull();
  });
});
