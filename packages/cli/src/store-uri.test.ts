import { describe, expect, it } from "vitest";
import { parseStoreUri, redactSecrets, resolveStoreLocation, storeUriFrom } from "./store-uri.js";
import { UsageError } from "./usage-error.js";

/** The directory of a location that must be a JSONL one. */
function dirOf(uri: string, cwd: string): string {
  const location = parseStoreUri(uri, cwd);
  if (location.kind !== "jsonl") throw new Error(`${uri} is not a jsonl store`);
  return location.dir;
}

describe("parseStoreUri", () => {
  it("reads jsonl:DIR relative to the working directory", () => {
    expect(parseStoreUri("jsonl:./experiments", "/home/me")).toEqual({
      kind: "jsonl",
      dir: "/home/me/experiments",
      display: "jsonl:/home/me/experiments",
    });
  });

  it("reads jsonl:/abs and jsonl:///abs as absolute", () => {
    expect(dirOf("jsonl:/data/runs", "/home/me")).toBe("/data/runs");
    expect(dirOf("jsonl:///data/runs", "/home/me")).toBe("/data/runs");
    expect(dirOf("JSONL:runs", "/home/me")).toBe("/home/me/runs");
  });

  it("reads a plain directory path as jsonl", () => {
    expect(parseStoreUri("runs/2026", "/home/me")).toMatchObject({
      kind: "jsonl",
      dir: "/home/me/runs/2026",
    });
    expect(dirOf("/data/x", "/home/me")).toBe("/data/x");
  });

  it("rejects other schemes with a UsageError naming the available ones", () => {
    const attempt = () => parseStoreUri("postgres://127.0.0.1:5432/runs", "/");
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(/"postgres:\/\/127\.0\.0\.1:5432\/runs" \(scheme "postgres"\)/);
    expect(attempt).toThrow(/Available: jsonl:DIR, .*mlflow\+http:\/\/HOST:PORT/);
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

  it("uses MLFLOW_TRACKING_URI after --store and CONVERGE_STORE", () => {
    const env = { MLFLOW_TRACKING_URI: "http://mlflow:5000" };
    expect(storeUriFrom(undefined, env)).toBe("mlflow+http://mlflow:5000");
    expect(storeUriFrom(undefined, { ...env, CONVERGE_STORE: "jsonl:b" })).toBe("jsonl:b");
    expect(storeUriFrom("jsonl:a", { ...env, CONVERGE_STORE: "jsonl:b" })).toBe("jsonl:a");
    expect(storeUriFrom(undefined, { MLFLOW_TRACKING_URI: "mlflow+http://m:1" })).toBe(
      "mlflow+http://m:1",
    );
    expect(storeUriFrom(undefined, { MLFLOW_TRACKING_URI: "" })).toBe("jsonl:./experiments");
  });
});

describe("mlflow+ stores", () => {
  it("reads mlflow+http and mlflow+https with the experiment name", () => {
    expect(parseStoreUri("mlflow+http://127.0.0.1:5000/", "/")).toEqual({
      kind: "mlflow",
      trackingUri: "http://127.0.0.1:5000",
      experimentName: "converge",
      display: 'mlflow+http://127.0.0.1:5000 (experiment "converge")',
    });
    expect(
      parseStoreUri("MLflow+HTTPS://mlflow.example.com/tracking", "/", {
        mlflowExperiment: "research",
      }),
    ).toMatchObject({
      kind: "mlflow",
      trackingUri: "https://mlflow.example.com/tracking",
      experimentName: "research",
    });
  });

  it("refuses credentials in the URI without echoing them", () => {
    let message = "";
    try {
      parseStoreUri("mlflow+http://alice:s3cr3t-sentinel@127.0.0.1:5000", "/");
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      message = (error as Error).message;
    }
    expect(message).toContain("MLFLOW_TRACKING_USERNAME");
    expect(message).toContain("mlflow+http://***@127.0.0.1:5000");
    expect(message).not.toContain("s3cr3t-sentinel");
    expect(message).not.toContain("alice");
  });

  it("rejects an mlflow+ store that is not http(s), a bad URL and an empty experiment", () => {
    expect(() => parseStoreUri("mlflow+file:./mlruns", "/")).toThrow(
      /names no HTTP tracking server/,
    );
    expect(() => parseStoreUri("mlflow+http://", "/")).toThrow(/not a valid URL/);
    expect(() => parseStoreUri("mlflow+http://h:1", "/", { mlflowExperiment: " " })).toThrow(
      UsageError,
    );
    expect(() => parseStoreUri("mlflow+http://h:1?experiment=x", "/")).toThrow(/query/);
  });

  it("resolveStoreLocation: --mlflow-experiment, then MLFLOW_EXPERIMENT_NAME, then converge", () => {
    const io = (env: NodeJS.ProcessEnv) => ({ env, cwd: "/" });
    const uri = { MLFLOW_TRACKING_URI: "http://h:1" };
    expect(resolveStoreLocation({}, io(uri))).toMatchObject({ experimentName: "converge" });
    expect(resolveStoreLocation({}, io({ ...uri, MLFLOW_EXPERIMENT_NAME: "team" }))).toMatchObject({
      experimentName: "team",
    });
    expect(
      resolveStoreLocation(
        { mlflowExperiment: "mine" },
        io({ ...uri, MLFLOW_EXPERIMENT_NAME: "team" }),
      ),
    ).toMatchObject({ experimentName: "mine", trackingUri: "http://h:1" });
  });

  it("redactSecrets hides credential values", () => {
    const env = {
      MLFLOW_TRACKING_TOKEN: "tok-sentinel-123",
      MLFLOW_TRACKING_PASSWORD: "pw-sentinel",
    };
    expect(redactSecrets("a tok-sentinel-123 b pw-sentinel c", env)).toBe("a *** b *** c");
  });
});
