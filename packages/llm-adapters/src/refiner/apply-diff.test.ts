import { describe, expect, it } from "vitest";
import { BAD_DIFF, CODE, GOOD_DIFF } from "../test-fixtures/refiner-input.js";
import { applyUnifiedDiff } from "./apply-diff.js";

describe("applyUnifiedDiff", () => {
  it("applies a diff that fits exactly, with or without file headers", () => {
    const applied = applyUnifiedDiff(CODE, GOOD_DIFF);
    expect(applied).toEqual({ ok: true, code: CODE.replace("] > avg", "] >= avg") });
    const headless = GOOD_DIFF.split("\n").slice(2).join("\n");
    expect(applyUnifiedDiff(CODE, headless)).toEqual(applied);
  });

  it("names the hunk and the line that is not in the code", () => {
    const applied = applyUnifiedDiff(CODE, BAD_DIFF);
    expect(applied.ok).toBe(false);
    if (applied.ok) return;
    expect(applied.reason).toBe(
      'hunk 1 (@@ -2,3 +2,3 @@) does not match the code: the line "mean = sum(prices[-window:]) / window" it expects is not in the code',
    );
  });

  it("refuses prose, a diff that does not parse, and a diff of two files", () => {
    expect(applyUnifiedDiff(CODE, "make the comparison inclusive")).toEqual({
      ok: false,
      reason: "the diff has no hunk (no line starting with @@ -l,n +l,n @@)",
    });
    const miscounted = applyUnifiedDiff(CODE, "@@ -2,3 +2,3 @@\n-    return 0\n+    return -1\n");
    expect(miscounted).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^the diff does not parse: /),
    });
    const twoFiles = `${GOOD_DIFF}--- a/other.py\n+++ b/other.py\n@@ -1 +1 @@\n-x\n+y\n`;
    expect(applyUnifiedDiff(CODE, twoFiles)).toEqual({
      ok: false,
      reason: "the diff patches 2 files; answer one diff against the strategy's code only",
    });
  });
});
