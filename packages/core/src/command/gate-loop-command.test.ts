import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GateLoopError } from "../errors.js";
import { runGateLoop } from "../gate-loop.js";
import { memoryStore } from "../memory-store.js";
import { refineWithin } from "../refine-within.js";
import { ParameterSpaceSchema } from "../refiner.js";
import { ruleRefiner } from "../rule-refiner.js";
import { gate } from "../test-fixtures/gate-loop.js";
import { scriptDir } from "../test-fixtures/scripts.js";
import { createTracker } from "../tracker.js";
import { commandEvaluator } from "./command-evaluator.js";

const scripts = scriptDir();
const space = ParameterSpaceSchema.parse({ size: { type: "int", min: 1, max: 8 } });
const start = { name: "toy", parameters: { size: 1 } };

beforeAll(() => {
  // score = size / 4 (passes at 4); fails (exit 3, a traceback) for the sizes given as arguments.
  scripts.write(
    "backtest.py",
    `import json, sys, traceback
req = json.load(sys.stdin)
size = req["strategy"]["parameters"]["size"]
print(f"iteration {req['iteration']} of {req['experiment_id']}: size {size}", file=sys.stderr)
if str(size) in sys.argv[1:]:
    try:
        raise RuntimeError(f"the backtest broke at size {size}")
    except RuntimeError:
        traceback.print_exc()
    sys.exit(3)
print(json.dumps({"score": size / 4}))
`,
  );
});
afterAll(() => scripts.remove());

const evaluator = (...failAt: number[]) =>
  commandEvaluator({
    command: ["python3", scripts.path("backtest.py"), ...failAt.map(String)],
  });

function loop(id: string, store: ReturnType<typeof memoryStore>, failAt: number[], extra = {}) {
  return runGateLoop({
    tracker: createTracker({ store }),
    gate,
    strategy: start,
    backtest: evaluator(...failAt),
    refine: refineWithin(ruleRefiner(), { space, onWarning: () => {} }),
    maxIterations: 6,
    experimentId: id,
    onWarning: () => {},
    ...extra,
  });
}

