/**
 * Building blocks of the simulated loops (simulated-loops.ts): a seeded
 * random source with the draws the generator needs, the mean-path shapes in
 * normalised margin units, and the noise processes.
 */
import { seededRandom } from "@converge/core";

/** The draws the generator makes, over one seeded uniform source. */
export interface Rng {
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** A whole number in [lo, hi], both ends included. */
  int(lo: number, hi: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Standard normal. */
  normal(): number;
  /** Student-t with `df` degrees of freedom (a whole number), unscaled. */
  studentT(df: number): number;
}

/** A seeded `Rng` (mulberry32 through core's `seededRandom`). */
export function makeRng(seed: number): Rng {
  const next = seededRandom(seed);
  const normal = () => {
    // Box–Muller; 1 − u keeps the logarithm finite.
    const u = 1 - next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  return {
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T,
    normal,
    studentT(df) {
      let chi2 = 0;
      for (let i = 0; i < df; i++) chi2 += normal() ** 2;
      return normal() / Math.sqrt(chi2 / df);
    },
  };
}

/** FNV-1a of a text, mixed with a number: distinct seeds per (family, noise, seed). */
export function mixSeed(text: string, seed: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${text}#${seed}`) {
    h ^= ch.codePointAt(0) as number;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A mean path: normalised margin at 0-based time t (t = iteration − 1). */
export type PathFn = (t: number) => number;

/**
 * A straight line from `start` with `slope` per iteration that bends, with
 * matching slope, into an exponential approach to `bound` once it passes
 * `knee`: real metrics cannot improve (or worsen) without limit over the
 * hundred iterations generated past the budget.
 */
export function softLine(start: number, slope: number, knee: number, bound: number): PathFn {
  const dir = Math.sign(slope);
  const bend = dir * (start - knee) > 0 ? start : knee;
  const bendTime = slope === 0 ? Number.POSITIVE_INFINITY : (bend - start) / slope;
  const room = Math.abs(bound - bend);
  return (t) => {
    if (t <= bendTime) return start + slope * t;
    return bend + dir * room * (1 - Math.exp(-(Math.abs(slope) * (t - bendTime)) / room));
  };
}

/** Exponential approach m(t) = A − (A − m0)·e^(−t/τ). */
export function saturating(m0: number, asymptote: number, tau: number): PathFn {
  return (t) => asymptote - (asymptote - m0) * Math.exp(-t / tau);
}

/** A constant margin. */
export function constant(m: number): PathFn {
  return () => m;
}

/**
 * Flat at `before` for the first `flat` iterations, then a rise to `after`
 * over `rise` iterations (1: a jump; more: a smoothstep, a quick sigmoid),
 * then a slow further gain `gain` with time constant `tau`.
 */
export function breakthrough(
  before: number,
  after: number,
  flat: number,
  rise: number,
  gain: number,
  tau: number,
): PathFn {
  const end = flat + rise - 1; // 0-based time the rise completes
  return (t) => {
    if (t < flat) return before;
    if (t < end) {
      const x = (t - flat + 1) / rise;
      return before + (after - before) * x * x * (3 - 2 * x);
    }
    return after + gain * (1 - Math.exp(-(t - end) / tau));
  };
}

/** Noise levels: the standard deviation in normalised margin units. */
export const NOISE_SD = { low: 0.02, medium: 0.06, high: 0.12 } as const;

/** A noise level name. */
export type NoiseLevel = keyof typeof NOISE_SD;

/**
 * `n` noise terms of standard deviation `sd`: normal, or for "high" a
 * Student-t with 4 degrees of freedom (variance 2, hence the √2) for the
 * occasional wild backtest; AR(1) with coefficient `phi` when given, with
 * innovations scaled so the marginal standard deviation stays `sd`.
 */
export function noiseSeries(rng: Rng, n: number, level: NoiseLevel, phi: number | null): number[] {
  const sd = NOISE_SD[level];
  const draw =
    level === "high" ? () => (rng.studentT(4) / Math.SQRT2) * sd : () => rng.normal() * sd;
  const out: number[] = [];
  let previous = draw();
  out.push(previous);
  for (let i = 1; i < n; i++) {
    previous = phi === null ? draw() : phi * previous + Math.sqrt(1 - phi * phi) * draw();
    out.push(previous);
  }
  return out;
}
