import { evaluateGate } from "@converge/core";
import { describe, expect, it } from "vitest";
import { theilSen } from "../stats/index.js";
import {
  BUDGET_RANGE,
  DEFAULT_SEED_COUNT,
  EVALUATION_SEEDS,
  EXTRA_ITERATIONS,
  evaluationSeeds,
  generateLoop,
  LOOP_FAMILIES,
  type LoopFamily,
  loopSet,
  NOISE_LEVELS,
  NOISE_SD,
  PASS_WINDOWS,
  type SimulatedLoop,
  STEADY_FAMILIES,
  TUNING_SEEDS,
  tuningSeeds,
} from "./simulated-loops.js";
import { PARAMETER_SPECS } from "./simulated-parameters.js";

const SEEDS = Array.from({ length: 40 }, (_, i) => 7 + 3 * i);
const LOOPS = loopSet(SEEDS);
const of = (family: LoopFamily) => LOOPS.filter((l) => l.family === family);
const path = (loop: SimulatedLoop, metric: string) => loop.meanPath[metric] as number[];
const binding = (loop: SimulatedLoop) => path(loop, loop.design.binding);

/** First iteration (1-based) at which every criterion's mean margin is ≥ 0. */
function meanPass(loop: SimulatedLoop): number | null {
  const paths = Object.values(loop.meanPath);
  const n = paths[0]?.length ?? 0;
  for (let t = 0; t < n; t++) if (paths.every((p) => (p[t] as number) >= 0)) return t + 1;
  return null;
}

/** Noise in margin units: the goal-signed normalised value minus the mean margin. */
function residuals(loop: SimulatedLoop, metric: string): number[] {
  const c = loop.gate.criteria.find((x) => x.metric === metric);
  if (!c || typeof c.threshold !== "number") return [];
  const t = c.threshold;
  const sign = c.op === ">=" ? 1 : -1;
  return loop.iterations.map(
    (it, i) =>
      (sign * ((it.metrics[metric] as number) - t)) / Math.abs(t) -
      (path(loop, metric)[i] as number),
  );
}

function moments(xs: readonly number[]): { sd: number; kurtosis: number } {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
  const k = xs.reduce((s, x) => s + (x - m) ** 4, 0) / xs.length / (v * v);
  return { sd: Math.sqrt(v), kurtosis: k };
}

function lag1(xs: readonly number[]): number {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    den += (x - m) ** 2;
    if (i > 0) num += (x - m) * ((xs[i - 1] as number) - m);
  });
  return num / den;
}

describe("generateLoop", () => {
  it("is deterministic per (family, noise, seed) and differs between seeds", () => {
    for (const family of LOOP_FAMILIES) {
      const a = generateLoop(family, "medium", 11);
      expect(generateLoop(family, "medium", 11)).toEqual(a);
      const b = generateLoop(family, "medium", 12);
      expect(b.iterations.map((i) => i.metrics)).not.toEqual(a.iterations.map((i) => i.metrics));
      expect(b.id).not.toBe(a.id);
    }
  });

  it("uses disjoint tuning and evaluation seeds of the stated size", () => {
    expect(TUNING_SEEDS).toHaveLength(DEFAULT_SEED_COUNT);
    expect(EVALUATION_SEEDS).toHaveLength(DEFAULT_SEED_COUNT);
    expect(TUNING_SEEDS.filter((s) => EVALUATION_SEEDS.includes(s))).toEqual([]);
    const big = new Set(evaluationSeeds(500));
    expect(tuningSeeds(500).filter((s) => big.has(s))).toEqual([]);
    expect(new Set(tuningSeeds(500)).size).toBe(500);
  });

  it("draws budgets from 10–30 and generates budget + 100 iterations", () => {
    const budgets = LOOPS.map((l) => l.budget);
    expect(Math.min(...budgets)).toBe(BUDGET_RANGE[0]);
    expect(Math.max(...budgets)).toBe(BUDGET_RANGE[1]);
    for (const l of LOOPS) {
      expect(l.iterations).toHaveLength(l.budget + EXTRA_ITERATIONS);
      for (const p of Object.values(l.meanPath))
        expect(p).toHaveLength(l.budget + EXTRA_ITERATIONS);
    }
  });

  it("has 2–3 criteria with a maximised and a minimised metric, directions matching the ops", () => {
    const sizes = new Set<number>();
    for (const l of LOOPS) {
      const crit = l.gate.criteria;
      sizes.add(crit.length);
      expect(crit.length).toBeGreaterThanOrEqual(2);
      expect(crit.length).toBeLessThanOrEqual(3);
      expect(crit.some((c) => l.metrics[c.metric] === "maximize")).toBe(true);
      expect(crit.some((c) => l.metrics[c.metric] === "minimize")).toBe(true);
      for (const c of crit) expect(c.op).toBe(l.metrics[c.metric] === "maximize" ? ">=" : "<=");
      expect(Object.keys(l.meanPath).sort()).toEqual(crit.map((c) => c.metric).sort());
    }
    expect([...sizes].sort()).toEqual([2, 3]);
  });

  it("sets passIteration to the first iteration whose noisy metrics pass evaluateGate", () => {
    for (const l of LOOPS) {
      const first = l.iterations.findIndex((it) => evaluateGate(it.metrics, l.gate).passed);
      expect(l.passIteration).toBe(first < 0 ? null : first + 1);
      expect(l.passesWithinBudget).toBe(first >= 0 && first + 1 <= l.budget);
      expect(l.design.meanPassIteration).toBe(meanPass(l));
    }
  });
});