describe("runGateLoop with commandEvaluator and the rule refiner", () => {
  it("runs a Python backtest to SUCCESS, each record with its log and refiner", async () => {
    const store = memoryStore();
    const result = await loop("ok", store, []);
    expect(result.passed).toBe(true);
    const records = await store.read("ok");
    expect(records.map((r) => r.parameters.size)).toEqual([1, 2, 3, 4]);
    expect(records[1]?.evaluator_log).toBe("iteration 2 of ok: size 2\n");
    expect(records[0]?.refiner).toBeUndefined();
    expect(records[1]?.refiner).toEqual({ source: "rule" });
  });

  it('logs a failed evaluation, then stops FAILED by default ("stop")', async () => {
    const store = memoryStore();
    const error = await loop("stop", store, [2]).catch((e: unknown) => e);
    expect(GateLoopError.isInstance(error)).toBe(true);
    expect((error as GateLoopError).stage).toBe("backtest");
    expect((error as Error).message).toContain("exited with code 3");
    const records = await store.read("stop");
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({
      metrics: {},
      gate_passed: false,
      gate_score: null,
      action_taken: "EVALUATION_FAILED",
      refiner: { source: "rule" },
    });
    expect(records[1]?.evaluation_error?.message).toMatch(/exited with code 3/);
    expect(records[1]?.evaluation_error?.log_tail).toContain(
      "RuntimeError: the backtest broke at size 2",
    );
    expect((await store.readMeta("stop"))?.status).toBe("FAILED");
  });

  it('goes on with "continue", refining from the last strategy that evaluated', async () => {
    const store = memoryStore();
    const result = await loop("continue", store, [2], { onEvaluationError: "continue" });
    expect(result.passed).toBe(true);
    const records = await store.read("continue");
    // Size 2 failed; from size 1 the refiner skips the tried 2 and goes on.
    expect(records.map((r) => [r.parameters.size, r.action_taken])).toEqual([
      [1, "REFINE"],
      [2, "EVALUATION_FAILED"],
      [3, "REFINE"],
      [4, "SUCCESS"],
    ]);
    expect(result.summary.status).toBe("SUCCESS");
  });

  it('ends FAILED after too many failed evaluations in a row with "continue"', async () => {
    const store = memoryStore();
    const error = await loop("too-many", store, [2, 3, 4, 5], {
      onEvaluationError: "continue",
      maxConsecutiveEvaluationErrors: 2,
    }).catch((e: unknown) => e);
    expect(GateLoopError.isInstance(error)).toBe(true);
    const records = await store.read("too-many");
    expect(records.map((r) => r.action_taken)).toEqual([
      "REFINE",
      "EVALUATION_FAILED",
      "EVALUATION_FAILED",
    ]);
    expect((await store.readMeta("too-many"))?.status).toBe("FAILED");
  });

  it("stops after logging the running evaluation when the signal aborts, whatever the policy", async () => {
    scripts.write("slow.py", "import time\ntime.sleep(30)\n");
    const store = memoryStore();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const error = await runGateLoop({
      tracker: createTracker({ store }),
      gate,
      strategy: start,
      backtest: commandEvaluator({ command: ["python3", scripts.path("slow.py")] }),
      refine: (c) => c.strategy,
      maxIterations: 3,
      experimentId: "aborted",
      onEvaluationError: "continue",
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(GateLoopError.isInstance(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    const records = await store.read("aborted");
    expect(records).toHaveLength(1);
    expect(records[0]?.evaluation_error?.message).toContain("was aborted");

    // Aborted between iterations: nothing more runs or is logged.
    const between = new AbortController();
    const stopped = await runGateLoop({
      tracker: createTracker({ store }),
      gate,
      strategy: start,
      backtest: (s) => ({ score: s.parameters.size / 4 }),
      refine: (c) => {
        between.abort();
        return { ...c.strategy, parameters: { size: c.strategy.parameters.size + 1 } };
      },
      maxIterations: 3,
      experimentId: "aborted-between",
      signal: between.signal,
    }).catch((e: unknown) => e);
    expect((stopped as Error).message).toContain("aborted before iteration 2 ran");
    expect(await store.read("aborted-between")).toHaveLength(1);
  });

  it("keeps a secret of the environment out of the evaluator, its log and every record", async () => {
    scripts.write(
      "dump-env.py",
      `import json, os, sys
print(json.dumps(dict(os.environ)), file=sys.stderr)
print('{"score": 0.5}')
`,
    );
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = "sentinel-sk-5d0c7e";
    try {
      const store = memoryStore();
      await runGateLoop({
        tracker: createTracker({ store }),
        gate,
        strategy: start,
        backtest: commandEvaluator({ command: ["python3", scripts.path("dump-env.py")] }),
        refine: refineWithin(ruleRefiner(), { space, onWarning: () => {} }),
        maxIterations: 2,
        experimentId: "sentinel",
      });
      const records = await store.read("sentinel");
      expect(records[0]?.evaluator_log).toContain('"PATH"');
      const written = JSON.stringify([records, await store.readMeta("sentinel")]);
      expect(written).not.toContain("sentinel-sk-5d0c7e");
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });

  it("keeps the last 16 KB of a log a backtest returns, and passes it the iteration", async () => {
    const store = memoryStore();
    const seen: unknown[] = [];
    await runGateLoop({
      tracker: createTracker({ store }),
      gate,
      strategy: { name: "toy", parameters: { size: 4 } },
      backtest: (s, context) => {
        seen.push(context);
        return { metrics: { score: s.parameters.size / 4 }, log: `${"x".repeat(40_000)}END` };
      },
      refine: (c) => c.strategy,
      maxIterations: 1,
      experimentId: "big-log",
    });
    expect(seen).toEqual([{ iteration: 1, experimentId: "big-log" }]);
    const [record] = await store.read("big-log");
    expect(record?.evaluator_log).toMatch(/^\[first 23619 bytes cut\]\nx+END$/);
  });
});
