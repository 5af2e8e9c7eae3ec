/**
 * The regression behind `estimateParameterImpact`: least squares of score
 * deltas on parameter-delta columns with an unpenalised intercept, OLS when
 * well determined and ridge (lambda by generalised cross-validation)
 * otherwise. Linear algebra is mathjs'. Internal to `parameter-impact.ts`.
 */
import type { Matrix } from "mathjs";
import { math } from "./mathjs-functions.js";

/** Reciprocal condition number below which the normal matrix counts as ill-conditioned. */
export const MIN_RECIPROCAL_CONDITION = 1e-8;
/** Ridge penalties tried (relative to the unit diagonal of the correlation matrix). */
export const LAMBDA_GRID: readonly number[] = Array.from(
  { length: 25 },
  (_, i) => 10 ** (-3 + i / 4),
);

export interface Fit {
  method: "ols" | "ridge";
  /** Ridge penalty on the standardised scale; null for OLS. */
  lambda: number | null;
  /** Coefficients in original units (score change per unit of each column's delta). */
  beta: number[];
  /** Standardised coefficients (per column norm, per score-delta norm). */
  betaStd: number[];
  /** Their covariance; null when the residual variance is not estimable. */
  covStd: number[][] | null;
  /** Norms of the centred columns and of the centred score deltas (the standardisation). */
  colNorm: number[];
  yNorm: number;
  /** Correlation matrix of the centred columns. */
  corr: number[][];
  /** Intercept: mean score change per transition not explained by the parameters. */
  drift: number;
  /** Residual degrees of freedom: n - 1 - df, df the (effective) number of coefficients. */
  dofResidual: number;
}

// Student-t 97.5% quantiles for 1..30 degrees of freedom.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

/**
 * Two-sided 95% Student-t critical value for `dof` degrees of freedom
 * (rounded down; a table to 30, the Cornish-Fisher expansion beyond, 1.96 in
 * the limit). Infinity below one degree of freedom.
 */
export function tCritical(dof: number): number {
  if (!(dof >= 1)) return Number.POSITIVE_INFINITY;
  const v = Math.floor(dof);
  if (v <= T975.length) return T975[v - 1] as number;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * v) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * v * v);
}

/** Euclidean norm, scaled so that huge values cannot overflow. */
export function safeNorm(v: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i] as number));
  if (max === 0 || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += ((v[i] as number) / max) ** 2;
  return max * Math.sqrt(sum);
}

/** Arithmetic mean; summing v_i / n keeps sums of huge deltas finite. */
export function mean(v: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] as number) / v.length;
  return sum;
}

/** Centre a column; returns the centred copy, its mean and its norm. */
export function centre(v: Float64Array): { c: Float64Array; m: number; norm: number } {
  const m = mean(v);
  const c = v.map((x) => x - m);
  return { c, m, norm: safeNorm(c) };
}

const toArray = (x: Matrix | number[] | number[][]): number[] | number[][] =>
  Array.isArray(x) ? x : (x.toArray() as number[] | number[][]);
const vec = (x: unknown): number[] =>
  (toArray(x as Matrix) as (number | number[])[]).map(
    (e) => (Array.isArray(e) ? e[0] : e) as number,
  );
const mat = (x: unknown): number[][] => toArray(x as Matrix) as number[][];

function quad(a: number[], m: number[][], b: number[]): number {
  return math.multiply(math.multiply(a, m) as number[], b) as unknown as number;
}

/**
 * Fit score deltas `y` on the given delta columns (each with nonzero centred
 * norm). Assumes at least two observations and one column. Every mathjs call
 * that can fail on a singular matrix is only reached with a positive definite
 * one; a failure anyway returns null.
 */
export function fitDeltas(y: Float64Array, columns: Float64Array[]): Fit | null {
  try {
    return fit(y, columns);
  } catch {
    return null;
  }
}

