/**
 * The parameters a simulated loop tries: three numeric parameters that change
 * every iteration, as an LLM refining a strategy changes them, by a seeded
 * random walk. One of them also drifts with the loop's progress, so that
 * parameter-impact estimation has something to find; the metrics never
 * depend on them.
 */
import type { Rng } from "./simulated-paths.js";

/** The parameters of one iteration. */
export type LoopParameters = Record<string, number>;

interface ParameterSpec {
  lo: number;
  hi: number;
  start: readonly [number, number];
  /** Standard deviation of a step. */
  step: number;
  decimals: number;
}

/** The simulated strategy's parameters: ranges, starting range, step size, precision. */
export const PARAMETER_SPECS: Readonly<Record<string, ParameterSpec>> = {
  lookback: { lo: 10, hi: 250, start: [20, 120], step: 6, decimals: 0 },
  stop_loss: { lo: 0.005, hi: 0.15, start: [0.02, 0.08], step: 0.004, decimals: 4 },
  position_size: { lo: 0.05, hi: 1, start: [0.1, 0.5], step: 0.025, decimals: 3 },
};

/** The walk's values per iteration and the parameter that follows the progress. */
export interface ParameterWalk {
  values: LoopParameters[];
  drifting: string;
}

function reflect(x: number, lo: number, hi: number): number {
  if (x < lo) return Math.min(hi, 2 * lo - x);
  if (x > hi) return Math.max(lo, 2 * hi - x);
  return x;
}

/**
 * A random walk of every parameter, one value per entry of `progress` (the
 * binding criterion's noise-free margin). The drifting parameter moves by a
 * half of its range per unit of margin gained, in a random direction.
 */
export function parameterWalk(rng: Rng, progress: readonly number[]): ParameterWalk {
  const names = Object.keys(PARAMETER_SPECS);
  const drifting = rng.pick(names);
  const driftSign = rng.chance(0.5) ? 1 : -1;
  const walk: Record<string, number> = {};
  for (const name of names) {
    const spec = PARAMETER_SPECS[name] as ParameterSpec;
    walk[name] = rng.uniform(spec.start[0], spec.start[1]);
  }
  const origin = progress[0] ?? 0;
  const values: LoopParameters[] = [];
  progress.forEach((m, t) => {
    const previous = values[t - 1];
    const current: LoopParameters = {};
    for (const name of names) {
      const spec = PARAMETER_SPECS[name] as ParameterSpec;
      if (t > 0)
        walk[name] = reflect((walk[name] as number) + rng.normal() * spec.step, spec.lo, spec.hi);
      const drift = name === drifting ? driftSign * 0.5 * (spec.hi - spec.lo) * (m - origin) : 0;
      const unit = 10 ** -spec.decimals;
      let v = Number(
        Math.min(spec.hi, Math.max(spec.lo, (walk[name] as number) + drift)).toFixed(spec.decimals),
      );
      // Every iteration changes every parameter, as the refinement step does.
      if (previous !== undefined && v === previous[name]) {
        v = Number((v + (v + unit > spec.hi ? -unit : unit)).toFixed(spec.decimals));
      }
      current[name] = v;
    }
    values.push(current);
  });
  return { values, drifting };
}
