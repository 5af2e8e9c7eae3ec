/**
 * `converge sync --spool-dir`: a spool that is not there is an error, not an
 * empty spool. No tracking server is needed: with nothing spooled, sync
 * sends nothing (port 1 has no server; were it contacted, it would fail).
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, runCli, tempDir } from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

const STORE = ["--store", "mlflow+http://127.0.0.1:1"];

describe("converge sync --spool-dir", () => {
  it("a missing directory is an error naming the path and the fix (exit 1)", () => {
    const missing = join(tempDir(), "no-such-spool");
    const { code, stdout, stderr } = runCli(["sync", ...STORE, "--spool-dir", missing]);
    expect(code).toBe(1);
    expect(stdout).not.toContain("empty");
    expect(stderr).toContain(`error: --spool-dir ${missing} does not exist.`);
    expect(stderr).toContain("leave --spool-dir out");
  });

  it("a relative path is resolved against the working directory and named in full", () => {
    const cwd = tempDir();
    const { code, stderr } = runCli(["sync", ...STORE, "--spool-dir", "spool"], { cwd });
    expect(code).toBe(1);
    expect(stderr).toContain(`--spool-dir ${join(cwd, "spool")} does not exist.`);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("a file is an error saying it is no directory (exit 1)", () => {
    const file = join(tempDir(), "exp_a.jsonl");
    writeFileSync(file, "");
    const { code, stderr } = runCli(["sync", ...STORE, "--spool-dir", file]);
    expect(code).toBe(1);
    expect(stderr).toContain(`error: --spool-dir ${file} is a file, not a directory.`);
  });

  it("an existing empty spool directory is empty, exit 0", () => {
    const spool = tempDir();
    const { code, stdout } = runCli(["sync", ...STORE, "--spool-dir", spool, "-q"]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'The offline spool is empty: nothing to upload to mlflow+http://127.0.0.1:1 (experiment "converge").',
    );
    expect(stdout).toContain("Uploaded 0, skipped 0 (already on the server), failed 0.");
  });
});
