/**
 * Analysis fields the report shows that `report-data.ts`'s `ReportTrajectory`
 * does not (yet) carry: the overfitting guard and the statistics behind each
 * metric's trend. Read structurally (reporters never import
 * @converge/analyzers); every reader tolerates a missing field, a null, or a
 * NaN that became null on its way through JSON, and never throws.
 */

/** The overfitting guard of the best iteration's Sharpe ratio, as far as it is well-formed. */
export interface OverfittingView {
  metric: string;
  best_iteration: number | null;
  sharpe: number | null;
  trials: number | null;
  observations: number | null;
  psr: number | null;
  sr0: number | null;
  dsr: number | null;
  risk: string;
  assumptions: string[];
}

/** The statistics behind one metric's trend. */
export interface TrendStatistics {
  /** Theil–Sen slope per iteration (raw sign) and Sen's 95% interval. */
  slope: number | null;
  low: number | null;
  high: number | null;
  /** Mann–Kendall two-sided p. */
  p: number | null;
}

/** The value when it is a plain object, else undefined. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The value when it is a finite number, else null. */
export function finite(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/**
 * The trajectory's overfitting guard; null when the trajectory has none (no
 * Sharpe-like metric) or it is malformed.
 */
export function overfittingOf(trajectory: unknown): OverfittingView | null {
  const guard = asObject(asObject(trajectory)?.overfitting);
  if (!guard || typeof guard.metric !== "string") return null;
  return {
    metric: guard.metric,
    best_iteration: finite(guard.best_iteration),
    sharpe: finite(guard.sharpe),
    trials: finite(guard.trials),
    observations: finite(guard.observations),
    psr: finite(guard.psr),
    sr0: finite(guard.sr0),
    dsr: finite(guard.dsr),
    risk: typeof guard.risk === "string" ? guard.risk : "UNKNOWN",
    assumptions: Array.isArray(guard.assumptions)
      ? guard.assumptions.filter((a): a is string => typeof a === "string")
      : [],
  };
}

/** The Theil–Sen slope, its interval and the Mann–Kendall p of one metric's trend. */
export function trendStatistics(trajectory: unknown, metric: string): TrendStatistics {
  const trends = asObject(asObject(trajectory)?.metric_trends);
  const trend = trends && Object.hasOwn(trends, metric) ? asObject(trends[metric]) : undefined;
  const theilSen = asObject(trend?.theil_sen);
  return {
    slope: finite(theilSen?.slope),
    low: finite(theilSen?.low),
    high: finite(theilSen?.high),
    p: finite(asObject(trend?.mann_kendall)?.p),
  };
}
