/**
 * Simulated optimisation loops whose future is known, for the decision
 * benchmark: what an LLM-driven refinement of a trading strategy produces,
 * family by family (steady progress, a plateau below the gate, decline, no
 * trend, a late breakthrough), at three noise levels. The metrics depend only
 * on (family, noise, seed), never on parameters or decisions, so every stop
 * decision can be scored against what would have happened.
 *
 * Mean paths are per gated criterion in normalised margin units,
 * m = goal-signed (value − threshold)/|threshold| (m ≥ 0 passes), and a
 * metric's value is threshold + sign·|threshold|·(m + noise).
 */
import { evaluateGate, type GateSpecInput, type MetricGoal } from "@converge/core";
import {
  BINDING_WEIGHT,
  DRAWDOWN,
  type MetricKind,
  metricValue,
  SHARPE,
  WIN_RATE,
} from "./simulated-metrics.js";
import { type LoopParameters, parameterWalk } from "./simulated-parameters.js";
import {
  breakthrough,
  constant,
  makeRng,
  mixSeed,
  NOISE_SD,
  type NoiseLevel,
  noiseSeries,
  type PathFn,
  type Rng,
  saturating,
  softLine,
} from "./simulated-paths.js";

export { NOISE_SD, type NoiseLevel } from "./simulated-paths.js";

/** The loop families, the steady ones first. */
export const LOOP_FAMILIES = [
  "steady-linear-fast",
  "steady-linear-slow",
  "steady-saturating-fast",
  "steady-saturating-slow",
  "plateau-below",
  "getting-worse",
  "no-trend",
  "late-bloomer",
] as const;

/** A loop family. */
export type LoopFamily = (typeof LOOP_FAMILIES)[number];

/** The families whose noise-free path improves steadily and passes within the budget. */
export const STEADY_FAMILIES: readonly LoopFamily[] = LOOP_FAMILIES.slice(0, 4);

/** The noise levels. */
export const NOISE_LEVELS: readonly NoiseLevel[] = ["low", "medium", "high"];

/** Iterations generated past the budget, so that ETA coverage can look beyond it. */
export const EXTRA_ITERATIONS = 100;

/** Budgets (maxIterations) are drawn uniformly from this range. */
export const BUDGET_RANGE = [10, 30] as const;

/** Where the noise-free path of the steady families first passes, as shares of the budget. */
export const PASS_WINDOWS = { fast: [0.25, 0.6], slow: [0.6, 0.95] } as const;

/** One generated iteration: what the loop tries and what the backtest reports. */
export interface SimulatedIteration {
  parameters: LoopParameters;
  metrics: Record<string, number>;
}

/** How the loop was made: what the tests check the families against. */
export interface LoopDesign {
  /** The criterion that decides when (or that never) the noise-free path passes. */
  binding: string;
  /** First iteration (1-based) whose noise-free metrics pass the gate; null if none is generated. */
  meanPassIteration: number | null;
  /** Late bloomers: iterations the mean stays flat before the breakthrough. */
  flatIterations: number | null;
  /** The binding criterion's shape. */
  shape: "linear" | "saturating" | "constant" | "jump" | "sigmoid";
  /** AR(1) coefficient of the noise, when correlated. */
  ar1: number | null;
  /** Standard deviation of the noise in normalised margin units. */
  noiseSd: number;
  /** The parameter that drifts with the loop's progress. */
  driftingParameter: string;
}

/** A simulated loop with its whole future. */
export interface SimulatedLoop {
  /** `${family}-${noise}-${seed}`: also a valid experiment id. */
  id: string;
  family: LoopFamily;
  noise: NoiseLevel;
  seed: number;
  /** maxIterations of the loop. */
  budget: number;
  gate: GateSpecInput;
  /** Metric directions, as `createTracker`'s `metrics`. */
  metrics: Record<string, MetricGoal>;
  /** Noise-free normalised margin of each gated metric, index 0 = iteration 1. */
  meanPath: Record<string, number[]>;
  /** `budget + EXTRA_ITERATIONS` iterations. */
  iterations: SimulatedIteration[];
  /** First iteration (1-based) whose noisy metrics pass the gate; null if none is generated. */
  passIteration: number | null;
  passesWithinBudget: boolean;
  design: LoopDesign;
}

interface Context {
  rng: Rng;
  budget: number;
  /** Steady families: iteration at which the binding criterion first passes. */
  passAt: number;
  /** Late bloomers: flat iterations and rise length. */
  flat: number;
  rise: number;
}

/** Fails before iteration `at` and passes from it on, rising linearly or saturating. */
function risingThrough(ctx: Context, kind: MetricKind, at: number, linear: boolean): PathFn {
  const { rng } = ctx;
  const crossing = at - 2 + rng.uniform(0.05, 0.95);
  const m0 = -rng.uniform(0.15, 0.7) * kind.reach;
  if (linear) return softLine(m0, -m0 / crossing, 0.5 * kind.ceiling, kind.ceiling);
  const a = rng.uniform(0.08, 0.5) * kind.reach;
  return saturating(m0, a, crossing / Math.log((a - m0) / a));
}

