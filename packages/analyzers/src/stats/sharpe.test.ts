import { describe, expect, it } from "vitest";
import {
  deflatedSharpe,
  expectedMaxSharpe,
  minTrackRecordLength,
  probabilisticSharpe,
} from "./sharpe.js";

/**
 * The published vectors are printed truncated, not rounded (PSR 0.957277880…, printed 0.95727):
 * agree within one unit of the last printed digit, and with mpmath to 1e-12.
 */
function expectPrinted(actual: number | null, printed: number, decimals: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - printed)).toBeLessThan(10 ** -decimals);
}

const BASE = { sr: 1.14, t: 250, skew: 0, kurtosis: 3 };

describe("probabilisticSharpe and minTrackRecordLength", () => {
  it("PSR(1.14, 1.0, T = 250, 0, 3) = 0.95727", () => {
    const psr = probabilisticSharpe({ ...BASE, srBenchmark: 1.0 });
    expectPrinted(psr, 0.95727, 5);
    expect(psr).toBeCloseTo(0.957277880327313, 12); // mpmath
  });

  it("MinTRL(1.14, 1.0, 0, 3, α = 0.05) = 228.73497", () => {
    const mintrl = minTrackRecordLength({ sr: 1.14, srBenchmark: 1.0, alpha: 0.05 });
    expectPrinted(mintrl, 228.73497, 5);
    expect(mintrl).toBeCloseTo(228.7349791105416, 9); // mpmath
    // At that length PSR is exactly 1 − α.
    const psr = probabilisticSharpe({ ...BASE, srBenchmark: 1.0, t: mintrl as number });
    expect(psr).toBeCloseTo(0.95, 12);
  });

  it("defaults: benchmark 0, normal moments", () => {
    expect(probabilisticSharpe({ sr: 0.1, t: 101 })).toBeCloseTo(
      probabilisticSharpe({ sr: 0.1, srBenchmark: 0, t: 101, skew: 0, kurtosis: 3 }) as number,
      15,
    );
    // Negative skew and fat tails widen the estimator: lower PSR for the same SR.
    const fat = probabilisticSharpe({ sr: 0.1, t: 101, skew: -3, kurtosis: 10 }) as number;
    expect(fat).toBeLessThan(probabilisticSharpe({ sr: 0.1, t: 101 }) as number);
  });

  it("invalid input gives null", () => {
    expect(probabilisticSharpe({ sr: 1, t: 1 })).toBeNull();
    expect(probabilisticSharpe({ sr: 1, t: 0.5 })).toBeNull();
    expect(probabilisticSharpe({ sr: Number.NaN, t: 100 })).toBeNull();
    expect(probabilisticSharpe({ sr: 1, t: Number.POSITIVE_INFINITY })).toBeNull();
    // 1 − γ₃·SR + (γ₄ − 1)/4·SR² = 1 − 5 + 0.5 < 0
    expect(probabilisticSharpe({ sr: 1, t: 100, skew: 5, kurtosis: 3 })).toBeNull();
    expect(minTrackRecordLength({ sr: 1, srBenchmark: 1 })).toBeNull();
    expect(minTrackRecordLength({ sr: 0.5, srBenchmark: 1 })).toBeNull();
    expect(minTrackRecordLength({ sr: 2, alpha: 0 })).toBeNull();
    expect(minTrackRecordLength({ sr: 2, alpha: 1 })).toBeNull();
  });
});

