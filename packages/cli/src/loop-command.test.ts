/**
 * `converge loop` end to end: the built binary, real python3 evaluators, the
 * JSONL store. Each test writes its loop file and scripts into a temp dir.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { captureOutput } from "@converge/test-kit";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, removeTempDirs, runCli, runCliAsync, tempDir } from "./test-fixtures/run-cli.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Whether a process runs (a zombie does not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}
const EXAMPLE = join(import.meta.dirname, "../../../examples/python-backtest");

afterAll(removeTempDirs);

/** A copy of the example in a temp dir, with the loop file changed by `change`. */
function example(change: (loop: Record<string, unknown>) => void = () => {}): string {
  const dir = tempDir("converge-loop-");
  cpSync(join(EXAMPLE, "backtest.py"), join(dir, "backtest.py"));
  const loop = JSON.parse(readFileSync(join(EXAMPLE, "loop.json"), "utf8"));
  change(loop);
  writeFileSync(join(dir, "loop.json"), JSON.stringify(loop, null, 2));
  return dir;
}

/** A Python evaluator: `body` runs after `request` (stdin's JSON) and `run_backtest()` are defined. */
function script(dir: string, name: string, body: string): void {
  writeFileSync(
    join(dir, name),
    `import json, subprocess, sys, time
request = json.load(sys.stdin)
def run_backtest():
    out = subprocess.run([sys.executable, "backtest.py"], input=json.dumps(request), capture_output=True, text=True, check=True)
    sys.stdout.write(out.stdout)
${body}
`,
  );
}

