import { describe, expect, it } from "vitest";
import type { TrajectoryAssessment } from "./assessment.js";
import type { Advisor, StrategyLike } from "./contracts.js";
import { evaluateGate } from "./gate.js";
import { runGateLoop } from "./gate-loop.js";
import { canonicalJson } from "./json.js";
import { memoryStore } from "./memory-store.js";
import { MetricSpecsSchema, metricGoal } from "./metric-spec.js";
import { nameMap, ownValue, setName } from "./names.js";
import { deserializeRecord, parseRecord, serializeRecord } from "./record.js";
import { deriveParameterChanges } from "./run.js";
import { createTracker } from "./tracker.js";

/** Names that are keys of Object.prototype (or its accessor). */
const HOSTILE = ["toString", "constructor", "valueOf", "hasOwnProperty", "__proto__"] as const;

function clock(start = Date.parse("2026-01-18T14:30:22Z")) {
  let t = start;
  return () => {
    t += 1000;
    return new Date(t);
  };
}

/** Metrics with a hostile name as an own entry (an object literal would set the prototype for "__proto__"). */
function metricsWith(name: string, value: number, base: Record<string, number> = {}) {
  const out: Record<string, number> = { ...base };
  setName(out, name, value);
  return out;
}

const continueAssessment: TrajectoryAssessment = {
  convergence_assessment: "STAGNANT",
  gradient_effectiveness: "MIXED",
  likelihood_of_success: "MEDIUM",
  estimated_iterations_needed: null,
  key_findings: [],
  parameter_recommendations: {},
  next_action: "CONTINUE",
  specific_recommendations: [],
  confidence: 0.5,
  reasoning: "test",
};

describe.each(HOSTILE)("a metric named %s that first appears after iteration 1", (name) => {
  it("is analysed as data: run.analyze gives NaN where an iteration lacked it", async () => {
    const tracker = createTracker({ store: memoryStore(), now: clock() });
    const run = await tracker.start({ experimentId: "exp_names" });
    await run.log({ metrics: { score: 0.1 } });
    await run.log({ metrics: metricsWith(name, 2, { score: 0.2 }) });
    await run.log({ metrics: metricsWith(name, 3, { score: 0.3 }) });
    const trajectory = await run.analyze();
    expect(Object.keys(trajectory.metric_history).sort()).toEqual([name, "score"].sort());
    expect(ownValue(trajectory.metric_history, name)).toEqual([Number.NaN, 2, 3]);
    expect(trajectory.metric_history.score).toEqual([0.1, 0.2, 0.3]);
  });

  it("leaves runGateLoop's advice on every iteration from the second on", async () => {
    const calls: number[] = [];
    const advisor: Advisor = {
      specificationVersion: "v1",
      name: "recorder",
      async advise({ records, trajectory }) {
        calls.push(records.length);
        // The advisor sees the hostile metric's history like any other.
        expect(ownValue(trajectory.metric_history, name)?.length).toBe(records.length);
        return { assessment: continueAssessment, source: "test" };
      },
    };
    const warnings: string[] = [];
    const tracker = createTracker({ store: memoryStore(), advisor, now: clock() });
    interface Toy extends StrategyLike {
      parameters: { size: number };
    }
    const result = await runGateLoop<Toy>({
      tracker,
      gate: { criteria: [{ metric: "score", op: ">=", threshold: 10 }] },
      strategy: { name: "toy", parameters: { size: 1 } },
      backtest: (s) =>
        s.parameters.size === 1
          ? { score: 0 }
          : metricsWith(name, s.parameters.size, { score: s.parameters.size / 10 }),
      refine: ({ strategy }) => ({
        ...strategy,
        parameters: { size: strategy.parameters.size + 1 },
      }),
      maxIterations: 4,
      onWarning: (message) => warnings.push(message),
    });
    expect(warnings).toEqual([]);
    expect(calls).toEqual([2, 3, 4]);
    expect(result.summary.status).toBe("MAX_ITERATIONS");
  });
});

