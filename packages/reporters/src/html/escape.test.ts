import { truncate } from "@converge/core";
import { describe, expect, it } from "vitest";
import { escapeAttr, escapeHtml, jsonForScript, scriptSafeSource } from "./escape.js";

describe("escapeHtml", () => {
  it("escapes the five HTML specials", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });

  it("turns script, comment and event-handler payloads into inert text", () => {
    const out = escapeHtml(`</script><!--<img src=x onerror="alert(1)">`);
    expect(out).not.toMatch(/[<>"]/);
    expect(out).toBe("&lt;/script&gt;&lt;!--&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("returns plain strings unchanged (and U+2028 is inert in HTML text)", () => {
    expect(escapeHtml("sharpe_ratio ≥ 1.0")).toBe("sharpe_ratio ≥ 1.0");
    expect(escapeHtml("a\u2028b")).toBe("a\u2028b");
  });

  it("escapes attribute values so a quote cannot end the attribute", () => {
    expect(escapeAttr(`" onmouseover="x`)).toBe("&quot; onmouseover=&quot;x");
  });
});

describe("jsonForScript", () => {
  const hostile = {
    code: "</script><script>window.__pwned=1</script>",
    comment: "<!-- x -->",
    amp: "a & b",
    sep: "line\u2028sep\u2029end",
  };

  it("leaves no sequence that can end or alter a script element", () => {
    const text = jsonForScript(hostile);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(text).toContain("\\u003c/script\\u003e");
    expect(text).toContain("\\u2028");
    expect(text).toContain("\\u0026");
  });

  it("round-trips through JSON.parse", () => {
    expect(JSON.parse(jsonForScript(hostile))).toEqual(hostile);
  });

  it("writes non-finite numbers as null, like JSON.stringify", () => {
    expect(jsonForScript([Number.NaN, 1])).toBe("[null,1]");
  });

  it("refuses a value with no JSON form, saying what to pass", () => {
    expect(() => jsonForScript(undefined)).toThrow(/no JSON form.*plain object/);
  });
});

describe("scriptSafeSource", () => {
  it("neutralises </script and <!-- inside bundle strings", () => {
    const out = scriptSafeSource(`var a="</script>",b='<!--';`);
    expect(out).toBe(`var a="<\\/script>",b='<\\x21--';`);
    // The escaped source means the same thing to JavaScript.
    const scope: { a?: string; b?: string } = {};
    new Function("s", out.replace("var a", "s.a").replace(",b", ";s.b"))(scope);
    expect(scope).toEqual({ a: "</script>", b: "<!--" });
  });

  it("escapes </SCRIPT in any letter case", () => {
    expect(scriptSafeSource("'</SCRIPT>'")).toBe("'<\\/SCRIPT>'");
  });
});

describe("truncate", () => {
  it("keeps short strings and shortens long ones with an ellipsis", () => {
    expect(truncate("abc", 5)).toBe("abc");
    expect(truncate("a".repeat(200), 10)).toBe(`${"a".repeat(9)}…`);
  });

  it("does not split a surrogate pair", () => {
    expect(truncate("😀".repeat(6), 4)).toBe("😀😀😀…");
  });
});
