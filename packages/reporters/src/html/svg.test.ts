import { describe, expect, it } from "vitest";
import { inlineSvg, UnsafeSvgError } from "./svg.js";

const VEGA_LIKE = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" class="marks" width="400" height="300" viewBox="0 0 400 300"><defs><clipPath id="clip1"><rect width="10" height="10"/></clipPath></defs><g clip-path="url(#clip1)"><text>&lt;img onerror=&quot;x&quot;&gt;</text></g></svg>`;

describe("inlineSvg", () => {
  it("drops namespace URLs and prefixes ids and their references", () => {
    const { markup } = inlineSvg(VEGA_LIKE, "e1-c1-", "Gate score");
    expect(markup).not.toMatch(/http|xmlns/);
    expect(markup).toContain('id="e1-c1-clip1"');
    expect(markup).toContain('clip-path="url(#e1-c1-clip1)"');
    expect(markup).toMatch(
      /^<svg class="marks" width="400" height="300" viewBox="0 0 400 300" role="img" aria-label="Gate score">/,
    );
  });

  it("keeps escaped text escaped", () => {
    expect(inlineSvg(VEGA_LIKE, "p-").markup).toContain(
      "<text>&lt;img onerror=&quot;x&quot;&gt;</text>",
    );
  });

  it("escapes the accessible name", () => {
    expect(inlineSvg(VEGA_LIKE, "p-", `"><script>`).markup).toContain(
      'aria-label="&quot;&gt;&lt;script&gt;"',
    );
  });

  it("collects style attributes for the CSP", () => {
    const svg = `<svg width="1"><g style="cursor: pointer;"></g></svg>`;
    expect(inlineSvg(svg, "p-").styleAttributes).toEqual(["cursor: pointer;"]);
  });

  it.each([
    ["a script", `<svg><script>alert(1)</script></svg>`],
    ["an event handler", `<svg onload="alert(1)"></svg>`],
    ["an external link", `<svg><image href="https://example.com/x.png"/></svg>`],
    ["a foreignObject", `<svg><foreignObject></foreignObject></svg>`],
    ["no svg at all", `<html></html>`],
  ])("refuses %s", (_what, svg) => {
    expect(() => inlineSvg(svg, "p-")).toThrow(UnsafeSvgError);
  });

  it("allows an in-document reference and prefixes it", () => {
    const svg = `<svg><defs><path id="a"/></defs><use href="#a"/></svg>`;
    expect(inlineSvg(svg, "p-").markup).toContain('<use href="#p-a"/>');
  });
});