describe("hostile names as data", () => {
  it("keeps __proto__ as a metric and a parameter through validation, serialisation and a store", async () => {
    const raw = JSON.parse(
      '{"experiment_id":"exp_p","iteration":1,"metrics":{"__proto__":1.5,"constructor":"NaN"},' +
        '"parameters":{"__proto__":{"nested":true},"toString":2}}',
    ) as unknown;
    const record = parseRecord(raw);
    expect(Object.getPrototypeOf(record.metrics)).toBe(Object.prototype);
    expect(Object.keys(record.metrics)).toEqual(["__proto__", "constructor"]);
    expect(ownValue(record.metrics, "__proto__")).toBe(1.5);
    expect(ownValue(record.metrics, "constructor")).toBeNaN();
    expect(ownValue(record.parameters, "__proto__")).toEqual({ nested: true });
    expect(ownValue(record.parameters, "toString")).toBe(2);

    const line = serializeRecord(record);
    expect(JSON.parse(line).metrics).toEqual(JSON.parse('{"__proto__":1.5,"constructor":"NaN"}'));
    const back = deserializeRecord(line);
    expect(Object.keys(back.metrics)).toEqual(["__proto__", "constructor"]);
    expect(Object.keys(back.parameters)).toEqual(["__proto__", "toString"]);

    const store = memoryStore();
    await store.append(record);
    const [read] = await store.read("exp_p");
    expect(ownValue(read?.metrics, "__proto__")).toBe(1.5);
    expect(ownValue(read?.parameters, "__proto__")).toEqual({ nested: true });
  });

  it("validates the schema path (not only the fast one) with __proto__ names", () => {
    // An advice field sends the record through zod; the names must survive there too.
    const raw = JSON.parse(
      '{"experiment_id":"exp_p","iteration":1,"metrics":{"__proto__":"Infinity"},' +
        '"parameter_changes":{"__proto__":{"to":1}},"llm_usage":[{"provider":"p","model":"m",' +
        '"input_tokens":1,"output_tokens":1,"cost_usd":null}]}',
    ) as unknown;
    const record = parseRecord(raw);
    expect(ownValue(record.metrics, "__proto__")).toBe(Number.POSITIVE_INFINITY);
    expect(ownValue(record.parameter_changes, "__proto__")).toEqual({ to: 1 });
  });

  it("names an empty metric name in the error", () => {
    expect(() => parseRecord({ experiment_id: "e", iteration: 1, metrics: { "": 1 } })).toThrow(
      /record\.metrics\[""\]: metric names cannot be empty/,
    );
  });

  it("scores a criterion on a metric named toString as missing when the metrics lack it", () => {
    const gate = { criteria: [{ metric: "toString", op: ">=" as const, threshold: 1 }] };
    const missing = evaluateGate({ score: 1 }, gate);
    expect(missing.criteria[0]).toMatchObject({ value: null, note: "missing", passed: false });
    const present = evaluateGate(metricsWith("toString", 2), gate);
    expect(present.passed).toBe(true);
  });

  it("derives parameter changes for __proto__ and constructor as entries", () => {
    const before = nameMap<number>([
      ["__proto__", 1],
      ["constructor", 1],
    ]);
    const after = nameMap<number>([["__proto__", 2]]);
    const changes = deriveParameterChanges(before, after);
    expect(Object.keys(changes).sort()).toEqual(["__proto__", "constructor"]);
    expect(ownValue(changes, "__proto__")).toEqual({ from: 1, to: 2 });
    expect(ownValue(changes, "constructor")).toEqual({ from: 1 });
    expect(Object.getPrototypeOf(changes)).toBe(Object.prototype);
  });

  it("tells a value with a __proto__ entry apart from an empty object", () => {
    const withEntry = JSON.parse('{"__proto__":{"a":1}}') as unknown;
    expect(canonicalJson(withEntry)).toBe('{"__proto__":{"a":1}}');
    expect(canonicalJson(withEntry)).not.toBe(canonicalJson({}));
  });

  it("keeps metric specs named like prototype keys, and reads goals from own specs only", () => {
    const specs = MetricSpecsSchema.parse(
      JSON.parse('{"__proto__":"minimize","valueOf":{"goal":"minimize"}}'),
    );
    expect(Object.getPrototypeOf(specs)).toBeNull();
    expect(Object.keys(specs)).toEqual(["__proto__", "valueOf"]);
    expect(metricGoal("__proto__", specs)).toBe("minimize");
    expect(metricGoal("valueOf", specs)).toBe("minimize");
    // Not in the specs: the name decides, never an inherited property.
    expect(metricGoal("toString", specs)).toBe("maximize");
    expect(metricGoal("constructor", {})).toBe("maximize");
  });
});
