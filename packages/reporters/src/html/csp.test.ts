import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, cspHash } from "./csp.js";

describe("cspHash", () => {
  it("is the base64 SHA-256 of the exact text", () => {
    expect(cspHash("")).toBe("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
    expect(cspHash("a")).not.toBe(cspHash("a "));
  });
});

describe("contentSecurityPolicy", () => {
  it("static: nothing by default, the stylesheet by hash, data: images, no script-src", () => {
    const policy = contentSecurityPolicy({ styles: ["body{}"] });
    expect(policy).toBe(
      `default-src 'none'; style-src ${cspHash("body{}")}; img-src data:; base-uri 'none'; form-action 'none'`,
    );
  });

  it("interactive: each script by hash, never unsafe-inline or unsafe-eval", () => {
    const policy = contentSecurityPolicy({ styles: ["s"], scripts: ["a()", "b()", "a()"] });
    expect(policy).toContain(`script-src ${cspHash("a()")} ${cspHash("b()")}`);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it("style attributes need 'unsafe-hashes' plus their hashes", () => {
    const policy = contentSecurityPolicy({ styles: ["s"], styleAttributes: ["cursor: pointer;"] });
    expect(policy).toContain(
      `style-src ${cspHash("s")} 'unsafe-hashes' ${cspHash("cursor: pointer;")}`,
    );
  });
});