describe("the families", () => {
  it("steady: starts below, improves every iteration, passes the whole gate inside its window", () => {
    for (const family of STEADY_FAMILIES) {
      const [lo, hi] = PASS_WINDOWS[family.endsWith("-slow") ? "slow" : "fast"];
      for (const l of of(family)) {
        const pass = meanPass(l) as number;
        expect(pass).toBeGreaterThanOrEqual(Math.ceil(lo * l.budget));
        expect(pass).toBeLessThanOrEqual(Math.floor(hi * l.budget));
        const m = binding(l);
        expect(m[0]).toBeLessThan(0);
        // Strictly within the budget; far past it the approach to the ceiling may round to equal.
        for (let t = 1; t < m.length; t++) {
          if (t < l.budget) expect(m[t]).toBeGreaterThan(m[t - 1] as number);
          else expect(m[t]).toBeGreaterThanOrEqual(m[t - 1] as number);
        }
      }
    }
  });

  it("steady-linear rises in a straight line before the gate; steady-saturating decelerates", () => {
    for (const family of ["steady-linear-fast", "steady-linear-slow"] as const) {
      for (const l of of(family)) {
        const m = binding(l).slice(0, (meanPass(l) as number) - 1);
        const step = (m[1] as number) - (m[0] as number);
        for (let t = 1; t < m.length; t++) {
          expect((m[t] as number) - (m[t - 1] as number)).toBeCloseTo(step, 10);
        }
      }
    }
    for (const family of ["steady-saturating-fast", "steady-saturating-slow"] as const) {
      for (const l of of(family)) {
        const m = binding(l);
        for (let t = 2; t < l.budget; t++) {
          expect((m[t] as number) - (m[t - 1] as number)).toBeLessThan(
            (m[t - 1] as number) - (m[t - 2] as number),
          );
        }
      }
    }
  });

  it("failing families never pass in the noise-free path: a criterion stays failing", () => {
    for (const family of ["plateau-below", "getting-worse", "no-trend"] as const) {
      for (const l of of(family)) {
        expect(l.design.meanPassIteration).toBeNull();
        expect(binding(l).every((m) => m < 0)).toBe(true);
      }
    }
  });

  it("plateau-below rises at first, then levels off below the gate", () => {
    for (const l of of("plateau-below")) {
      const m = binding(l);
      const early = (m[2] as number) - (m[0] as number);
      const late = (m[l.budget + 10] as number) - (m[l.budget] as number);
      expect(early).toBeGreaterThan(0);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late / 10).toBeLessThan(0.1 * (early / 2));
      expect(Math.abs((m.at(-1) as number) - (m.at(-11) as number))).toBeLessThan(1e-3);
      expect(m.at(-1)).toBeLessThanOrEqual(-0.04 * 0.4 + 1e-9);
    }
  });

  it("getting-worse starts below and declines (Theil–Sen slope < 0)", () => {
    for (const l of of("getting-worse")) {
      const m = binding(l).slice(0, l.budget);
      expect(m[0]).toBeLessThan(0);
      expect(theilSen(m).slope).toBeLessThan(0);
      expect(m.at(-1)).toBeLessThan(m[0] as number);
    }
  });

  it("no-trend has a constant mean below the gate, some loops with AR(1) noise", () => {
    const loops = of("no-trend");
    for (const l of loops) {
      for (const p of Object.values(l.meanPath)) expect(Math.max(...p) - Math.min(...p)).toBe(0);
      expect(binding(l)[0]).toBeLessThan(0);
    }
    const correlated = loops.filter((l) => l.design.ar1 !== null).length;
    expect(correlated).toBeGreaterThan(0.2 * loops.length);
    expect(correlated).toBeLessThan(0.6 * loops.length);
  });

  it("late-bloomer is flat and failing for k iterations, then passes within the budget", () => {
    const ks = new Set<number>();
    for (const l of of("late-bloomer")) {
      const k = l.design.flatIterations as number;
      ks.add(k);
      expect(k).toBeGreaterThanOrEqual(4);
      expect(k).toBeLessThanOrEqual(Math.floor(0.6 * l.budget));
      for (const p of Object.values(l.meanPath)) {
        expect(new Set(p.slice(0, k)).size).toBe(1);
      }
      expect(binding(l)[0]).toBeLessThan(0);
      const pass = meanPass(l) as number;
      expect(pass).toBeGreaterThan(k);
      expect(pass).toBeLessThanOrEqual(Math.min(l.budget, k + 4));
    }
    expect(ks.size).toBeGreaterThan(5);
  });
});

