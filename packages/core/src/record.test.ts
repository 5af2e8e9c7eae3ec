import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.js";
import {
  deserializeRecord,
  type ExperimentRecord,
  parseRecord,
  serializeRecord,
} from "./record.js";

// The Python logger's own sample (docs/record-format.md).
const sampleLine =
  '{"experiment_id":"exp_20260118_143022","iteration":2,"timestamp":"2026-01-18T14:35:10Z","strategy_name":"AAPL_Momentum_v2","parameters":{"position_size":0.15,"rsi_threshold":70,"stop_loss":0.15},"metrics":{"sharpe_ratio":0.85,"max_drawdown":0.20,"win_rate":0.50},"gate_passed":false,"gate_score":0.75,"action_taken":"TUNE_PARAMETERS","parameter_changes":{"position_size":0.15},"compute_time":43.8}';

function errorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (ValidationError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("ExperimentRecord", () => {
  it("reads a seed line and fills the defaults", () => {
    const r = deserializeRecord(sampleLine);
    expect(r).toMatchObject({
      schema_version: 1,
      experiment_id: "exp_20260118_143022",
      iteration: 2,
      timestamp: "2026-01-18T14:35:10Z",
      parameters: { position_size: 0.15, rsi_threshold: 70, stop_loss: 0.15 },
      metrics: { sharpe_ratio: 0.85, max_drawdown: 0.2, win_rate: 0.5 },
      gate_score: 0.75,
      parameter_changes: { position_size: 0.15 },
      strategy_code: "",
      research_directive: "",
      failed_criteria: [],
      failure_analysis: null,
      cost: 0,
      llm_usage: [],
    });
  });

  it("keeps fields it does not know", () => {
    const r = parseRecord({
      experiment_id: "e",
      iteration: 1,
      metrics: {},
      team: { name: "quant" },
    });
    expect((r as Record<string, unknown>).team).toEqual({ name: "quant" });
    expect(JSON.parse(serializeRecord(r)).team).toEqual({ name: "quant" });
  });

  it("names each missing required field", () => {
    const e = errorOf(() => parseRecord({ iteration: 1 }));
    expect(e.issues.map((i) => i.path).sort()).toEqual(["experiment_id", "metrics"]);
    expect(e.message).toContain("record.experiment_id");
    expect(e.message).toContain("record.metrics");
  });

  it("names a metric that is a string", () => {
    const e = errorOf(() =>
      parseRecord({ experiment_id: "e", iteration: 1, metrics: { sharpe_ratio: "high" } }),
    );
    expect(e.issues).toEqual([
      { path: "metrics.sharpe_ratio", message: expect.stringContaining('got the string "high"') },
    ]);
    expect(e.message).toContain("record.metrics.sharpe_ratio");
  });

  it("rejects a negative or fractional iteration", () => {
    expect(
      errorOf(() => parseRecord({ experiment_id: "e", iteration: -1, metrics: {} })).message,
    ).toMatch(/record\.iteration: iteration must be >= 0/);
    expect(
      errorOf(() => parseRecord({ experiment_id: "e", iteration: 1.5, metrics: {} })).issues[0]
        ?.path,
    ).toBe("iteration");
  });

  it("rejects experiment ids that are not portable file names", () => {
    for (const id of ["../etc", "a/b", "", ".hidden", "x".repeat(129)]) {
      expect(
        errorOf(() => parseRecord({ experiment_id: id, iteration: 1, metrics: {} })).issues[0]
          ?.path,
      ).toBe("experiment_id");
    }
  });

  it("refuses a record from a newer wire format with the fix", () => {
    expect(() =>
      parseRecord({ schema_version: 2, experiment_id: "e", iteration: 1, metrics: {} }),
    ).toThrow(/upgrade @converge\/core/);
  });

  it("normalises timestamps to UTC with Z", () => {
    const at = (timestamp: string) =>
      parseRecord({ experiment_id: "e", iteration: 1, metrics: {}, timestamp }).timestamp;
    expect(at("2026-01-18T14:30:22.123456")).toBe("2026-01-18T14:30:22.123456Z"); // Python's utcnow()
    expect(at("2026-01-18T14:30:22+00:00")).toBe("2026-01-18T14:30:22Z");
    expect(at("2026-01-18T16:30:22+02:00")).toBe("2026-01-18T14:30:22.000Z");
    expect(() => at("yesterday")).toThrow(/record\.timestamp/);
  });

  it("carries non-finite metrics through a line and reads pydantic's null as NaN", () => {
    const r = parseRecord({
      experiment_id: "e",
      iteration: 1,
      metrics: {
        sharpe_ratio: Number.NaN,
        profit_factor: Number.POSITIVE_INFINITY,
        worst: Number.NEGATIVE_INFINITY,
        ok: 1,
      },
    });
    const line = serializeRecord(r);
    expect(JSON.parse(line).metrics).toEqual({
      sharpe_ratio: "NaN",
      profit_factor: "Infinity",
      worst: "-Infinity",
      ok: 1,
    });
    const back = deserializeRecord(line);
    expect(Object.is(back.metrics.sharpe_ratio, Number.NaN)).toBe(true);
    expect(back.metrics.profit_factor).toBe(Number.POSITIVE_INFINITY);
    expect(back.metrics.worst).toBe(Number.NEGATIVE_INFINITY);
    expect(
      Number.isNaN(
        deserializeRecord('{"experiment_id":"e","iteration":1,"metrics":{"s":null}}').metrics.s,
      ),
    ).toBe(true);
  });

  it("rejects parameters JSON cannot hold", () => {
    const e = errorOf(() =>
      parseRecord({ experiment_id: "e", iteration: 1, metrics: {}, parameters: { k: Number.NaN } }),
    );
    expect(e.issues[0]?.path).toBe("parameters.k");
  });
});

const metricValue = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
);
const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== "__proto__");
const recordArb = fc.record(
  {
    experiment_id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
    iteration: fc.nat(),
    timestamp: fc
      .date({
        min: new Date("2000-01-01T00:00:00Z"),
        max: new Date("2100-01-01T00:00:00Z"),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
    strategy_name: fc.string(),
    strategy_code: fc.string({ unit: "grapheme" }),
    parameters: fc.dictionary(key, fc.jsonValue({ maxDepth: 2 })),
    metrics: fc.dictionary(key, metricValue),
    gate_passed: fc.boolean(),
    gate_score: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    action_taken: fc.string(),
    compute_time: fc.double({ min: 0, max: 1e6, noNaN: true }),
    cost: fc.double({ min: 0, max: 1e3, noNaN: true }),
    extra_field: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: ["experiment_id", "iteration", "metrics"] },
);

describe("ExperimentRecord round trip (property)", () => {
  it("any valid record survives serialise -> deserialise unchanged", () => {
    fc.assert(
      fc.property(recordArb, (input) => {
        const record: ExperimentRecord = parseRecord(input);
        const back = deserializeRecord(serializeRecord(record));
        // -0 becomes 0 in JSON; everything else, NaN included, must be identical.
        expect(Object.keys(back.metrics)).toEqual(Object.keys(record.metrics));
        for (const [name, value] of Object.entries(record.metrics)) {
          expect(Object.is(back.metrics[name], Object.is(value, -0) ? 0 : value)).toBe(true);
        }
        const { metrics: _a, ...restBack } = back;
        const { metrics: _b, ...restRecord } = record;
        expect(restBack).toEqual(JSON.parse(JSON.stringify(restRecord)));
      }),
      { numRuns: 300 },
    );
  });
});
