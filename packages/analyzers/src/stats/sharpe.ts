/**
 * Probabilistic and Deflated Sharpe Ratio (Bailey & López de Prado 2012, 2014).
 *
 * Conventions used throughout:
 * - Sharpe ratios are per period (not annualised): an annual SR converts to daily by /√250 and
 *   an annual variance of trial Sharpes by /250 (this reproduces the paper's example).
 * - `kurtosis` is the plain (non-excess) kurtosis: 3 for a normal distribution. Defaults are
 *   the normal moments, skew 0 and kurtosis 3.
 * - The dispersion of trial Sharpes is the population standard deviation (ddof = 0).
 * Invalid input (non-finite numbers, T ≤ 1, a non-positive variance term) yields `null`.
 */
import { phi, phiInv } from "./normal.js";
import { isObserved } from "./series.js";

/** Euler–Mascheroni constant γ. */
const EULER_GAMMA = 0.5772156649015329;

/** Inputs of {@link probabilisticSharpe}. */
export interface ProbabilisticSharpeInput {
  /** Observed per-period Sharpe ratio SR̂. */
  sr: number;
  /** Benchmark per-period Sharpe ratio SR* (default 0). */
  srBenchmark?: number;
  /** Number of return observations T behind SR̂ (must be > 1). */
  t: number;
  /** Skewness γ₃ of the returns (default 0). */
  skew?: number;
  /** Non-excess kurtosis γ₄ of the returns (default 3, a normal). */
  kurtosis?: number;
}

/**
 * 1 − γ₃·SR + (γ₄ − 1)/4·SR²: the (scaled) variance of the Sharpe estimator under non-normal
 * returns (Mertens 2002); null when not positive or not finite.
 */
function sharpeVarianceTerm(sr: number, skew: number, kurtosis: number): number | null {
  const v = 1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr;
  return Number.isFinite(v) && v > 0 ? v : null;
}

/**
 * Probabilistic Sharpe Ratio: the probability that the true Sharpe exceeds `srBenchmark`,
 * PSR(SR*) = Φ[(SR̂ − SR*)·√(T − 1) / √(1 − γ₃·SR̂ + (γ₄ − 1)/4·SR̂²)]
 * (Bailey & López de Prado 2012, eq. 11). Example: PSR(1.14, 1.0, T = 250, 0, 3) = 0.95727.
 *
 * Edge behaviour: returns null for non-finite inputs, T ≤ 1 (no dispersion estimate), or a
 * non-positive variance term (possible with large positive skew times SR̂).
 */
export function probabilisticSharpe(input: ProbabilisticSharpeInput): number | null {
  const { sr, srBenchmark = 0, t, skew = 0, kurtosis = 3 } = input;
  if (![sr, srBenchmark, t, skew, kurtosis].every(Number.isFinite) || t <= 1) return null;
  const v = sharpeVarianceTerm(sr, skew, kurtosis);
  if (v === null) return null;
  return phi(((sr - srBenchmark) * Math.sqrt(t - 1)) / Math.sqrt(v));
}

/** Inputs of {@link minTrackRecordLength}. */
export interface MinTrackRecordLengthInput {
  /** Observed per-period Sharpe ratio SR̂. */
  sr: number;
  /** Benchmark per-period Sharpe ratio SR* (default 0). */
  srBenchmark?: number;
  /** Skewness γ₃ of the returns (default 0). */
  skew?: number;
  /** Non-excess kurtosis γ₄ (default 3). */
  kurtosis?: number;
  /** Significance level α (default 0.05): PSR(SR*) ≥ 1 − α at the returned length. */
  alpha?: number;
}

/**
 * Minimum Track Record Length: the number of observations needed for PSR(SR*) ≥ 1 − α,
 * MinTRL = 1 + (1 − γ₃·SR̂ + (γ₄ − 1)/4·SR̂²)·(Z_{1−α}/(SR̂ − SR*))²
 * (Bailey & López de Prado 2012, eq. 13). Example: MinTRL(1.14, 1.0, 0, 3, α = 0.05) = 228.73497.
 * Returned as a real number (round up for a whole count).
 *
 * Edge behaviour: null when SR̂ ≤ SR* (no track record is long enough), α outside (0, 1),
 * non-finite inputs, or a non-positive variance term.
 */
