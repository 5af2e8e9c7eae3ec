import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  parseStoreUri,
  redactSecrets,
  redactUri,
  redactUrisIn,
  resolveStoreLocation,
  storeUriFrom,
  storeUriSource,
} from "./store-uri.js";
import { redactingNotices } from "./uri-redaction.js";
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

  it("rejects other schemes with a UsageError naming where the value came from and the supported schemes", () => {
    for (const uri of ["s3://bucket/runs", "foo:bar"]) {
      const attempt = () => parseStoreUri(uri, "/", { origin: "--store" });
      expect(attempt).toThrow(UsageError);
      expect(attempt).toThrow(`"${uri}" (scheme "${uri.split(":")[0]}", from --store)`);
      expect(attempt).toThrow("Supported schemes: jsonl:, mlflow+http://, mlflow+https://");
      expect(attempt).toThrow(/available: jsonl:DIR, .*mlflow\+http:\/\/HOST:PORT/);
    }
    // A bare http URL is an MLflow server without its prefix: the message says so.
    expect(() => parseStoreUri("http://127.0.0.1:5000", "/")).toThrow(
      "write mlflow+http://127.0.0.1:5000",
    );
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
    expect(() => parseStoreUri("mlflow+http://h:1?", "/")).toThrow(/query/);
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

/** The message of what `attempt` throws (it must throw a UsageError). */
function usageMessage(attempt: () => unknown): string {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected a UsageError");
}

const MLFLOW_FIX = /run `mlflow server`.*mlflow\+http:\/\/HOST:PORT.*--store jsonl:DIR/;

describe("MLflow tracking URIs that are no HTTP server", () => {
  const work = mkdtempSync(join(tmpdir(), "converge-store-uri-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const io = (env: NodeJS.ProcessEnv) => ({ env, cwd: work });

  it("are refused from $MLFLOW_TRACKING_URI, naming the variable and the fix", () => {
    const values = [
      "databricks",
      "databricks://my-profile",
      "databricks-uc",
      "uc:catalog",
      "./mlruns",
      "mlruns",
      "/srv/mlruns",
      "file:./mlruns",
      "file:///srv/mlruns",
      "sqlite:///x.db",
      "postgresql://db.example.com/mlflow",
      "mysql+pymysql://db/mlflow",
      "mlflow+databricks",
      "mlflow+./mlruns",
    ];
    for (const value of values) {
      const message = usageMessage(() =>
        resolveStoreLocation({}, io({ MLFLOW_TRACKING_URI: value })),
      );
      expect(message).toContain(
        `$MLFLOW_TRACKING_URI is "${value}", which names no HTTP tracking server`,
      );
      expect(message).toMatch(MLFLOW_FIX);
      expect(() => storeUriFrom(undefined, { MLFLOW_TRACKING_URI: value })).toThrow(UsageError);
    }
  });

  it("are refused from --store and $CONVERGE_STORE with their origin", () => {
    for (const value of [
      "mlflow+databricks",
      "mlflow+./mlruns",
      "sqlite:///x.db",
      "databricks://p",
      "uc:x",
    ]) {
      expect(usageMessage(() => resolveStoreLocation({ store: value }, io({})))).toMatch(
        /^--store is ".*", which names no HTTP tracking server/,
      );
      expect(usageMessage(() => resolveStoreLocation({}, io({ CONVERGE_STORE: value })))).toContain(
        "$CONVERGE_STORE is",
      );
    }
    // --store wins over a bad $MLFLOW_TRACKING_URI, which is then not read at all.
    expect(storeUriSource("jsonl:x", { MLFLOW_TRACKING_URI: "databricks" })).toEqual({
      uri: "jsonl:x",
      origin: "--store",
    });
    expect(storeUriSource(undefined, { MLFLOW_TRACKING_URI: "https://m.example.com" })).toEqual({
      uri: "mlflow+https://m.example.com",
      origin: "$MLFLOW_TRACKING_URI",
    });
  });

  it("a bare databricks / uc is refused unless it is an existing directory", () => {
    const message = usageMessage(() => resolveStoreLocation({ store: "databricks" }, io({})));
    expect(message).toContain('--store is "databricks"');
    expect(message).toMatch(MLFLOW_FIX);
    expect(message).toContain("--store jsonl:./databricks");
    expect(() => resolveStoreLocation({ store: "UC" }, io({}))).toThrow(UsageError);
    // A file of that name is no directory either.
    writeFileSync(join(work, "uc"), "");
    expect(() => resolveStoreLocation({ store: "uc" }, io({}))).toThrow(UsageError);
    mkdirSync(join(work, "databricks"));
    expect(resolveStoreLocation({ store: "databricks" }, io({}))).toMatchObject({
      kind: "jsonl",
      dir: join(work, "databricks"),
    });
    // jsonl: says it is a folder, existing or not.
    expect(resolveStoreLocation({ store: "jsonl:uc-runs" }, io({}))).toMatchObject({
      kind: "jsonl",
    });
    expect(parseStoreUri("jsonl:databricks-uc", work)).toMatchObject({ kind: "jsonl" });
  });
});

describe("secrets in store URIs", () => {
  const SECRET = "s3nt1nel-T0KEN";

  it("redactUri hides userinfo, every query value and the fragment", () => {
    expect(redactUri(`mlflow+http://alice:${SECRET}@h:5000/x?token=${SECRET}&a=1#${SECRET}`)).toBe(
      "mlflow+http://***@h:5000/x?token=***&a=***#***",
    );
    expect(redactUri(`postgresql://u:p@ss@db/mlflow?sslpassword=${SECRET}`)).toBe(
      "postgresql://***@db/mlflow?sslpassword=***",
    );
    expect(redactUri(`s3://bucket?${SECRET}`)).toBe("s3://bucket?***");
    expect(redactUri("jsonl:/home/me/runs")).toBe("jsonl:/home/me/runs");
    expect(redactUrisIn(`at http://u:${SECRET}@h:1/?k=${SECRET} and "s3://b?t=${SECRET}"`)).toBe(
      'at http://***@h:1/?k=*** and "s3://b?t=***"',
    );
  });

  it("redactingNotices passes notices on with the URIs in their messages redacted", () => {
    const seen: { kind: string; message: string }[] = [];
    const notify = redactingNotices((n: { kind: string; message: string }) => seen.push(n));
    notify({
      kind: "spooled",
      message: `MLflow at http://u:${SECRET}@h:1/?t=${SECRET} is unreachable`,
    });
    expect(seen).toEqual([
      { kind: "spooled", message: "MLflow at http://***@h:1/?t=*** is unreachable" },
    ]);
  });

  it("no refusal echoes a query value or a password", () => {
    const work = mkdtempSync(join(tmpdir(), "converge-store-uri-"));
    try {
      const attempts = [
        () => parseStoreUri(`mlflow+http://h:1/?token=${SECRET}`, work),
        () => parseStoreUri(`mlflow+https://h/#${SECRET}`, work),
        () => parseStoreUri(`mlflow+http://me:${SECRET}@h:1`, work),
        () => parseStoreUri(`s3://bucket/x?token=${SECRET}`, work),
        () => parseStoreUri(`foo://me:${SECRET}@x`, work),
        () => parseStoreUri(`jsonl:./runs?token=${SECRET}`, work),
        () => parseStoreUri(`./runs?token=${SECRET}`, work),
        () => parseStoreUri(`mlflow+databricks://p?token=${SECRET}`, work),
        () => storeUriFrom(undefined, { MLFLOW_TRACKING_URI: `databricks://p?token=${SECRET}` }),
        () => storeUriFrom(undefined, { MLFLOW_TRACKING_URI: `postgresql://u:${SECRET}@db/m` }),
      ];
      for (const attempt of attempts) {
        const message = usageMessage(attempt);
        expect(message).not.toContain(SECRET);
        expect(message).toContain("***");
      }
      expect(usageMessage(attempts[5] as () => unknown)).toContain(
        "a JSONL store is a directory path only",
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("a directory whose name really has a '?' is taken as it is", () => {
    const work = mkdtempSync(join(tmpdir(), "converge-store-uri-"));
    try {
      mkdirSync(join(work, "what?"));
      expect(parseStoreUri("what?", work)).toMatchObject({
        kind: "jsonl",
        dir: join(work, "what?"),
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("control characters in a refused URI are shown escaped", () => {
    const message = usageMessage(() => parseStoreUri("s3://b\u001b]52;c;AAAA\u0007", "/"));
    expect(message).not.toContain("\u001b");
    expect(message).not.toContain("\u0007");
    expect(message).toContain("\\x1b]52;c;AAAA\\x07");
  });
});