/** Starts passing and stays passing, drifting a little either way. */
function holdingPass(ctx: Context, kind: MetricKind): PathFn {
  const m0 = ctx.rng.uniform(0.05, 0.4) * kind.reach;
  return saturating(m0, m0 * (1 + ctx.rng.uniform(-0.6, 0.6)), ctx.rng.uniform(2, 15));
}

function levellingBelow(ctx: Context, kind: MetricKind): PathFn {
  const a = -ctx.rng.uniform(0.04, 0.4) * kind.reach;
  const m0 = a - ctx.rng.uniform(0.15, 0.6) * kind.reach;
  return saturating(m0, a, Math.max(1, ctx.rng.uniform(0.08, 0.3) * ctx.budget));
}

function declining(ctx: Context, kind: MetricKind, m0: number, linear: boolean): PathFn {
  const { rng } = ctx;
  if (linear)
    return softLine(m0, -rng.uniform(0.005, 0.04) * kind.reach, 0.6 * kind.floor, kind.floor);
  const a = m0 - rng.uniform(0.15, 0.6) * kind.reach;
  return saturating(m0, a, Math.max(1, rng.uniform(0.1, 0.4) * ctx.budget));
}

type Shape = LoopDesign["shape"];

/** The binding criterion's path and shape for a family. */
function bindingPath(family: LoopFamily, ctx: Context, kind: MetricKind): [PathFn, Shape] {
  const { rng } = ctx;
  switch (family) {
    case "steady-linear-fast":
    case "steady-linear-slow":
      return [risingThrough(ctx, kind, ctx.passAt, true), "linear"];
    case "steady-saturating-fast":
    case "steady-saturating-slow":
      return [risingThrough(ctx, kind, ctx.passAt, false), "saturating"];
    case "plateau-below":
      return [levellingBelow(ctx, kind), "saturating"];
    case "getting-worse": {
      const linear = rng.chance(0.5);
      const m0 = -rng.uniform(0.05, 0.5) * kind.reach;
      return [declining(ctx, kind, m0, linear), linear ? "linear" : "saturating"];
    }
    case "no-trend":
      return [constant(-rng.uniform(0.05, 0.6) * kind.reach), "constant"];
    case "late-bloomer":
      return [failingThenBreakthrough(ctx, kind), ctx.rise === 1 ? "jump" : "sigmoid"];
  }
}

function failingThenBreakthrough(ctx: Context, kind: MetricKind): PathFn {
  const { rng } = ctx;
  const before = -rng.uniform(0.1, 0.6) * kind.reach;
  const after = rng.uniform(0.02, 0.3) * kind.reach;
  const gain = rng.uniform(0, 0.15) * kind.reach;
  return breakthrough(before, after, ctx.flat, ctx.rise, gain, rng.uniform(3, 10));
}

/** A non-binding criterion's path: its own course, consistent with the family. */
function otherPath(family: LoopFamily, ctx: Context, kind: MetricKind, shape: Shape): PathFn {
  const { rng } = ctx;
  switch (family) {
    case "steady-linear-fast":
    case "steady-linear-slow":
    case "steady-saturating-fast":
    case "steady-saturating-slow":
      return rng.chance(0.5)
        ? holdingPass(ctx, kind)
        : risingThrough(ctx, kind, rng.int(2, ctx.passAt), shape === "linear");
    case "plateau-below": {
      const u = rng.uniform(0, 1);
      if (u < 0.4) return holdingPass(ctx, kind);
      return u < 0.7
        ? risingThrough(ctx, kind, rng.int(2, ctx.budget), false)
        : levellingBelow(ctx, kind);
    }
    case "getting-worse": {
      const m0 = rng.chance(0.5)
        ? rng.uniform(0.05, 0.4) * kind.reach
        : -rng.uniform(0.05, 0.5) * kind.reach;
      return declining(ctx, kind, m0, rng.chance(0.5));
    }
    case "no-trend":
      return constant(
        rng.chance(0.5)
          ? rng.uniform(0.05, 0.5) * kind.reach
          : -rng.uniform(0.05, 0.6) * kind.reach,
      );
    case "late-bloomer":
      return rng.chance(0.5)
        ? constant(rng.uniform(0.05, 0.4) * kind.reach)
        : failingThenBreakthrough(ctx, kind);
  }
}

function pickBinding(rng: Rng, kinds: readonly MetricKind[]): MetricKind {
  const total = kinds.reduce((s, k) => s + (BINDING_WEIGHT[k.name] ?? 1), 0);
  let u = rng.uniform(0, total);
  for (const k of kinds) {
    u -= BINDING_WEIGHT[k.name] ?? 1;
    if (u < 0) return k;
  }
  return kinds.at(-1) as MetricKind;
}

function firstPass(metrics: readonly Record<string, number>[], gate: GateSpecInput): number | null {
  const i = metrics.findIndex((m) => evaluateGate(m, gate).passed);
  return i < 0 ? null : i + 1;
}