export function minTrackRecordLength(input: MinTrackRecordLengthInput): number | null {
  const { sr, srBenchmark = 0, skew = 0, kurtosis = 3, alpha = 0.05 } = input;
  if (![sr, srBenchmark, skew, kurtosis, alpha].every(Number.isFinite)) return null;
  if (!(alpha > 0 && alpha < 1) || !(sr > srBenchmark)) return null;
  const v = sharpeVarianceTerm(sr, skew, kurtosis);
  if (v === null) return null;
  const z = phiInv(1 - alpha);
  return 1 + v * (z / (sr - srBenchmark)) ** 2;
}

/** Inputs of {@link expectedMaxSharpe}: the spread of the trials, given or computed. */
export interface ExpectedMaxSharpeInput {
  /** Standard deviation of the per-period Sharpe ratios across trials, √V[SR_n]. */
  trialSharpeStd?: number;
  /** The per-period Sharpe ratio of every trial (its population std is used, ddof = 0). */
  trialSharpes?: readonly (number | null | undefined)[];
  /** Number of independent trials N (default: the number of finite `trialSharpes`). */
  n?: number;
}

/**
 * Expected maximum Sharpe ratio of N independent trials whose true Sharpe is 0 (the False
 * Strategy Theorem; Bailey & López de Prado 2014, eq. 8 as used for the Deflated Sharpe):
 * SR₀ = √V[SR_n]·[(1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))], γ = Euler–Mascheroni.
 * Example: std 0.4, N = 100 → 1.012241.
 *
 * The spread is `trialSharpeStd` when given (it takes precedence), else the population standard
 * deviation (ddof = 0, dividing by the count) of the finite `trialSharpes`: trials [3.5, 1.01,
 * 1.02] → SR₀ = 0.99902; with ddof = 1 it would be 1.2235, so the choice matters for small N.
 *
 * Edge behaviour: N = 1 → 0 (the expected maximum of one null trial is its mean, 0; the
 * asymptotic formula is undefined there). null when N < 1 or not finite, when the spread is
 * missing, negative or not finite, or when `trialSharpes` has no finite value.
 */
export function expectedMaxSharpe(input: ExpectedMaxSharpeInput): number | null {
  let std = input.trialSharpeStd;
  let count: number | undefined;
  if (std === undefined && input.trialSharpes) {
    const finite = input.trialSharpes.filter(isObserved);
    count = finite.length;
    if (count === 0) return null;
    const mean = finite.reduce((a, b) => a + b, 0) / count;
    std = Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / count);
  }
  const n = input.n ?? count;
  if (std === undefined || !Number.isFinite(std) || std < 0) return null;
  if (n === undefined || !Number.isFinite(n) || n < 1) return null;
  if (n === 1) return 0;
  return std * ((1 - EULER_GAMMA) * phiInv(1 - 1 / n) + EULER_GAMMA * phiInv(1 - 1 / (n * Math.E)));
}

/** Inputs of {@link deflatedSharpe}. */
export interface DeflatedSharpeInput extends ExpectedMaxSharpeInput {
  /** Observed per-period Sharpe ratio SR̂ of the selected (best) trial. */
  sr: number;
  /** Number of return observations T behind SR̂ (must be > 1). */
  t: number;
  /** Skewness γ₃ of the selected trial's returns (default 0). */
  skew?: number;
  /** Non-excess kurtosis γ₄ of the selected trial's returns (default 3). */
  kurtosis?: number;
}

/** Result of {@link deflatedSharpe}. */
export interface DeflatedSharpeResult {
  /** Deflated Sharpe Ratio PSR(SR₀): probability that the true Sharpe is above SR₀. */
  dsr: number | null;
  /** Expected maximum Sharpe of N null trials, used as the benchmark. */
  sr0: number | null;
}

/**
 * Deflated Sharpe Ratio (Bailey & López de Prado 2014): DSR = PSR(SR₀) with SR₀ the expected
 * maximum Sharpe of N trials under the null ({@link expectedMaxSharpe}). N must count every
 * variant tried, abandoned ones included. Example: SR̂ = 1.14, T = 250, std 0.4, N = 100 →
 * SR₀ = 1.012241, DSR = 0.941740.
 *
 * Edge behaviour: `sr0` null when the trials' spread or N is unusable (see
 * {@link expectedMaxSharpe}); `dsr` null when `sr0` is null or PSR is not computable (see
 * {@link probabilisticSharpe}).
 */
export function deflatedSharpe(input: DeflatedSharpeInput): DeflatedSharpeResult {
  const sr0 = expectedMaxSharpe(input);
  if (sr0 === null) return { dsr: null, sr0 };
  const { sr, t, skew, kurtosis } = input;
  const dsr = probabilisticSharpe({ sr, srBenchmark: sr0, t, skew, kurtosis });
  return { dsr, sr0 };
}
