/**
 * A damped-trend model of one series with its uncertainty, for predicting
 * where a gate criterion goes next.
 *
 * Mean: μ(s) = a + b·g_φ(s), s iterations after the last observation, with
 * g_φ(s) = (1 − φ^s)/(1 − φ) (= s when φ = 1): `a` is the level now, `b` the
 * current step per iteration, and φ how much of each step the next one keeps.
 * φ = 1 is a straight line; φ < 1 levels off at a + b/(1 − φ). Observations
 * scatter around μ with Gaussian noise σ.
 *
 * Nothing is point-estimated: φ and σ are integrated over grids with priors,
 * (a, b) analytically given them (a flat prior on the level, a Gaussian one on
 * the step, so the posterior is exact),
 * and the result is a set of draws (φ, σ, a, b). Five points on a line leave
 * a wide posterior over φ: whether the line goes on or levels off stays open
 * until the data say so.
 */

/** Priors of the damped-trend model, in units of the series' scale. */
export interface DampedTrendPrior {
  /** Trend persistence φ and its prior weight. */
  phis: readonly { phi: number; weight: number }[];
  /** Prior sd of the current step b (scale units per iteration). */
  stepSd: number;
  /** log σ ~ Normal(log(noiseMedian), noiseLogSd²), on a grid from noiseMin to noiseMax. */
  noiseMedian: number;
  noiseLogSd: number;
  noiseMin: number;
  noiseMax: number;
}

export const DEFAULT_DAMPED_TREND_PRIOR: DampedTrendPrior = Object.freeze({
  phis: Object.freeze(
    [1, 0.95, 0.9, 0.8, 0.7, 0.5, 0.3].map((phi) => Object.freeze({ phi, weight: 1 })),
  ),
  stepSd: 0.25,
  noiseMedian: 0.05,
  noiseLogSd: 1.2,
  noiseMin: 0.002,
  noiseMax: 4,
});

const NOISE_GRID = 28;

/** Draws from the posterior, one entry per draw. */
export interface TrendDraws {
  level: Float64Array;
  step: Float64Array;
  phi: Float64Array;
  sigma: Float64Array;
}

/** g_φ(s): how far the trend carries in s steps (negative s looks back). */
export function carry(phi: number, s: number): number {
  return phi === 1 ? s : (1 - phi ** s) / (1 - phi);
}

interface GridPoint {
  phi: number;
  sigma: number;
  logWeight: number;
  /** Posterior mean and covariance of (a, b). */
  ma: number;
  mb: number;
  caa: number;
  cab: number;
  cbb: number;
}

/**
 * The posterior of the damped-trend model for observations `values[i]` at
 * `offsets[i]` (≤ 0: iterations before the last observation), as `count` draws.
 * `rnd` is a seeded uniform generator; the same inputs give the same draws.
 */
export function sampleDampedTrend(
  offsets: readonly number[],
  values: readonly number[],
  count: number,
  rnd: () => number,
  prior: DampedTrendPrior = DEFAULT_DAMPED_TREND_PRIOR,
): TrendDraws {
  return resample(posteriorGrid(offsets, values, prior), count, rnd);
}

/** The posterior over the (φ, σ) grid, each point with its weight and the Gaussian of (a, b). */
function posteriorGrid(
  offsets: readonly number[],
  values: readonly number[],
  prior: DampedTrendPrior,
): GridPoint[] {
  const n = values.length;
  // Centred for numerical comfort; the flat level prior makes the fit shift-invariant.
  let mean = 0;
  for (const v of values) mean += v / n;
  const pb = 1 / prior.stepSd ** 2;
  const points: GridPoint[] = [];
  const logMin = Math.log(prior.noiseMin);
  const logStep = (Math.log(prior.noiseMax) - logMin) / (NOISE_GRID - 1);
  for (const { phi, weight } of prior.phis) {
    // Sufficient statistics of the design [1, g_φ(s)] (centred on the prior means).
    let sx = 0;
    let sxx = 0;
    let sy = 0;
    let sxy = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      const x = carry(phi, offsets[i] as number);
      const y = (values[i] as number) - mean;
      sx += x;
      sxx += x * x;
      sy += y;
      sxy += x * y;
      syy += y * y;
    }
    for (let k = 0; k < NOISE_GRID; k++) {
      const logSigma = logMin + k * logStep;
      const sigma = Math.exp(logSigma);
      const w = 1 / (sigma * sigma);
      // Posterior precision Λ = Λ0 + XᵀX/σ² (Λ0 = diag(0, 1/stepSd²)), mean Λ⁻¹·Xᵀy/σ².
      const laa = n * w;
      const lab = sx * w;
      const lbb = pb + sxx * w;
      const det = laa * lbb - lab * lab;
      const ra = sy * w;
      const rb = sxy * w;
      const ma = (lbb * ra - lab * rb) / det;
      const mb = (laa * rb - lab * ra) / det;
      const logEvidence =
        -0.5 * n * Math.log(2 * Math.PI * sigma * sigma) -
        0.5 * (syy * w - (ma * ra + mb * rb)) -
        0.5 * (Math.log(det) - Math.log(pb));
      const z = (logSigma - Math.log(prior.noiseMedian)) / prior.noiseLogSd;
      points.push({
        phi,
        sigma,
        logWeight: Math.log(weight) - 0.5 * z * z + logEvidence,
        ma: ma + mean,
        mb,
        caa: lbb / det,
        cab: -lab / det,
        cbb: laa / det,
      });
    }
  }
  return points;
}

/** `count` draws from the weighted grid, each with (a, b) drawn from its point's Gaussian. */
function resample(points: readonly GridPoint[], count: number, rnd: () => number): TrendDraws {
  let top = Number.NEGATIVE_INFINITY;
  for (const p of points) if (p.logWeight > top) top = p.logWeight;
  const cumulative = new Float64Array(points.length);
  let total = 0;
  points.forEach((p, i) => {
    total += Math.exp(p.logWeight - top);
    cumulative[i] = total;
  });
  const draws: TrendDraws = {
    level: new Float64Array(count),
    step: new Float64Array(count),
    phi: new Float64Array(count),
    sigma: new Float64Array(count),
  };
  // Systematic resampling of the grid (low variance), then (a, b) from their Gaussian.
  const offset = rnd();
  let j = 0;
  for (let d = 0; d < count; d++) {
    const u = ((d + offset) / count) * total;
    while (j < points.length - 1 && (cumulative[j] as number) < u) j++;
    const p = points[j] as GridPoint;
    const z1 = gaussian(rnd);
    const z2 = gaussian(rnd);
    // Cholesky of the 2×2 covariance.
    const l11 = Math.sqrt(p.caa);
    const l21 = p.cab / l11;
    const l22 = Math.sqrt(Math.max(0, p.cbb - l21 * l21));
    draws.level[d] = p.ma + l11 * z1;
    draws.step[d] = p.mb + l21 * z1 + l22 * z2;
    draws.phi[d] = p.phi;
    draws.sigma[d] = p.sigma;
  }
  return draws;
}

/** A standard normal draw (Box–Muller) from a uniform generator. */
export function gaussian(rnd: () => number): number {
  const u = 1 - rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/**
 * Φ(x), the standard normal CDF, to about 1e-7 absolute: the Chebyshev
 * fit of erfc from Numerical Recipes. The predictive paths evaluate it millions of
 * times; `normalCdf` (exact to 1e-15) is kept for the statistics that are compared
 * with published vectors.
 */
export function fastPhi(x: number): number {
  const z = Math.abs(x) * Math.SQRT1_2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}
