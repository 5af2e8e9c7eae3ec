import { type ExperimentRecord, ownValue } from "@converge/core";
import { deflatedSharpe, probabilisticSharpe } from "./stats/index.js";
import type { OverfittingGuard } from "./types.js";

/**
 * Metric names the guard reads from the best iteration's `metrics` (all optional):
 *
 * | name | meaning | when absent |
 * |---|---|---|
 * | `<sharpe>_observations`, `num_observations`, `n_observations` | return observations behind the Sharpe | 252 assumed |
 * | `periods_per_year` | periods in a year, to de-annualise the Sharpe | 252 assumed |
 * | `sharpe_is_annualized` (0/1) | whether the recorded Sharpe is annualised | 1 (annualised) assumed |
 * | `returns_skew`, `skewness` | skewness of the returns | 0 (normal) assumed |
 * | `returns_kurtosis`, `kurtosis` | non-excess kurtosis of the returns | 3 (normal) assumed |
 */
export const OVERFITTING_METRIC_NAMES = [
  "<sharpe>_observations",
  "num_observations",
  "n_observations",
  "periods_per_year",
  "sharpe_is_annualized",
  "returns_skew",
  "skewness",
  "returns_kurtosis",
  "kurtosis",
] as const;

function pick(metrics: Record<string, number>, names: readonly string[]): number | undefined {
  for (const name of names) {
    const v = ownValue(metrics, name);
    if (v !== undefined && Number.isFinite(v)) return v;
  }
  return undefined;
}

/** The first metric whose name contains "sharpe" and that some iteration has as a finite number. */
export function findSharpeMetric(records: readonly ExperimentRecord[]): string | null {
  for (const r of records) {
    for (const [name, v] of Object.entries(r.metrics)) {
      if (/sharpe/i.test(name) && !/_observations$/i.test(name) && Number.isFinite(v)) return name;
    }
  }
  return null;
}

/**
 * Probabilistic and Deflated Sharpe Ratio of the best iteration (Bailey &
 * López de Prado), given that every iteration tried was a trial: N counts all
 * iterations with a finite Sharpe, failed ones included, and the spread of
 * their per-period Sharpes (population sd) sets the Sharpe that luck alone
 * would reach. What the records do not say is assumed and listed.
 */
export function overfittingGuard(
  records: readonly ExperimentRecord[],
  bestIteration: number | null,
): OverfittingGuard | null {
  const metric = findSharpeMetric(records);
  if (!metric || bestIteration === null) return null;
  const best = records.find((r) => r.iteration === bestIteration);
  const sharpe = ownValue(best?.metrics, metric);
  if (!best || sharpe === undefined || !Number.isFinite(sharpe)) return null;

  const assumptions: string[] = [];
  const m = best.metrics;
  let t = pick(m, [`${metric}_observations`, "num_observations", "n_observations"]);
  if (t === undefined) {
    t = 252;
    assumptions.push(
      "252 return observations (one year of daily returns): record num_observations to say otherwise",
    );
  }
  const annualised = pick(m, ["sharpe_is_annualized"]);
  let periods = pick(m, ["periods_per_year"]);
  let perPeriod = (s: number) => s;
  if (annualised !== 0) {
    if (periods === undefined) {
      periods = 252;
      assumptions.push(
        `${metric} is annualised over 252 periods a year: record periods_per_year (or sharpe_is_annualized = 0)`,
      );
    }
    const root = Math.sqrt(periods);
    perPeriod = (s: number) => s / root;
  }
  let skew = pick(m, ["returns_skew", "skewness"]);
  if (skew === undefined) {
    skew = 0;
    assumptions.push("returns are not skewed (skewness 0): record returns_skew");
  }
  let kurtosis = pick(m, ["returns_kurtosis", "kurtosis"]);
  if (kurtosis === undefined) {
    kurtosis = 3;
    assumptions.push("returns have normal tails (kurtosis 3): record returns_kurtosis");
  }
  const trialSharpes = records
    .map((r) => ownValue(r.metrics, metric))
    .filter((v): v is number => v !== undefined && Number.isFinite(v))
    .map(perPeriod);
  const sr = perPeriod(sharpe);
  const psr = probabilisticSharpe({ sr, srBenchmark: 0, t, skew, kurtosis });
  const deflated =
    trialSharpes.length >= 2
      ? deflatedSharpe({ sr, t, skew, kurtosis, trialSharpes, n: trialSharpes.length })
      : { dsr: psr, sr0: 0 };
  const dsr = deflated.dsr;
  return {
    metric,
    best_iteration: bestIteration,
    sharpe,
    sharpe_per_period: sr,
    trials: trialSharpes.length,
    observations: t,
    psr,
    sr0: deflated.sr0,
    dsr,
    risk: dsr === null ? "UNKNOWN" : dsr >= 0.95 ? "LOW" : dsr >= 0.5 ? "MEDIUM" : "HIGH",
    assumptions,
  };
}
