import { existsSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigurationError, EvaluationError } from "../errors.js";
import { alive, eventually, scriptDir } from "../test-fixtures/scripts.js";
import { commandEvaluator } from "./command-evaluator.js";

const scripts = scriptDir();
const context = { iteration: 2, experimentId: "exp_cmd" };
const strategy = { name: "momentum", parameters: { lookback: 20, size: 0.5 }, code: "print('x')" };

beforeAll(() => {
  scripts.write(
    "good.py",
    `import json, sys
req = json.load(sys.stdin)
p = req["strategy"]["parameters"]
code = open(req["strategy"]["code_path"]).read() if req["strategy"]["code_path"] else ""
print("evaluating", req["experiment_id"], req["iteration"], file=sys.stderr)
print(req["strategy"]["code_path"], file=sys.stderr)
print(json.dumps({"sharpe": p["lookback"] / 10, "iteration": req["iteration"],
  "code_len": len(code), "worst": "-Infinity", "unknown": "NaN"}))
`,
  );
  scripts.write(
    "exit3.py",
    `import sys, traceback
try:
    raise ValueError("no prices for AAPL in 2019")
except ValueError:
    traceback.print_exc()
sys.exit(3)
`,
  );
  scripts.write(
    "hang.py",
    `import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # only SIGKILL ends it
child = subprocess.Popen(["sleep", "60"])
print(os.getpid(), child.pid, file=sys.stderr, flush=True)
time.sleep(60)
`,
  );
  scripts.write("garbage.py", 'print("Sharpe ratio: 1.2")\n');
  scripts.write("array.py", "print('[1, 2, 3]')\n");
  scripts.write("word.py", 'print(\'{"sharpe": 1.1, "drawdown": "high"}\')\n');
  scripts.write("silent.py", "pass\n");
  scripts.write(
    "noisy.py",
    `import sys
for i in range(5000):
    print(f"line {i:05d} " + "x" * 40, file=sys.stderr)
print("THE END OF THE LOG", file=sys.stderr)
print('{"sharpe": 1}')
`,
  );
  scripts.write(
    "env.py",
    `import json, os, sys
names = ["OPENAI_API_KEY", "MY_SERVICE_TOKEN", "DB_PASSWORD", "CONVERGE_PLAIN", "EXTRA"]
print(json.dumps({n: os.environ.get(n) for n in names}), file=sys.stderr)
print('{"ok": 1}')
`,
  );
});
afterAll(() => scripts.remove());

const run = (script: string, extra: Partial<Parameters<typeof commandEvaluator>[0]> = {}) =>
  commandEvaluator({ command: ["python3", scripts.path(script)], ...extra })(strategy, context);

async function failure(promise: Promise<unknown>): Promise<EvaluationError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(EvaluationError.isInstance(error)).toBe(true);
  return error as EvaluationError;
}

describe("commandEvaluator", () => {
  it("sends the strategy as JSON on stdin and reads the metrics, non-finite ones as text", async () => {
    const { metrics, log } = await run("good.py");
    expect(metrics).toMatchObject({ sharpe: 2, iteration: 2, code_len: 10 });
    expect(metrics.worst).toBe(Number.NEGATIVE_INFINITY);
    expect(metrics.unknown).toBeNaN();
    expect(log).toContain("evaluating exp_cmd 2");
    // The code file is a temp file, gone once the evaluation is over.
    const codePath = log.trim().split("\n").at(-1) as string;
    expect(codePath).toMatch(/converge-eval-/);
    expect(existsSync(codePath)).toBe(false);
  });

  it("names the exit code and shows the traceback's tail on failure", async () => {
    const error = await failure(run("exit3.py"));
    expect(error.message).toMatch(/evaluator \["python3",".*exit3\.py"\] exited with code 3/);
    expect(error.message.endsWith("ValueError: no prices for AAPL in 2019")).toBe(true);
    expect(error.message).toContain("Fix: the command must exit 0");
    expect(error.log).toContain("Traceback (most recent call last)");
  });

  it("kills the whole process group of a hanging command, SIGKILL after SIGTERM is ignored", async () => {
    const started = Date.now();
    const error = await failure(run("hang.py", { timeoutMs: 800 }));
    expect(error.message).toContain("timed out after 0.8 s (its process group was killed)");
    expect(Date.now() - started).toBeLessThan(8000);
    const [pid, grandchild] = error.log.trim().split(/\s+/).map(Number) as [number, number];
    expect(pid).toBeGreaterThan(0);
    expect(await eventually(() => !alive(pid) && !alive(grandchild))).toBe(true);
  });

  it("rejects garbage, an array, a non-numeric metric and silence, each named", async () => {
    expect((await failure(run("garbage.py"))).message).toContain(
      'printed something that is not JSON on stdout: "Sharpe ratio: 1.2"',
    );
    expect((await failure(run("array.py"))).message).toContain(
      "printed an array on stdout, not an object of metric name -> number",
    );
    expect((await failure(run("word.py"))).message).toMatch(
      /"drawdown" must be a number .* got "high"/,
    );
    expect((await failure(run("silent.py"))).message).toContain("printed nothing on stdout");
  });

  it("keeps the tail of a huge stderr, capped", async () => {
    const { log } = await run("noisy.py", { maxLogBytes: 4096 });
    expect(Buffer.byteLength(log)).toBeLessThan(4096 + 100);
    expect(log).toMatch(/^\[first \d+ bytes of stderr cut\]\n/);
    expect(log.trimEnd().endsWith("THE END OF THE LOG")).toBe(true);
    expect(log).not.toContain("line 00000");
    const { log: full } = await run("noisy.py");
    expect(Buffer.byteLength(full)).toBeLessThanOrEqual(16_384 + 100);
  });

  it("says so when the command cannot be started", async () => {
    const error = await failure(
      commandEvaluator({ command: [scripts.path("no-such-program")] })(strategy, context),
    );
    expect(error.message).toMatch(/could not be started: .*ENOENT/);
  });

  it("refuses an unusable command before running anything", () => {
    expect(() => commandEvaluator({ command: [] })).toThrow(ConfigurationError);
    expect(() => commandEvaluator({ command: ["python3"], timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

describe("commandEvaluator's environment", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ["OPENAI_API_KEY", "MY_SERVICE_TOKEN", "DB_PASSWORD", "CONVERGE_PLAIN"]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it("drops secret-looking variables unless passEnv names them", async () => {
    process.env.OPENAI_API_KEY = "sentinel-openai-4f1c";
    process.env.MY_SERVICE_TOKEN = "sentinel-token-77aa";
    process.env.DB_PASSWORD = "sentinel-password-9e";
    process.env.CONVERGE_PLAIN = "plain-value";
    const seen = async (extra: Partial<Parameters<typeof commandEvaluator>[0]>) =>
      JSON.parse((await run("env.py", extra)).log) as Record<string, string | null>;

    expect(await seen({})).toEqual({
      OPENAI_API_KEY: null,
      MY_SERVICE_TOKEN: null,
      DB_PASSWORD: null,
      CONVERGE_PLAIN: "plain-value",
      EXTRA: null,
    });
    expect(await seen({ passEnv: ["OPENAI_API_KEY"], env: { EXTRA: "given" } })).toEqual({
      OPENAI_API_KEY: "sentinel-openai-4f1c",
      MY_SERVICE_TOKEN: null,
      DB_PASSWORD: null,
      CONVERGE_PLAIN: "plain-value",
      EXTRA: "given",
    });
  });
});
