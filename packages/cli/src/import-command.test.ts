import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  removeTempDirs,
  runCli,
  SAMPLE_LOG,
  tempDir,
  writeExperiment,
} from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

const SAMPLE_ID = "exp_20260118_143022";

describe("converge import / export between JSONL stores", () => {
  let src: string;
  beforeAll(async () => {
    src = tempDir();
    copyFileSync(SAMPLE_LOG, join(src, `${SAMPLE_ID}.jsonl`));
    await writeExperiment(
      src,
      {
        experimentId: "exp_tracker",
        directive: "Reach a Sharpe ratio of at least 1.0",
        gate: { criteria: [{ metric: "sharpe_ratio", op: ">=", threshold: 1 }] },
      },
      [
        { parameters: { k: 1 }, metrics: { sharpe_ratio: 0.5 } },
        { parameters: { k: 2 }, metrics: { sharpe_ratio: Number.NaN } },
      ],
    );
  });

  it("copies every experiment, meta and records, and a second run is a no-op", () => {
    const dest = tempDir();
    const first = runCli(["import", `jsonl:${src}`, `jsonl:${dest}`]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${SAMPLE_ID}: 3 records copied`);
    expect(first.stdout).toContain("exp_tracker: 2 records copied, meta written");
    expect(first.stdout).toContain(
      `Imported 2 experiments into jsonl:${dest}: 5 records copied, 0 already there.`,
    );
    // Not a terminal: plain progress lines on stderr, no escape codes.
    expect(first.stderr).toContain(`${SAMPLE_ID}: 3/3 records (100%)`);
    expect(first.stderr).not.toContain("\u001b");
    const a = runCli(["show", SAMPLE_ID, "--store", src, "--json"]);
    const b = runCli(["show", SAMPLE_ID, "--store", dest, "--json"]);
    expect(JSON.parse(b.stdout).records).toEqual(JSON.parse(a.stdout).records);
    const metaA = runCli(["show", "exp_tracker", "--store", src, "--json"]);
    const metaB = runCli(["show", "exp_tracker", "--store", dest, "--json"]);
    expect(JSON.parse(metaB.stdout)).toEqual(JSON.parse(metaA.stdout));

    const again = runCli(["import", src, dest, "--quiet"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe("");
    expect(again.stdout).toContain(`${SAMPLE_ID}: 0 records copied, 3 already there`);
    expect(again.stdout).toContain("exp_tracker: 0 records copied, 2 already there\n");
    expect(again.stdout).toContain("0 records copied, 5 already there.");
    expect(
      readFileSync(join(dest, `${SAMPLE_ID}.jsonl`), "utf8")
        .trim()
        .split("\n"),
    ).toHaveLength(3);
  });

  it("copies only the named ids, and only the records the destination lacks", () => {
    const dest = tempDir();
    // The destination has the first line of the sample log already.
    const [firstLine] = readFileSync(SAMPLE_LOG, "utf8").split("\n");
    writeFileSync(join(dest, `${SAMPLE_ID}.jsonl`), `${firstLine}\n`);
    const { code, stdout } = runCli(["import", src, dest, SAMPLE_ID, "-q"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${SAMPLE_ID}: 2 records copied, 1 already there`);
    expect(stdout).toContain("Imported 1 experiment into");
    expect(runCli(["list", "--store", dest, "--json"]).stdout).not.toContain("exp_tracker");
  });

  it("exits 1 for an experiment that is not there, and still copies the others", () => {
    const dest = tempDir();
    const { code, stdout, stderr } = runCli(["import", src, dest, "exp_missing", SAMPLE_ID, "-q"]);
    expect(code).toBe(1);
    expect(stderr).toContain("error: exp_missing:");
    expect(stderr).toContain("1 experiment(s) could not be copied");
    expect(stdout).toContain(`${SAMPLE_ID}: 3 records copied`);
  });

  it("export is import with the source defaulted like --store", () => {
    const dest = tempDir();
    const { code, stdout } = runCli(["export", SAMPLE_ID, "--to", `jsonl:${dest}`, "-q"], {
      env: { CONVERGE_STORE: `jsonl:${src}` },
    });
    expect(code).toBe(0);
    expect(stdout).toContain(`Exported 1 experiment into jsonl:${dest}: 3 records copied`);
    const viaFrom = runCli(["export", SAMPLE_ID, "--from", src, "--to", dest, "-q"]);
    expect(viaFrom.code).toBe(0);
    expect(viaFrom.stdout).toContain("0 records copied, 3 already there");
  });

  it("usage errors exit 2: unknown scheme, same store, bad id, missing --to", () => {
    const unknown = runCli(["import", src, "s3://bucket/x"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("not available in this version");
    expect(runCli(["import", src, `jsonl:${src}`]).code).toBe(2);
    expect(runCli(["import", src, tempDir(), "bad/id"]).code).toBe(2);
    expect(runCli(["export", SAMPLE_ID]).code).toBe(2);
    expect(runCli(["import", src]).code).toBe(2);
  });

  it("--help shows examples", () => {
    for (const cmd of ["import", "export", "sync"]) {
      const { code, stdout } = runCli([cmd, "--help"]);
      expect(code).toBe(0);
      expect(stdout).toContain("Examples:");
      expect(stdout).toContain(`$ converge ${cmd}`);
    }
  });

  it("sync needs an MLflow store (exit 2 for a JSONL one)", () => {
    const { code, stderr } = runCli(["sync", "--store", src]);
    expect(code).toBe(2);
    expect(stderr).toContain("offline spool of an MLflow store");
  });
});