/**
 * Generates one loop. Deterministic: the same (family, noise, seed) gives the
 * same loop on every machine.
 */
export function generateLoop(family: LoopFamily, noise: NoiseLevel, seed: number): SimulatedLoop {
  // Each (family, noise, seed) has its own design: more distinct loops per family than paired
  // noise levels would give. The noise has its own stream so that the design's draws do not
  // depend on how many noise draws a level needs.
  const rng = makeRng(mixSeed(`${family}/${noise}`, seed));
  const noiseRng = makeRng(mixSeed(`${family}/${noise}/noise`, seed));
  const budget = rng.int(BUDGET_RANGE[0], BUDGET_RANGE[1]);
  const length = budget + EXTRA_ITERATIONS;
  const kinds = rng.chance(0.4) ? [SHARPE, DRAWDOWN, WIN_RATE] : [SHARPE, DRAWDOWN];
  const thresholds = kinds.map((k) => k.threshold(rng));
  const window = PASS_WINDOWS[family.endsWith("-slow") ? "slow" : "fast"];
  const flat = rng.int(4, Math.floor(0.6 * budget));
  const ctx: Context = {
    rng,
    budget,
    passAt: rng.int(Math.max(2, Math.ceil(window[0] * budget)), Math.floor(window[1] * budget)),
    flat,
    rise: rng.chance(0.5) ? 1 : rng.int(2, Math.min(4, budget - flat)),
  };
  const binding = pickBinding(rng, kinds);
  const [bindingFn, shape] = bindingPath(family, ctx, binding);
  const meanPath: Record<string, number[]> = {};
  for (const kind of kinds) {
    const fn = kind === binding ? bindingFn : otherPath(family, ctx, kind, shape);
    meanPath[kind.name] = Array.from({ length }, (_, t) => fn(t));
  }
  const ar1 = family === "no-trend" && rng.chance(0.4) ? rng.uniform(0.3, 0.7) : null;
  const noiseBy = kinds.map(() => noiseSeries(noiseRng, length, noise, ar1));
  const gate: GateSpecInput = {
    criteria: kinds.map((k, j) => ({
      metric: k.name,
      op: k.op,
      threshold: thresholds[j] as number,
    })),
  };
  const valuesAt = (t: number, withNoise: boolean) =>
    Object.fromEntries(
      kinds.map((k, j) => {
        const m = (meanPath[k.name] as number[])[t] as number;
        const e = withNoise ? ((noiseBy[j] as number[])[t] as number) : 0;
        return [k.name, metricValue(k, thresholds[j] as number, m + e)];
      }),
    );
  const noisy = Array.from({ length }, (_, t) => valuesAt(t, true));
  const walk = parameterWalk(rng, meanPath[binding.name] as number[]);
  const passIteration = firstPass(noisy, gate);
  return {
    id: `${family}-${noise}-${seed}`,
    family,
    noise,
    seed,
    budget,
    gate,
    metrics: Object.fromEntries(kinds.map((k) => [k.name, k.goal])),
    meanPath,
    iterations: noisy.map((metrics, t) => ({
      parameters: walk.values[t] as LoopParameters,
      metrics,
    })),
    passIteration,
    passesWithinBudget: passIteration !== null && passIteration <= budget,
    design: {
      binding: binding.name,
      meanPassIteration: firstPass(
        Array.from({ length }, (_, t) => valuesAt(t, false)),
        gate,
      ),
      flatIterations: family === "late-bloomer" ? flat : null,
      shape,
      ar1,
      noiseSd: NOISE_SD[noise],
      driftingParameter: walk.drifting,
    },
  };
}

/** Options of {@link loopSet}. */
export interface LoopSetOptions {
  families?: readonly LoopFamily[];
  noises?: readonly NoiseLevel[];
}

/** Every family × noise × seed (in that nesting order). */
export function loopSet(seeds: readonly number[], options: LoopSetOptions = {}): SimulatedLoop[] {
  const loops: SimulatedLoop[] = [];
  for (const family of options.families ?? LOOP_FAMILIES)
    for (const noise of options.noises ?? NOISE_LEVELS)
      for (const seed of seeds) loops.push(generateLoop(family, noise, seed));
  return loops;
}

/** Seeds per set by default: 8 families × 3 noise levels × 30 seeds = 720 loops. */
export const DEFAULT_SEED_COUNT = 30;

/** Seeds for tuning decision thresholds (odd numbers): never the evaluation seeds. */
export function tuningSeeds(count = DEFAULT_SEED_COUNT): number[] {
  return Array.from({ length: count }, (_, i) => 1001 + 2 * i);
}

/** Seeds the benchmark reports on (even numbers): never the tuning seeds. */
export function evaluationSeeds(count = DEFAULT_SEED_COUNT): number[] {
  return Array.from({ length: count }, (_, i) => 1002 + 2 * i);
}

/** The default tuning seeds. */
export const TUNING_SEEDS: readonly number[] = tuningSeeds();

/** The default evaluation seeds. */
export const EVALUATION_SEEDS: readonly number[] = evaluationSeeds();
