/**
 * Store URIs through the built `converge`: MLflow tracking URIs that are no
 * HTTP server are refused on every command (never read as a folder named
 * `mlflow+databricks`), and no secret in a URI reaches stdout or stderr.
 */
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeTempDirs, runCli, SAMPLE_LOG, tempDir } from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

const SAMPLE_ID = "exp_20260118_143022";
const FIX = /run `mlflow server`.*mlflow\+http:\/\/HOST:PORT.*--store jsonl:DIR/;

describe("MLflow tracking URIs that are no HTTP server", () => {
  let src: string;
  beforeAll(() => {
    src = tempDir();
    copyFileSync(SAMPLE_LOG, join(src, `${SAMPLE_ID}.jsonl`));
  });

  it("$MLFLOW_TRACKING_URI=databricks, ./mlruns, file:, sqlite:, postgresql: are refused by every store command", () => {
    const commands = [
      ["list"],
      ["show", SAMPLE_ID],
      ["analyze", SAMPLE_ID],
      ["advise", SAMPLE_ID],
      ["report", SAMPLE_ID, "-o", "r.html"],
      ["export", SAMPLE_ID, "--to", "backup"],
      ["sync"],
    ];
    // Every command with "databricks"; the other forms with one command each.
    const cases: [string[], string][] = commands.map((args) => [args, "databricks"]);
    for (const value of ["./mlruns", "file:./mlruns", "sqlite:///x.db", "postgresql://db/m"]) {
      cases.push([["list"], value]);
    }
    for (const [args, value] of cases) {
      const cwd = tempDir();
      const { code, stdout, stderr } = runCli(args, { cwd, env: { MLFLOW_TRACKING_URI: value } });
      expect({ args, value, code }).toEqual({ args, value, code: 2 });
      expect(stdout).toBe("");
      expect(stderr).toContain(
        `$MLFLOW_TRACKING_URI is "${value}", which names no HTTP tracking server`,
      );
      expect(stderr).toMatch(FIX);
      // Nothing was written: no ./mlflow+databricks folder, no report, no backup.
      expect(readdirSync(cwd)).toEqual([]);
    }
  });

  it("--store databricks (no such folder) and mlflow+databricks are refused, naming --store", () => {
    const cwd = tempDir();
    for (const store of ["databricks", "mlflow+databricks", "databricks://profile", "uc:main"]) {
      const { code, stderr } = runCli(["list", "--store", store], { cwd });
      expect(code).toBe(2);
      expect(stderr).toContain(`error: --store is "${store}"`);
      expect(stderr).toMatch(FIX);
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("import and export name the argument or option that was wrong", () => {
    const to = runCli(["import", src, "sqlite:///x.db"]);
    expect(to.code).toBe(2);
    expect(to.stderr).toContain('<to-store> is "sqlite:///x.db"');
    const from = runCli(["import", "mlflow+./mlruns", src]);
    expect(from.code).toBe(2);
    expect(from.stderr).toContain('<from-store> is "mlflow+./mlruns"');
    const exportTo = runCli(["export", SAMPLE_ID, "--from", src, "--to", "databricks"], {
      cwd: tempDir(),
    });
    expect(exportTo.code).toBe(2);
    expect(exportTo.stderr).toContain('--to is "databricks"');
    const unknown = runCli(["export", SAMPLE_ID, "--from", "foo:bar", "--to", tempDir()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('(scheme "foo", from --from)');
    expect(unknown.stderr).toContain("Supported schemes: jsonl:, mlflow+http://, mlflow+https://");
  });

  it("an unknown scheme from $CONVERGE_STORE names the variable", () => {
    const { code, stderr } = runCli(["list"], { env: { CONVERGE_STORE: "s3://bucket/runs" } });
    expect(code).toBe(2);
    expect(stderr).toContain('The store "s3://bucket/runs" (scheme "s3", from $CONVERGE_STORE)');
  });
});

describe("secrets in store URIs never reach the terminal", () => {
  const SECRET = "cli-s3nt1nel-9f3a";
  let src: string;
  beforeAll(() => {
    src = tempDir();
    copyFileSync(SAMPLE_LOG, join(src, `${SAMPLE_ID}.jsonl`));
  });

  it("query values and passwords are redacted on every path", () => {
    const runs = [
      runCli(["list", "--store", `mlflow+http://127.0.0.1:1/?token=${SECRET}`]),
      runCli(["show", SAMPLE_ID, "--store", `mlflow+https://me:${SECRET}@h.example`]),
      runCli(["analyze", SAMPLE_ID, "--store", `s3://bucket?token=${SECRET}`]),
      runCli(["report", SAMPLE_ID, "--store", `jsonl:./runs?token=${SECRET}`], { cwd: tempDir() }),
      runCli(["import", src, `mlflow+http://127.0.0.1:1?token=${SECRET}`]),
      runCli(["import", `foo://u:${SECRET}@x/y`, src]),
      runCli(["export", SAMPLE_ID, "--from", src, "--to", `mlflow+http://h:1/#${SECRET}`]),
      runCli(["sync", "--store", `mlflow+http://127.0.0.1:1/?access_token=${SECRET}`]),
      runCli(["list"], { env: { MLFLOW_TRACKING_URI: `databricks://profile?token=${SECRET}` } }),
      runCli(["list"], { env: { MLFLOW_TRACKING_URI: `postgresql://u:${SECRET}@db/mlflow` } }),
      runCli(["list"], { env: { CONVERGE_STORE: `mlflow+http://127.0.0.1:1/?token=${SECRET}` } }),
    ];
    for (const [i, r] of runs.entries()) {
      expect({ i, code: r.code }).toEqual({ i, code: 2 });
      expect(r.stderr).toContain("***");
      expect(r.stdout).not.toContain(SECRET);
      expect(r.stderr).not.toContain(SECRET);
    }
  });
});
