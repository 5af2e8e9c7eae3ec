import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  estimateParameterImpact,
  type ImpactRecord,
  type ParameterImpactResult,
} from "./parameter-impact.js";

const rec = (parameters: Record<string, unknown>, gate_score: number | null): ImpactRecord =>
  ({ parameters, gate_score }) as ImpactRecord;

/** The same value with ordinary objects for the result's prototype-free maps (undefined kept). */
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
}

/** JSON-safe: survives a JSON round trip unchanged (NaN and Infinity would become null). */
function expectJsonSafe(result: ParameterImpactResult): void {
  expect(JSON.parse(JSON.stringify(result))).toStrictEqual(toPlain(result));
}

describe("estimateParameterImpact on degenerate input", () => {
  it("0 and 1 records: nothing to estimate", () => {
    for (const records of [[], [rec({ a: 1 }, 0.5)]]) {
      const result = estimateParameterImpact(records);
      expect(result).toEqual({
        parameters: {},
        skipped: records.length ? { a: "never changed" } : {},
        method: "none",
        lambda: null,
        drift: null,
        observations: 0,
      });
      expectJsonSafe(result);
    }
  });

  it("2 records: one transition is too few for a regression with drift", () => {
    const result = estimateParameterImpact([
      rec({ a: 1, b: "x" }, 0.5),
      rec({ a: 2, b: "y" }, 0.6),
    ]);
    expect(result.method).toBe("none");
    expect(result.observations).toBe(1);
    expect(result.parameters.a).toEqual({
      kind: "numeric",
      impact: null,
      stderr: null,
      importance: null,
      changes: 1,
      direction: "UNCLEAR",
    });
    expect(result.parameters.b).toMatchObject({ kind: "categorical", impact: null, changes: 1 });
    expectJsonSafe(result);
  });

  it("3 records with one changing parameter: ridge, finite numbers", () => {
    const result = estimateParameterImpact([
      rec({ a: 1 }, 0.5),
      rec({ a: 2 }, 0.7),
      rec({ a: 1.5 }, 0.55),
    ]);
    expect(result.method).toBe("ridge");
    expect(result.observations).toBe(2);
    expect(result.parameters.a?.impact).toBeGreaterThan(0);
    expectJsonSafe(result);
  });

  it("parameters that never change are skipped with the reason", () => {
    const records = Array.from({ length: 10 }, (_, i) =>
      rec({ lr: 0.01, name: "x", on: true, nothing: null, a: i % 3 }, 0.1 * (i % 3)),
    );
    const result = estimateParameterImpact(records);
    expect(result.skipped).toEqual({
      lr: "never changed",
      name: "never changed",
      on: "never changed",
      nothing: "never set (only null values)",
    });
    expect(Object.keys(result.parameters)).toEqual(["a"]);
    expect(result.parameters.a?.impact).toBeCloseTo(0.1, 10);
  });

  it("nested values and constant steps are skipped with their reasons", () => {
    const records = Array.from({ length: 12 }, (_, i) =>
      rec({ layers: [i, 2], opt: { lr: i }, step: i, a: (i * 7) % 5 }, 0.02 * ((i * 7) % 5)),
    );
    const result = estimateParameterImpact(records);
    expect(result.skipped.layers).toBe("non-scalar value (array or object)");
    expect(result.skipped.opt).toBe("non-scalar value (array or object)");
    expect(result.skipped.step).toMatch(/not separable from the loop's drift/);
    expect(result.parameters.a?.impact).toBeCloseTo(0.02, 10);
  });

  it("all-null and non-finite scores: no observations", () => {
    for (const score of [null, Number.NaN, Number.POSITIVE_INFINITY]) {
      const records = Array.from({ length: 6 }, (_, i) => rec({ a: i % 2 }, score));
      const result = estimateParameterImpact(records);
      expect(result.method).toBe("none");
      expect(result.observations).toBe(0);
      expect(result.skipped.a).toBe("not changed between consecutive scored iterations");
      expectJsonSafe(result);
    }
  });

  it("transitions next to an unscored iteration are dropped, not bridged", () => {
    const scores = [0.1, 0.2, null, 0.3, 0.4, 0.5];
    const result = estimateParameterImpact(scores.map((s, i) => rec({ a: i }, s)));
    expect(result.observations).toBe(3);
  });

  it("a parameter that appears half-way counts only where present on both sides", () => {
    // score = 0.2 + 0.3 a + 0.1 late; `late` exists from iteration 10 on.
    const a = [
      0, 1, 0.5, 1.5, 1, 2, 1.2, 0.4, 1.1, 0.3, 0.9, 0.2, 1.3, 0.8, 1.6, 0.1, 0.7, 1.4, 0.6, 1,
    ];
    const late = [3, 2, 4, 1, 3, 5, 2, 4, 3, 1];
    const records = a.map((v, i) => {
      const l = i >= 10 ? (late[i - 10] as number) : undefined;
      const params = l === undefined ? { a: v } : { a: v, late: l };
      return rec(params, 0.2 + 0.3 * v + 0.1 * (l ?? 0));
    });
    const result = estimateParameterImpact(records);
    // The transition that introduces `late` (9 -> 10) has no delta for it but a
    // score jump of 0.3: absorbed as unexplained, so the fit is not exact there.
    expect(result.parameters.late?.changes).toBe(9);
    expect(result.parameters.late?.impact).toBeGreaterThan(0.05);
    expect(result.parameters.a?.impact).toBeGreaterThan(0.2);
    expectJsonSafe(result);
  });

  it("an exact linear fit gives exact impacts and no direction for a zero effect", () => {
    const rows = Array.from({ length: 15 }, (_, i) => ({
      a: Math.sin(i),
      b: Math.cos(2 * i),
      c: (i * 5) % 7,
    }));
    const records = rows.map((p) => rec(p, 0.5 + 0.8 * p.a - 0.5 * p.b));
    const result = estimateParameterImpact(records);
    expect(result.method).toBe("ols");
    expect(result.parameters.a?.impact).toBeCloseTo(0.8, 9);
    expect(result.parameters.b?.impact).toBeCloseTo(-0.5, 9);
    expect(result.parameters.c?.impact).toBeCloseTo(0, 9);
    expect(result.parameters.a?.direction).toBe("INCREASE");
    expect(result.parameters.b?.direction).toBe("DECREASE");
    expect(result.parameters.c?.direction).toBe("UNCLEAR");
  });

  it("two parameters always moved together share the effect (ridge, no throw)", () => {
    const x = [0, 1, 3, 2, 4, 1, 0, 2, 5, 3, 1, 4];
    const records = x.map((v, i) => rec({ a: v, b: 2 * v }, 0.1 + 0.05 * v + 0.001 * (i % 2)));
    const result = estimateParameterImpact(records);
    expect(result.method).toBe("ridge");
    // The combined effect per unit of a (b moves 2 per unit of a) is kept.
    const combined =
      (result.parameters.a?.impact as number) + 2 * (result.parameters.b?.impact as number);
    expect(combined).toBeCloseTo(0.05, 2);
    expectJsonSafe(result);
  });

  it("a custom score (goal-signed objective) replaces the gate score", () => {
    const drawdown = [0.3, 0.25, 0.28, 0.2, 0.22, 0.15, 0.18, 0.12];
    const stop = [1, 2, 1.5, 3, 2.5, 4, 3.4, 5];
    const records = drawdown.map((d, i) => ({
      ...rec({ stop: stop[i] as number }, null),
      metrics: { drawdown: d },
    }));
    const result = estimateParameterImpact(records, { score: (r) => -r.metrics.drawdown });
    expect(result.observations).toBe(7);
    expect(result.parameters.stop?.impact).toBeGreaterThan(0);
  });

  it("never throws and stays JSON-safe on arbitrary records", () => {
    const scalar = fc.oneof(
      fc.double(),
      fc.integer({ min: -3, max: 3 }),
      fc.boolean(),
      fc.constantFrom("ema", "sma", "3"),
      fc.constant(null),
      fc.constant(undefined),
    );
    const value = fc.oneof(
      { weight: 8, arbitrary: scalar },
      { weight: 1, arbitrary: fc.array(fc.integer(), { maxLength: 2 }) },
    );
    const record = fc.record({
      parameters: fc.dictionary(fc.constantFrom("a", "b", "c", "d", "e"), value),
      gate_score: fc.oneof(fc.double(), fc.double({ min: 0, max: 1 }), fc.constant(null)),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), (records) => {
        const result = estimateParameterImpact(records as ImpactRecord[]);
        expectJsonSafe(result);
        expect(result.observations).toBeLessThanOrEqual(Math.max(0, records.length - 1));
      }),
      { numRuns: 500 },
    );
  });
});
