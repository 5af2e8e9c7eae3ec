import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExperimentRecordSchema } from "./record.js";
import { fastParseRecord } from "./record-fast-path.js";

const anything = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    undefined,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -1,
    1.5,
    2 ** 60,
    "",
    "NaN",
    "Infinity",
    [],
    {},
  ),
);
/** Mostly valid values, sometimes anything at all. */
function mostly<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: anything, weight: 1 });
}
const metrics = fc.dictionary(
  fc.string({ maxLength: 6 }),
  fc.oneof(fc.double(), fc.constantFrom("NaN", "Infinity", "-Infinity", null, "1", true)),
);
const plausible = fc.record(
  {
    schema_version: fc.oneof(
      { arbitrary: fc.constant(1), weight: 8 },
      fc.constantFrom(0, 2, -1, 1.5, "1"),
    ),
    experiment_id: fc.oneof(
      { arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,8}$/), weight: 8 },
      fc.string({ maxLength: 4 }),
    ),
    iteration: fc.oneof(
      { arbitrary: fc.nat(), weight: 8 },
      fc.integer({ min: -5, max: -1 }),
      fc.double(),
    ),
    timestamp: fc.oneof(
      fc
        .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
        .map((d) => d.toISOString()),
      fc.constantFrom("2026-01-18T14:30:22", "2026-01-18T14:30:22+02:00", null, "x"),
    ),
    research_iteration: mostly(fc.nat()),
    strategy_name: mostly(fc.string()),
    parameters: mostly(fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }))),
    metrics: fc.oneof(metrics, anything),
    gate_passed: mostly(fc.boolean()),
    gate_score: mostly(fc.double({ min: -0.5, max: 1.5 })),
    failed_criteria: mostly(
      fc.array(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }))),
    ),
    parameter_changes: mostly(
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
    ),
    failure_classification: mostly(fc.string()),
    failure_analysis: mostly(
      fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
    ),
    compute_time: mostly(fc.double()),
    cost: mostly(fc.double({ min: 0, max: 10 })),
    llm_usage: fc.constantFrom(
      undefined,
      [],
      [{ provider: "p", model: "m", input_tokens: 1, output_tokens: 1, cost_usd: null }],
    ),
    evaluator_log: mostly(fc.string()),
    refiner: mostly(
      fc.record({ source: fc.string(), fallback: fc.string() }, { requiredKeys: ["source"] }),
    ),
    evaluation_error: fc.constantFrom(undefined, { message: "m", log_tail: "t" }, { message: 1 }),
    team: anything,
  },
  { requiredKeys: ["experiment_id", "iteration", "metrics"] },
);

describe("fastParseRecord", () => {
  it("accepts only what the schema accepts, and builds exactly what the schema builds", () => {
    let accepted = 0;
    fc.assert(
      fc.property(plausible, (input) => {
        const fast = fastParseRecord(input);
        const slow = ExperimentRecordSchema.safeParse(input);
        if (fast === undefined) return;
        accepted++;
        expect(slow.success).toBe(true);
        expect(fast).toEqual(slow.data);
        expect(Object.keys(fast)).toEqual(Object.keys(slow.data as object));
        for (const [k, v] of Object.entries(fast.metrics))
          expect(Object.is(v, slow.data?.metrics[k])).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(5); // the check must not decline everything
  });

  it("takes every valid record with no llm_usage and local-time-free timestamps", () => {
    const valid = fc.record(
      {
        experiment_id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,8}$/),
        iteration: fc.nat(),
        timestamp: fc
          .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
          .map((d) => d.toISOString()),
        strategy_code: fc.string({ unit: "grapheme" }),
        parameters: fc.dictionary(
          fc.string({ maxLength: 5 }).filter((k) => k !== "__proto__"),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        metrics: fc.dictionary(
          fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== "__proto__"),
          fc.oneof(fc.double(), fc.constantFrom("NaN", "Infinity", "-Infinity", null)),
        ),
        gate_score: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
        failure_analysis: fc.option(
          fc.dictionary(
            fc.string({ maxLength: 4 }).filter((k) => k !== "__proto__"),
            fc.jsonValue({ maxDepth: 1 }),
          ),
          { nil: null },
        ),
        compute_time: fc.double({ min: 0, max: 1e6, noNaN: true }),
        extra: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: ["experiment_id", "iteration", "metrics"] },
    );
    fc.assert(
      fc.property(valid, (input) => {
        const text = JSON.stringify(input);
        // A "__proto__" key anywhere is left to the schema on purpose.
        fc.pre(!text.includes('"__proto__"'));
        const fast = fastParseRecord(JSON.parse(text));
        expect(fast).toBeDefined();
        expect(fast).toEqual(ExperimentRecordSchema.parse(JSON.parse(JSON.stringify(input))));
      }),
      { numRuns: 1000 },
    );
  });

  it("takes the common valid record, with the Python logger's shape", () => {
    const seed = JSON.parse(
      '{"experiment_id":"exp_20260118_143022","iteration":1,"timestamp":"2026-01-18T14:30:22Z","strategy_name":"AAPL_Momentum_v1","parameters":{"position_size":0.1,"rsi_threshold":70,"stop_loss":0.15},"metrics":{"sharpe_ratio":0.75,"max_drawdown":0.22,"win_rate":0.48},"gate_passed":false,"gate_score":0.65,"action_taken":"TUNE_PARAMETERS","parameter_changes":{},"compute_time":45.2}',
    );
    expect(fastParseRecord(seed)).toEqual(ExperimentRecordSchema.parse(seed));
  });

  it("leaves invalid input to the schema, which names the field", () => {
    expect(
      fastParseRecord({ experiment_id: "0", iteration: 0, metrics: {}, failed_criteria: null }),
    ).toBeUndefined();
    expect(
      fastParseRecord({ experiment_id: "e", iteration: 1, metrics: { s: "high" } }),
    ).toBeUndefined();
    expect(fastParseRecord({ experiment_id: "e", iteration: -1, metrics: {} })).toBeUndefined();
    expect(fastParseRecord({ iteration: 1, metrics: {} })).toBeUndefined();
  });
});
