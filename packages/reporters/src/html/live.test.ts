import { describe, expect, it } from "vitest";
import { advisedExperiment } from "../test-fixtures/advised.js";
import { cspHash } from "./csp.js";
import { renderHtmlReport } from "./document.js";
import { liveScript } from "./live.js";

describe("the live build (converge watch)", () => {
  it("adds the status line, its script by hash and connect-src 'self' only", async () => {
    const html = await renderHtmlReport(advisedExperiment(), { live: { version: 7 } });
    const attribute =
      /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? "";
    const policy = attribute.replaceAll("&#39;", "'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain(`script-src ${cspHash(liveScript({ version: 7 }))}`);
    expect(policy).toContain("default-src 'none'");
    expect(html).toContain(
      '<aside class="live" id="live" aria-label="Live status" data-version="7">',
    );
    expect(html).toContain('<span id="live-text" role="status" aria-live="polite">');
    expect(html).toContain("Served live by converge watch");
    // The script is the same for every version, so the policy does not change as records arrive.
    expect(liveScript({ version: 1 })).toBe(liveScript({ version: 2 }));
  });

  it("keeps one policy as iterations and columns arrive, so the open page can swap in place", async () => {
    const full = advisedExperiment();
    const policyAt = async (n: number) => {
      const records = full.records.slice(0, n);
      const html = await renderHtmlReport({ meta: full.meta, records }, { live: { version: n } });
      return /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    };
    const first = await policyAt(1);
    expect(first).toBeDefined();
    expect(await policyAt(0)).toBe(first);
    expect(await policyAt(full.records.length)).toBe(first);
  });

  it("leaves the file build without any script or connection", async () => {
    const html = await renderHtmlReport(advisedExperiment());
    expect(html).not.toContain("connect-src");
    expect(html).not.toContain("<script");
    expect(html).not.toContain('id="live"');
  });

  it("refuses live with interactive, saying which to drop", async () => {
    await expect(
      renderHtmlReport(advisedExperiment(), { live: { version: 1 }, interactive: true }),
    ).rejects.toThrow(/options\.live and options\.interactive cannot be combined/);
  });
});
