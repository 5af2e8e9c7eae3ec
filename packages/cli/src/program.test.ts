import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  removeTempDirs,
  runCli,
  SAMPLE_LOG,
  tempDir,
  writeExperiment,
} from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

/** Whether text holds an ANSI escape sequence (ESC "["). */
const hasAnsi = (text: string) => text.includes(`${String.fromCharCode(27)}[`);

describe("converge usage errors", () => {
  it("exits 2 on an unknown option and names it", () => {
    const { code, stdout, stderr } = runCli(["list", "--colour-me"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("unknown option '--colour-me'");
    expect(stderr).toContain("converge <command> --help");
  });

  it("exits 2 on an unknown command and suggests the near one", () => {
    const { code, stderr } = runCli(["lst"]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'lst'");
    expect(stderr).toContain("list");
  });

  it("exits 2 when show has no argument", () => {
    const { code, stderr } = runCli(["show"]);
    expect(code).toBe(2);
    expect(stderr).toContain("missing required argument 'experiment'");
  });

  it("exits 2 when show gets something that is neither an id nor a path", () => {
    const { code, stderr } = runCli(["show", "not an id"]);
    expect(code).toBe(2);
    expect(stderr).toContain("neither an experiment id");
  });

  it("exits 2 with the help on stderr when no command is given", () => {
    const { code, stdout, stderr } = runCli([]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Usage: converge");
  });
});

describe("converge --help and --version", () => {
  it("the program's help lists the commands, the stores and the exit codes", () => {
    const { code, stdout } = runCli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/list \[options\]/);
    expect(stdout).toMatch(/show \[options\] <experiment>/);
    expect(stdout).toContain("jsonl:DIR");
    expect(stdout).toContain("Exit codes: 0 success, 1 failure");
    expect(stdout).toContain("$ converge show exp_20260118_143022");
  });

  it("list --help has its options and examples", () => {
    const { code, stdout } = runCli(["list", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: converge list [options]");
    expect(stdout).toContain("--store <uri>");
    expect(stdout).toContain("--json");
    expect(stdout).toContain("Examples:");
    expect(stdout).toContain("$ converge list --store ./runs --json");
  });

  it("show --help has its options and examples", () => {
    const { code, stdout } = runCli(["show", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: converge show [options] <experiment>");
    expect(stdout).toContain("--lenient");
    expect(stdout).toContain("Examples:");
    expect(stdout).toContain("$ converge show ./logs/exp_20260118_143022.jsonl");
  });

  it("help <command> works like <command> --help", () => {
    const { code, stdout } = runCli(["help", "show"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: converge show [options] <experiment>");
  });

  it("--version prints the package version", () => {
    const { code, stdout } = runCli(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe("0.1.0");
  });
});

describe("colours", () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
    await writeExperiment(
      dir,
      {
        experimentId: "exp_colour",
        gate: { criteria: [{ metric: "sharpe_ratio", op: ">=", threshold: 1 }] },
      },
      [{ metrics: { sharpe_ratio: 1.5 } }],
    );
  });

  it("are used when forced (FORCE_COLOR=1), which shows the checks below can fail", () => {
    const show = runCli(["show", SAMPLE_LOG], { env: { FORCE_COLOR: "1" } });
    expect(hasAnsi(show.stdout)).toBe(true);
    const list = runCli(["list", "--store", dir], { env: { FORCE_COLOR: "1" } });
    expect(hasAnsi(list.stdout)).toBe(true);
  });

  it("are off with NO_COLOR, even when FORCE_COLOR is set", () => {
    const env = { NO_COLOR: "1", FORCE_COLOR: "1" };
    const show = runCli(["show", SAMPLE_LOG], { env });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/SUCCESS/);
    expect(hasAnsi(show.stdout)).toBe(false);
    const list = runCli(["list", "--store", dir], { env });
    expect(list.stdout).toContain("exp_colour");
    expect(hasAnsi(list.stdout)).toBe(false);
    const help = runCli(["show", "--help"], { env });
    expect(hasAnsi(help.stdout)).toBe(false);
  });

  it("are off when stdout is not a terminal", () => {
    const show = runCli(["show", SAMPLE_LOG]);
    expect(show.stdout).toMatch(/SUCCESS/);
    expect(hasAnsi(show.stdout)).toBe(false);
  });
});
