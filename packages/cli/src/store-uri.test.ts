import { describe, expect, it } from "vitest";
import { parseStoreUri, storeUriFrom } from "./store-uri.js";
import { UsageError } from "./usage-error.js";

describe("parseStoreUri", () => {
  it("reads jsonl:DIR relative to the working directory", () => {
    expect(parseStoreUri("jsonl:./experiments", "/home/me")).toEqual({
      kind: "jsonl",
      dir: "/home/me/experiments",
      display: "jsonl:/home/me/experiments",
    });
  });

  it("reads jsonl:/abs and jsonl:///abs as absolute", () => {
    expect(parseStoreUri("jsonl:/data/runs", "/home/me").dir).toBe("/data/runs");
    expect(parseStoreUri("jsonl:///data/runs", "/home/me").dir).toBe("/data/runs");
    expect(parseStoreUri("JSONL:runs", "/home/me").dir).toBe("/home/me/runs");
  });

  it("reads a plain directory path as jsonl", () => {
    expect(parseStoreUri("runs/2026", "/home/me")).toMatchObject({
      kind: "jsonl",
      dir: "/home/me/runs/2026",
    });
    expect(parseStoreUri("/data/x", "/home/me").dir).toBe("/data/x");
  });

  it("rejects other schemes with a UsageError naming the available ones", () => {
    const attempt = () => parseStoreUri("mlflow+http://127.0.0.1:5000", "/");
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(/"mlflow\+http:\/\/127\.0\.0\.1:5000" \(scheme "mlflow\+http"\)/);
    expect(attempt).toThrow(/Available: jsonl:DIR/);
  });

  it("rejects an empty URI and a jsonl: without a directory", () => {
    expect(() => parseStoreUri("  ", "/")).toThrow(/empty/);
    expect(() => parseStoreUri("jsonl:", "/")).toThrow(/names no directory/);
  });
});

describe("storeUriFrom", () => {
  it("prefers the option, then CONVERGE_STORE, then jsonl:./experiments", () => {
    expect(storeUriFrom("jsonl:a", { CONVERGE_STORE: "jsonl:b" })).toBe("jsonl:a");
    expect(storeUriFrom(undefined, { CONVERGE_STORE: "jsonl:b" })).toBe("jsonl:b");
    expect(storeUriFrom(undefined, { CONVERGE_STORE: "" })).toBe("jsonl:./experiments");
    expect(storeUriFrom(undefined, {})).toBe("jsonl:./experiments");
  });
});
