/**
 * From per-criterion trend draws to the distribution of the first iteration
 * at which the whole gate passes.
 *
 * Each draw is one possible future: every criterion follows its own damped
 * trend, shifted by breakthroughs (a common jump toward passing that arrives
 * at a small rate per iteration), and scatters with its own noise. Given a
 * draw, the chance that iteration s passes is the product over criteria of
 * P(the noisy value lands in the passing region), computed exactly rather
 * than sampled; the first-passage probabilities follow, and averaging them
 * over draws gives the predictive distribution.
 */
import { fastPhi, gaussian, type TrendDraws } from "./predictive-model.js";

/** Where a criterion passes, in its scale units. */
export type PassRegion =
  | { kind: "above"; bound: number }
  | { kind: "below"; bound: number }
  | { kind: "between"; low: number; high: number };

/** One criterion's trend draws and where it passes. */
export interface CriterionForecastInput {
  draws: TrendDraws;
  region: PassRegion;
}

/**
 * Breakthroughs: a sudden improvement that no trend predicts (a new idea, a
 * fixed bug). Each loop has its own chance λ per iteration, unknown: a priori
 * Beta with mean `rate` and weight `strength` (in iterations), and every
 * iteration seen without one is evidence that this loop's λ is small, so after
 * n iterations λ ~ Beta(α, strength + n). A loop stuck for long is less likely
 * to break out than one just started. A breakthrough's size is |N(0, sizeSd²)|
 * in scale units, moving every one-sided criterion toward passing at once (a
 * band criterion is left as it is).
 */
export interface BreakthroughPrior {
  /** Prior mean chance of a breakthrough per iteration. */
  rate: number;
  /** Prior weight, in iterations: how fast iterations without one lower the chance. */
  strength: number;
  sizeSd: number;
}

export const DEFAULT_BREAKTHROUGH_PRIOR: BreakthroughPrior = Object.freeze({
  rate: 0.17,
  strength: 4,
  sizeSd: 0.4,
});

/** The predictive distribution of when the gate first passes. */
export interface PassForecast {
  /** `firstPass[s − 1]` = P(the gate first passes at iteration s from now), s = 1..steps. */
  firstPass: Float64Array;
  /** P(each criterion, on its own, passes at least once within `criterionSteps`). */
  byCriterion: number[];
}

function passChance(mu: number, sigma: number, region: PassRegion): number {
  switch (region.kind) {
    case "above":
      return fastPhi((mu - region.bound) / sigma);
    case "below":
      return fastPhi((region.bound - mu) / sigma);
    default:
      return Math.max(0, fastPhi((region.high - mu) / sigma) - fastPhi((region.low - mu) / sigma));
  }
}

const towardPassing = (region: PassRegion) =>
  region.kind === "above" ? 1 : region.kind === "below" ? -1 : 0;

/**
 * The first-passage distribution over `steps` future iterations, and each
 * criterion's chance of passing within `criterionSteps` (≤ steps). All
 * criteria must carry the same number of draws; draw d of every criterion
 * forms one future. `rnd` drives the breakthroughs (seeded: deterministic).
 */
export function forecastPasses(
  criteria: readonly CriterionForecastInput[],
  steps: number,
  criterionSteps: number,
  rnd: () => number,
  breakthrough: BreakthroughPrior = DEFAULT_BREAKTHROUGH_PRIOR,
  observed = 0,
): PassForecast {
  const beta = breakthrough.strength + observed;
  const alpha = (breakthrough.rate * breakthrough.strength) / (1 - breakthrough.rate);
  const count = criteria[0]?.draws.level.length ?? 0;
  const firstPass = new Float64Array(steps);
  const criterionMiss = new Float64Array(criteria.length);
  const c = criteria.length;
  // Per criterion within a draw: g_φ(s) so far and φ^s.
  const carried = new Float64Array(c);
  const power = new Float64Array(c);
  const miss = new Float64Array(c);
  const signs = criteria.map((k) => towardPassing(k.region));
  for (let d = 0; d < count; d++) {
    carried.fill(0);
    power.fill(1);
    miss.fill(1);
    let jump = 0;
    let survive = 1;
    const rate = breakthrough.rate > 0 ? betaSample(alpha, beta, rnd) : 0;
    for (let s = 1; s <= steps; s++) {
      if (rate > 0 && rnd() < rate) {
        jump += Math.abs(gaussian(rnd)) * breakthrough.sizeSd;
      }
      let pass = 1;
      for (let k = 0; k < c; k++) {
        const { draws, region } = criteria[k] as CriterionForecastInput;
        const phi = draws.phi[d] as number;
        // g_φ(s) = g_φ(s − 1) + φ^(s − 1)
        carried[k] = (carried[k] as number) + (power[k] as number);
        power[k] = (power[k] as number) * phi;
        const mu =
          (draws.level[d] as number) +
          (draws.step[d] as number) * (carried[k] as number) +
          (signs[k] as number) * jump;
        const p = passChance(mu, draws.sigma[d] as number, region);
        if (s <= criterionSteps) miss[k] = (miss[k] as number) * (1 - p);
        pass *= p;
      }
      firstPass[s - 1] = (firstPass[s - 1] as number) + survive * pass;
      survive *= 1 - pass;
      if (survive < 1e-12 && s >= criterionSteps) break;
    }
    for (let k = 0; k < c; k++)
      criterionMiss[k] = (criterionMiss[k] as number) + (miss[k] as number);
  }
  for (let s = 0; s < steps; s++) firstPass[s] = (firstPass[s] as number) / count;
  return {
    firstPass,
    byCriterion: Array.from(criterionMiss, (m) => 1 - m / count),
  };
}

/** A Gamma(shape, 1) draw (Marsaglia–Tsang; boosted for shape < 1). */
function gammaSample(shape: number, rnd: () => number): number {
  if (shape < 1) return gammaSample(shape + 1, rnd) * (1 - rnd()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = gaussian(rnd);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rnd();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(a, b) draw. */
function betaSample(a: number, b: number, rnd: () => number): number {
  const x = gammaSample(a, rnd);
  const y = gammaSample(b, rnd);
  return x / (x + y);
}
