import { ConfigurationError, redactUri } from "@converge/core";
import { describe, expect, test } from "vitest";
import { mlflowStore } from "../index.js";
import { resolveMlflowConfig } from "./index.js";

const SECRET = "SENTINEL-s3cr3t-9d41";

/** The ConfigurationError `fn` throws (fails when it throws nothing or something else). */
function configErrorOf(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    if (ConfigurationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ConfigurationError, but nothing was thrown");
}

describe("tracking URIs that are not a tracking server are refused at construction", () => {
  const cases: Array<[string, RegExp]> = [
    ["databricks", /a Databricks profile/],
    ["databricks://my-profile", /a Databricks profile/],
    ["./mlruns", /a local directory/],
    ["mlruns", /a local directory/],
    ["file:./mlruns", /a local directory \(file:\)/],
    ["file:///srv/mlruns", /a local directory \(file:\)/],
    ["sqlite:///x.db", /a database \(sqlite:\)/],
    [`postgresql+psycopg2://me:${SECRET}@db/mlflow?sslkey=${SECRET}`, /a database \(postgresql:\)/],
  ];
  for (const [uri, what] of cases) {
    test(uri.replaceAll(SECRET, "SECRET"), () => {
      const error = configErrorOf(() =>
        mlflowStore({ trackingUri: uri, spoolDir: "/nonexistent" }),
      );
      expect(error.message).toMatch(what);
      expect(error.message).toMatch(/^trackingUri "/);
      expect(error.message).toContain(`"${redactUri(uri)}"`);
      expect(error.message).toMatch(/not an MLflow tracking server/);
      expect(error.hint).toMatch(/mlflow server --backend-store-uri/);
      expect(error.hint).toMatch(/http:\/\/HOST:PORT/);
      expect(`${error.message} ${error.stack}`).not.toContain(SECRET);
    });
  }

  test("from MLFLOW_TRACKING_URI the message names the variable too", () => {
    const error = configErrorOf(() =>
      resolveMlflowConfig({}, { MLFLOW_TRACKING_URI: "sqlite:///mlflow.db" }),
    );
    expect(error.message).toMatch(
      /^trackingUri \(MLFLOW_TRACKING_URI\) "sqlite:\/\/\/mlflow\.db" is a database/,
    );
  });

  test("an unparseable URL and another scheme: the field, the redacted value and the fix", () => {
    const bad = configErrorOf(() =>
      resolveMlflowConfig({ trackingUri: `http://me:${SECRET}@host:99999999` }, {}),
    );
    expect(bad.message).toBe(
      `trackingUri "http://***@host:99999999" is not a valid URL.\nFix: ${bad.hint}`,
    );
    expect(bad.hint).toMatch(/http:\/\/HOST:PORT/);
    const ftp = configErrorOf(() =>
      resolveMlflowConfig({ trackingUri: `ftp://host/x?token=${SECRET}` }, {}),
    );
    expect(ftp.message).toMatch(
      /^trackingUri "ftp:\/\/host\/x\?token=\*\*\*" must be an http or https URL, not "ftp"/,
    );
    for (const e of [bad, ftp]) expect(`${e.message} ${e.stack}`).not.toContain(SECRET);
  });

  test("http and https URLs are still taken, with credentials and the query taken out", () => {
    const config = resolveMlflowConfig(
      { trackingUri: `https://me:${SECRET}@mlflow.example:8443/base/?token=${SECRET}` },
      {},
    );
    expect(config.trackingUri).toBe("https://mlflow.example:8443/base");
    expect(config.auth).toEqual({ kind: "basic", username: "me", password: SECRET });
  });
});