describe("the noise", () => {
  it("has the level's standard deviation around the mean path, heavier tails when high", () => {
    const kurtosis: Record<string, number> = {};
    for (const noise of NOISE_LEVELS) {
      const xs = LOOPS.filter((l) => l.noise === noise).flatMap((l) =>
        residuals(l, "sharpe_ratio"),
      );
      const m = moments(xs);
      expect(m.sd).toBeGreaterThan(0.9 * NOISE_SD[noise]);
      expect(m.sd).toBeLessThan(1.1 * NOISE_SD[noise]);
      kurtosis[noise] = m.kurtosis;
    }
    expect(kurtosis.low).toBeLessThan(3.3);
    expect(kurtosis.medium).toBeLessThan(3.3);
    expect(kurtosis.high).toBeGreaterThan(4);
  });

  it("is AR(1)-correlated exactly in the loops that say so", () => {
    const loops = of("no-trend").filter((l) => l.noise !== "high");
    for (const l of loops) {
      const r = lag1(residuals(l, "sharpe_ratio"));
      if (l.design.ar1 === null) expect(Math.abs(r)).toBeLessThan(0.3);
      else expect(Math.abs(r - l.design.ar1)).toBeLessThan(0.3);
    }
  });

  it("keeps drawdowns positive and win rates inside (0, 1)", () => {
    for (const l of LOOPS) {
      for (const it of l.iterations) {
        expect(it.metrics.max_drawdown).toBeGreaterThan(0);
        if (it.metrics.win_rate !== undefined) {
          expect(it.metrics.win_rate).toBeGreaterThan(0);
          expect(it.metrics.win_rate).toBeLessThan(1);
        }
      }
    }
  });
});

describe("the parameters", () => {
  it("change every iteration and stay within their ranges", () => {
    for (const l of LOOPS.slice(0, 200)) {
      l.iterations.forEach((it, i) => {
        expect(Object.keys(it.parameters).sort()).toEqual(Object.keys(PARAMETER_SPECS).sort());
        for (const [name, v] of Object.entries(it.parameters)) {
          const spec = PARAMETER_SPECS[name];
          expect(v).toBeGreaterThanOrEqual(spec?.lo as number);
          expect(v).toBeLessThanOrEqual(spec?.hi as number);
          if (i > 0) expect(v).not.toBe(l.iterations[i - 1]?.parameters[name]);
        }
      });
    }
  });

  it("one of them follows the progress more closely than the others", () => {
    const corr = (xs: number[], ys: number[]) => {
      const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
      const my = ys.reduce((s, y) => s + y, 0) / ys.length;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      xs.forEach((x, i) => {
        sxy += (x - mx) * ((ys[i] as number) - my);
        sxx += (x - mx) ** 2;
        syy += ((ys[i] as number) - my) ** 2;
      });
      return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    };
    let drifting = 0;
    let others = 0;
    let nOthers = 0;
    const loops = LOOPS.filter((l) => STEADY_FAMILIES.includes(l.family));
    for (const l of loops) {
      const m = binding(l).slice(0, l.budget);
      for (const name of Object.keys(PARAMETER_SPECS)) {
        const r = Math.abs(
          corr(
            l.iterations.slice(0, l.budget).map((it) => it.parameters[name] as number),
            m,
          ),
        );
        if (name === l.design.driftingParameter) drifting += r;
        else {
          others += r;
          nOthers++;
        }
      }
    }
    expect(drifting / loops.length).toBeGreaterThan(others / nOthers + 0.15);
  });
});
