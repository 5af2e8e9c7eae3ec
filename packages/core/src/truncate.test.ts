import { describe, expect, it } from "vitest";
import { truncate } from "./truncate.js";

describe("truncate by UTF-16 units", () => {
  it("keeps the length within the bound and never splits a surrogate pair", () => {
    expect(truncate("abcdef", 6, "utf-16")).toBe("abcdef");
    expect(truncate("abcdefg", 6, "utf-16")).toBe("abcde…");
    expect(truncate(`abcd${"😀".repeat(3)}`, 6, "utf-16")).toBe("abcd…");
  });
});
