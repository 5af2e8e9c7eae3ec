/**
 * `@converge/analyzers/stats`: the statistics primitives the analyzers are built
 * on (trend, change-point, oscillation and overfitting statistics), an entry of
 * their own so the root entry stays the analysis API. Every function drops
 * missing values and never throws.
 */
export {
  type KendallS,
  kendallS,
  MANN_KENDALL_EXACT_MAX_N,
  type MannKendallResult,
  mahonian,
  mannKendall,
  mannKendallExactP,
} from "./mann-kendall.js";
export { normalCdf, normalQuantile } from "./normal.js";
export { type OlsResult, olsSlope } from "./ols.js";
export { type PettittResult, pettitt } from "./pettitt.js";
export type { SeriesInput } from "./series.js";
export {
  type DeflatedSharpeInput,
  type DeflatedSharpeResult,
  deflatedSharpe,
  type ExpectedMaxSharpeInput,
  expectedMaxSharpe,
  type MinTrackRecordLengthInput,
  minTrackRecordLength,
  type ProbabilisticSharpeInput,
  probabilisticSharpe,
} from "./sharpe.js";
export {
  THEIL_SEN_EXACT_MAX_N,
  THEIL_SEN_SAMPLE_PAIRS,
  type TheilSenOptions,
  type TheilSenResult,
  theilSen,
} from "./theil-sen.js";
export { type TurningPointsResult, turningPoints } from "./turning-points.js";