describe("expectedMaxSharpe and deflatedSharpe", () => {
  it("std 0.4, N = 100: SR₀ = 1.012241, DSR = 0.941740", () => {
    const r = deflatedSharpe({ ...BASE, trialSharpeStd: 0.4, n: 100 });
    expect(r.sr0).toBeCloseTo(1.012241, 6);
    expect(r.dsr).toBeCloseTo(0.94174, 6);
    expect(r.sr0).toBeCloseTo(1.0122411572806729, 12); // mpmath
    expect(expectedMaxSharpe({ trialSharpeStd: 0.4, n: 100 })).toBe(r.sr0);
  });

  it("trial Sharpes [3.5, 1.01, 1.02], population std: SR₀ = 0.99902, DSR = 0.95836", () => {
    const r = deflatedSharpe({ ...BASE, trialSharpes: [3.5, 1.01, 1.02] });
    expectPrinted(r.sr0, 0.99902, 5);
    expectPrinted(r.dsr, 0.95836, 5);
    expect(r.sr0).toBeCloseTo(0.9990155652881751, 12); // mpmath
    expect(r.dsr).toBeCloseTo(0.9583658117478664, 12); // mpmath
  });

  it("ddof = 0 is the documented choice: the sample std (ddof = 1) would give 1.2235", () => {
    const values = [3.5, 1.01, 1.02];
    const mean = values.reduce((a, b) => a + b, 0) / 3;
    const sampleStd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
    const withDdof1 = expectedMaxSharpe({ trialSharpeStd: sampleStd, n: 3 }) as number;
    expect(withDdof1).toBeCloseTo(1.2235391900270616, 12); // mpmath
    expect(expectedMaxSharpe({ trialSharpes: values })).not.toBeCloseTo(withDdof1, 2);
  });

  it("the paper's example: annual SR 2.5, T = 1250, N = 100, annual V = 0.5, γ₃ −3, γ₄ 10", () => {
    // Per period (daily, 250 a year): SR /√250, variance of trial Sharpes /250.
    const r = deflatedSharpe({
      sr: 2.5 / Math.sqrt(250),
      t: 1250,
      skew: -3,
      kurtosis: 10,
      trialSharpeStd: Math.sqrt(0.5 / 250),
      n: 100,
    });
    expect(r.sr0).toBeCloseTo(0.1132, 4);
    expect(r.dsr).toBeCloseTo(0.9004, 4);
    expect(r.dsr).toBeCloseTo(0.900396834449391, 12); // mpmath
  });

  it("N counts trials: more trials raise SR₀ and lower DSR", () => {
    const few = deflatedSharpe({ ...BASE, trialSharpeStd: 0.4, n: 10 });
    const many = deflatedSharpe({ ...BASE, trialSharpeStd: 0.4, n: 1000 });
    expect(many.sr0 as number).toBeGreaterThan(few.sr0 as number);
    expect(many.dsr as number).toBeLessThan(few.dsr as number);
  });

  it("edge cases: N = 1 gives SR₀ = 0; unusable spread or N gives null", () => {
    expect(expectedMaxSharpe({ trialSharpeStd: 0.4, n: 1 })).toBe(0);
    expect(expectedMaxSharpe({ trialSharpes: [0.7] })).toBe(0);
    expect(deflatedSharpe({ ...BASE, trialSharpes: [0.7] })).toEqual({
      sr0: 0,
      dsr: probabilisticSharpe({ ...BASE, srBenchmark: 0 }),
    });
    expect(expectedMaxSharpe({ trialSharpeStd: 0.4 })).toBeNull();
    expect(expectedMaxSharpe({ trialSharpeStd: 0.4, n: 0 })).toBeNull();
    expect(expectedMaxSharpe({ trialSharpeStd: -1, n: 10 })).toBeNull();
    expect(expectedMaxSharpe({ trialSharpes: [] })).toBeNull();
    expect(expectedMaxSharpe({ trialSharpes: [Number.NaN, null] })).toBeNull();
    expect(expectedMaxSharpe({})).toBeNull();
    // NaN trial Sharpes are dropped, N counts the finite ones.
    expect(expectedMaxSharpe({ trialSharpes: [3.5, Number.NaN, 1.01, 1.02] })).toBe(
      expectedMaxSharpe({ trialSharpes: [3.5, 1.01, 1.02] }),
    );
    expect(deflatedSharpe({ sr: 1, t: 1, trialSharpeStd: 0.4, n: 10 }).dsr).toBeNull();
    expect(deflatedSharpe({ sr: 1, t: 100, n: 10 })).toEqual({ dsr: null, sr0: null });
  });
});