function records(dir: string, id: string): Record<string, unknown>[] {
  const text = readFileSync(join(dir, "experiments", `${id}.jsonl`), "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

function meta(dir: string, id: string): { summary?: { status?: string } } {
  return JSON.parse(readFileSync(join(dir, "experiments", `${id}.meta.json`), "utf8"));
}

describe("converge loop", () => {
  it("runs the Python example to SUCCESS: live lines, summary, records, report (JSON and YAML)", () => {
    const dir = example();
    cpSync(join(EXAMPLE, "loop.yaml"), join(dir, "loop.yaml"));
    for (const file of ["loop.json", "loop.yaml"]) {
      const id = `ok_${file.replace(".", "_")}`;
      const r = runCli(["loop", file, "--experiment-id", id], { cwd: dir, timeout: 60_000 });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^\[ 1\/12\] {2}sharpe_ratio {2}1\.016 {2}max_drawdown {2}0\.172/m);
      expect(r.stdout).toContain("status          SUCCESS: the gate passed at iteration 4");
      const logged = records(dir, id);
      expect(logged).toHaveLength(4);
      expect(logged.at(-1)?.gate_passed).toBe(true);
      // The evaluator's stderr is kept as the iteration's log.
      expect(logged[0]?.evaluator_log).toMatch(/iteration 1: fast=5 slow=20/);
      expect(meta(dir, id).summary?.status).toBe("SUCCESS");
      const report = readFileSync(join(dir, "experiments", `${id}.html`), "utf8");
      expect(report).toContain(id);
      // The same id again is refused before anything is written.
      const again = runCli(["loop", file, "--experiment-id", id], { cwd: dir });
      expect(again.code).toBe(2);
      expect(again.stderr).toContain(`Experiment "${id}" already exists`);
      expect(records(dir, id)).toHaveLength(4);
    }
  });

  it("a failing evaluator (exit 1) is logged with its stderr, then stops the loop (stop)", () => {
    const dir = example((loop) => {
      loop.evaluator = { command: ["python3", "flaky.py"] };
    });
    script(
      dir,
      "flaky.py",
      `if request["iteration"] == 2:
    print("disk full while loading prices", file=sys.stderr)
    sys.exit(1)
run_backtest()`,
    );
    const r = runCli(["loop", "loop.json", "--experiment-id", "stop"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL → EVALUATION_FAILED");
    expect(r.stdout).toMatch(/evaluation failed: .*exit/);
    expect(r.stdout).toMatch(/status {10}FAILED/);
    expect(r.stdout).toMatch(/why {13}.*exit/);
    const logged = records(dir, "stop");
    expect(logged).toHaveLength(2);
    expect(logged[1]?.action_taken).toBe("EVALUATION_FAILED");
    const error = logged[1]?.evaluation_error as { message: string; log_tail: string };
    expect(error.log_tail).toContain("disk full while loading prices");
    expect(meta(dir, "stop").summary?.status).toBe("FAILED");
    expect(existsSync(join(dir, "experiments", "stop.html"))).toBe(true);
  });

  it("with onEvaluationError continue, the loop goes on past a failed evaluation", () => {
    const dir = example((loop) => {
      loop.evaluator = { command: ["python3", "flaky.py"] };
      loop.onEvaluationError = "continue";
    });
    script(
      dir,
      "flaky.py",
      `if request["iteration"] == 2:
    sys.exit(1)
run_backtest()`,
    );
    const r = runCli(["loop", "loop.json", "--experiment-id", "cont"], { cwd: dir });
    const logged = records(dir, "cont");
    expect(logged[1]?.action_taken).toBe("EVALUATION_FAILED");
    expect(logged.length).toBeGreaterThan(2);
    expect(typeof (logged[2]?.metrics as Record<string, unknown> | undefined)?.sharpe_ratio).toBe(
      "number",
    );
    const status = meta(dir, "cont").summary?.status;
    expect(status).not.toBe("FAILED");
    // 0 only for SUCCESS (the advisor may end it first: PIVOT, ABANDON).
    expect(r.code).toBe(status === "SUCCESS" ? 0 : 1);
    expect(r.stdout).toContain(`status          ${status}`);
  });

  it("a hanging evaluator is killed after timeoutSeconds and named", () => {
    const dir = example((loop) => {
      loop.evaluator = { command: ["python3", "hang.py"], timeoutSeconds: 1 };
    });
    script(dir, "hang.py", "time.sleep(60)");
    const started = Date.now();
    const r = runCli(["loop", "loop.json", "--experiment-id", "hang"], { cwd: dir });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/evaluation failed: .*(timed out|timeout).*1 ?s/i);
    expect(records(dir, "hang")).toHaveLength(1);
  });

  it("garbage on stdout is a failed evaluation that says so", () => {
    const dir = example((loop) => {
      loop.evaluator = { command: ["python3", "garbage.py"] };
    });
    script(dir, "garbage.py", 'print("sharpe is about one")');
    const r = runCli(["loop", "loop.json", "--experiment-id", "garbage"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/evaluation failed: .*not JSON/);
    const error = records(dir, "garbage")[0]?.evaluation_error as { message: string };
    expect(error.message).toContain("sharpe is about one");
  });

  it("a bad loop file exits 2 naming the field and the fix", () => {
    const dir = example((loop) => {
      loop.evaluator = {};
    });
    const r = runCli(["loop", "loop.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'evaluator.command: required — the command that evaluates one strategy, e.g. ["python3", "backtest.py"]',
    );
    expect(existsSync(join(dir, "experiments"))).toBe(false);
  });

  it("Ctrl-C stops after the current iteration is logged: exit 130, records and meta kept", async () => {
    const dir = example((loop) => {
      loop.evaluator = { command: ["python3", "slow.py"] };
    });
    script(dir, "slow.py", "time.sleep(0.7)\nrun_backtest()");
    const child = spawn(process.execPath, [BIN, "loop", "loop.json", "--experiment-id", "int"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let sent = false;
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (!sent && stdout.includes("[ 1/12]")) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toContain("Stopping after the current iteration is logged");
    expect(code).toBe(130);
    expect(stdout).toMatch(/status {10}FAILED: interrupted \(Ctrl-C\) after iteration 2/);
    // Iteration 2 was running when Ctrl-C came: it finished and was logged, nothing after it.
    expect(records(dir, "int")).toHaveLength(2);
    expect(meta(dir, "int").summary?.status).toBe("FAILED");
    expect(existsSync(join(dir, "experiments", "int.html"))).toBe(true);
  });

  it("a second Ctrl-C kills the running evaluation and exits at once, the logged iterations kept", async () => {
    const dir = example((loop) => {
      loop.evaluator = { command: ["python3", "stuck.py"] };
    });
    script(
      dir,
      "stuck.py",
      `import os
if request["iteration"] == 2:
    open("stuck.pid", "w").write(str(os.getpid()))
    time.sleep(60)
run_backtest()`,
    );
    const child = spawn(process.execPath, [BIN, "loop", "loop.json", "--experiment-id", "int2"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out = captureOutput(child);
    const closed = out.closed.then(({ code }) => code);
    // Wait until iteration 2's evaluation is running, then press Ctrl-C twice.
    const pidFile = join(dir, "stuck.pid");
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await sleep(50);
    const pid = Number(readFileSync(pidFile, "utf8"));
    const started = Date.now();
    child.kill("SIGINT");
    await sleep(300);
    child.kill("SIGINT");
    const code = await closed;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(code).toBe(130);
    expect(out.stderr).toContain("Stopped at once; the iterations logged so far are kept.");
    expect(out.stdout).toContain("[ 1/12]");
    // The evaluation was killed, not orphaned (gone, or a zombie waiting to be reaped).
    for (let i = 0; i < 40 && alive(pid); i++) await sleep(50);
    expect(alive(pid)).toBe(false);
    expect(records(dir, "int2")).toHaveLength(1);
  });

  it("passes no secret-looking variable to the evaluator unless passEnv names it", () => {
    const sentinel = "sk-sentinel-loop-7f3a";
    const dir = example((loop) => {
      loop.evaluator = { command: ["python3", "env.py"], passEnv: ["DATA_TOKEN"] };
    });
    script(
      dir,
      "env.py",
      `import os
print("env:", " ".join(sorted(k + "=" + v for k, v in os.environ.items() if "sentinel" in v)), file=sys.stderr)
run_backtest()`,
    );
    const r = runCli(["loop", "loop.json", "--experiment-id", "env"], {
      cwd: dir,
      env: { OPENAI_API_KEY: sentinel, MY_SECRET: sentinel, DATA_TOKEN: `${sentinel}-data` },
    });
    expect(r.code).toBe(0);
    const log = String(records(dir, "env")[0]?.evaluator_log);
    expect(log).toContain(`DATA_TOKEN=${sentinel}-data`);
    expect(log).not.toContain("OPENAI_API_KEY");
    expect(log).not.toContain("MY_SECRET");
    const everything = readdirSync(join(dir, "experiments"))
      .map((f) => readFileSync(join(dir, "experiments", f), "utf8"))
      .join("\n");
    expect(everything.replaceAll(`${sentinel}-data`, "")).not.toContain(sentinel);
    expect(r.stdout + r.stderr).not.toContain(sentinel);
  });

  it("is listed in converge --help and has a complete example in its own help", async () => {
    const r = await runCliAsync(["loop", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"evaluator": { "command": ["python3", "backtest.py"]');
    expect(runCli(["--help"]).stdout).toMatch(/loop \[options\] <file>/);
  });
});
