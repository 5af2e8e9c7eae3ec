import { describe, expect, test } from "vitest";
import { redactUri, redactUrisIn } from "./uri-redaction.js";

const SECRET = "SENTINEL-s3cr3t-9d41";

describe("redactUri", () => {
  test("hides userinfo and every query value, keeps scheme, host, port, path and parameter names", () => {
    expect(redactUri(`http://me:${SECRET}@host:5000/x?token=${SECRET}&a=1`)).toBe(
      "http://***@host:5000/x?token=***&a=***",
    );
    expect(redactUri(`https://host/p?${SECRET}`)).toBe("https://host/p?***");
    expect(redactUri(`https://host/p#${SECRET}`)).toBe("https://host/p#***");
    expect(redactUri("http://127.0.0.1:5000")).toBe("http://127.0.0.1:5000");
  });

  test("a password with unencoded '@' or '/' in it is hidden whole", () => {
    const out = redactUri(`postgresql://admin:p@ss/${SECRET}@db.internal:5432/mlflow`);
    expect(out).toBe("postgresql://***@db.internal:5432/mlflow");
    expect(out).not.toContain(SECRET);
  });

  test("control characters are escaped and a long URI is cut", () => {
    expect(redactUri("http://host/\u001b]52;c;x\u0007")).toBe("http://host/\\x1b]52;c;x\\x07");
    const long = redactUri(`http://host/${"a".repeat(500)}`);
    expect(long.length).toBe(201);
    expect(long.endsWith("…")).toBe(true);
  });

  test("redactUrisIn rewrites each URL inside a text and leaves the rest", () => {
    expect(
      redactUrisIn(`proxy error at https://u:${SECRET}@gw/api?key=${SECRET} (retry later)`),
    ).toBe("proxy error at https://***@gw/api?key=*** (retry later)");
  });
});