function fit(y: Float64Array, columns: Float64Array[]): Fit | null {
  const n = y.length;
  const k = columns.length;
  const cols = columns.map(centre);
  const yc = centre(y);
  // Standardise: unit-norm columns and response, so the normal matrix is the
  // correlation matrix and the ridge penalty is scale-free.
  const zt = math.matrix(
    cols.map(({ c, norm }) => Array.from(c, (x) => x / norm)),
    "dense",
    "number",
  );
  const yz = yc.norm > 0 ? Array.from(yc.c, (x) => x / yc.norm) : new Array<number>(n).fill(0);
  const raw = mat(math.multiply(zt, math.transpose(zt)));
  const corr = raw.map((row, i) =>
    row.map((_, j) => (i === j ? 1 : ((raw[i]?.[j] ?? 0) + (raw[j]?.[i] ?? 0)) / 2)),
  );
  const g = vec(math.multiply(zt, yz));
  const eig = vec(math.eigs(corr, { eigenvectors: false }).values).map((d) => Math.max(0, d));
  let dmax = Number.NEGATIVE_INFINITY;
  let dmin = Number.POSITIVE_INFINITY;
  for (const d of eig) {
    if (d > dmax) dmax = d;
    if (d < dmin) dmin = d;
  }
  const dofTotal = n - 1; // the intercept used one
  const ols = dofTotal >= k + 1 && dmin > MIN_RECIPROCAL_CONDITION * dmax;

  let lambda = 0;
  if (!ols) lambda = chooseLambda(corr, g, eig, dofTotal);
  const penalised = addDiagonal(corr, lambda);
  const betaStd = vec(math.lusolve(penalised, g));
  const fitted = vec(math.multiply(betaStd, zt));
  let rss = 0;
  for (let i = 0; i < n; i++) rss += ((yz[i] as number) - (fitted[i] as number)) ** 2;
  const df = eig.reduce((s, d) => s + d / (d + lambda), 0);
  const dofResidual = dofTotal - df;
  // With ridge the covariance is the Bayesian posterior one, sigma^2 (R + lambda I)^-1:
  // wider than the frequentist sandwich, so it errs towards UNCLEAR.
  const sigma2 = dofResidual >= 1 ? rss / dofResidual : null;
  const covStd = sigma2 === null ? null : mat(math.multiply(sigma2, math.inv(penalised)));

  const colNorm = cols.map(({ norm }) => norm);
  const beta = betaStd.map((b, j) => (b * yc.norm) / (colNorm[j] as number));
  const drift = yc.m - beta.reduce((s, b, j) => s + b * (cols[j]?.m ?? 0), 0);
  return {
    method: ols ? "ols" : "ridge",
    lambda: ols ? null : lambda,
    beta,
    betaStd,
    covStd,
    colNorm,
    yNorm: yc.norm,
    corr,
    drift,
    dofResidual,
  };
}

/**
 * Generalised cross-validation over `LAMBDA_GRID`:
 * GCV(lambda) = m * RSS(lambda) / (m - df(lambda))^2 with m = n - 1 and
 * df = sum d / (d + lambda) over the eigenvalues d of the correlation matrix.
 * Ties go to the larger penalty; 1 when no grid value leaves a residual degree
 * of freedom (cannot happen with m >= 1, kept as a guard).
 */
function chooseLambda(corr: number[][], g: number[], eig: number[], m: number): number {
  let best = 1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let i = LAMBDA_GRID.length - 1; i >= 0; i--) {
    const lambda = LAMBDA_GRID[i] as number;
    const b = vec(math.lusolve(addDiagonal(corr, lambda), g));
    // RSS from the normal-equation quantities (the response has unit norm).
    const rss = Math.max(0, 1 - 2 * (math.multiply(b, g) as unknown as number) + quad(b, corr, b));
    const df = eig.reduce((s, d) => s + d / (d + lambda), 0);
    const rest = m - df;
    if (!(rest > 1e-9)) continue;
    const score = (m * rss) / (rest * rest);
    if (score < bestScore) {
      bestScore = score;
      best = lambda;
    }
  }
  return best;
}

function addDiagonal(m: number[][], lambda: number): number[][] {
  return m.map((row, i) => row.map((v, j) => (i === j ? v + lambda : v)));
}

/** b' M b for the block `index` of M. */
export function blockQuad(m: number[][], index: number[], b: number[]): number {
  const sub = index.map((i) => index.map((j) => m[i]?.[j] ?? 0));
  return quad(b, sub, b);
}

/**
 * Standard error of the linear combination sum w_i * beta[index_i] in original
 * units; null without a covariance. The scales are applied outside the square
 * root so that tiny or huge units cannot underflow or overflow the variance.
 */
export function combinationSd(fit: Fit, index: number[], w: number[]): number | null {
  if (!fit.covStd) return null;
  const scaled = w.map((x, i) => x / (fit.colNorm[index[i] as number] as number));
  let peak = Number.NEGATIVE_INFINITY;
  for (const x of scaled) peak = Math.max(peak, Math.abs(x));
  if (!(peak > 0)) return 0;
  const v = blockQuad(
    fit.covStd,
    index,
    scaled.map((x) => x / peak),
  );
  return fit.yNorm * peak * Math.sqrt(Math.max(0, v));
}
