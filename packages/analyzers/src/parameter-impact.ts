/**
 * Parameter impact: which parameter changes moved the score, and which way.
 *
 * The score deltas are regressed on the parameter deltas, all parameters
 * jointly: averaging the score delta over every iteration in which a
 * parameter changed, whatever the direction of the change, would average a
 * parameter that helps when raised and hurts when lowered out to ~0.
 */
import {
  type Complete,
  type ParameterImpact as CoreParameterImpact,
  type ExperimentRecord,
  type ImpactDirection,
  nameMap,
  ownValue,
  type ParameterEffects,
} from "@converge/core";
import { buildDesign, type DesignColumn, type ParameterInfo } from "./parameter-impact-design.js";
import {
  blockQuad,
  centre,
  combinationSd,
  type Fit,
  fitDeltas,
  safeNorm,
  tCritical,
} from "./parameter-impact-fit.js";

/** The fields of a record the estimator reads. */
export type ImpactRecord = Pick<ExperimentRecord, "parameters" | "gate_score">;

export type { ImpactDirection };

/** The estimate for one parameter (core's `ParameterImpact`, every field present). Every number is finite or null. */
export type ParameterImpact = Complete<CoreParameterImpact>;

/** The joint estimate of every parameter's effect (core's `ParameterEffects`, every field present). */
export type ParameterImpactResult = Complete<ParameterEffects>;

export interface ParameterImpactOptions<R> {
  /**
   * The score to explain, larger is better; default `record.gate_score`. A
   * caller without a gate passes a goal-signed objective. Non-finite or null
   * means "no score" for that record.
   */
  score?: (record: R) => number | null;
}

/** Below this importance a parameter gets no direction. */
export const MIN_IMPORTANCE = 1e-6;
const NOT_SEPARABLE =
  "changed by the same step in every scored transition: not separable from the loop's drift";

/**
 * Estimate each parameter's effect on the score from an experiment's records
 * (in iteration order).
 *
 * Method: for each pair of consecutive records that both have a finite score,
 * one observation Δs = s_i - s_{i-1} with regressors Δp = p_i - p_{i-1}
 * (a record without a score breaks the chain: the pairs on either side of it
 * are dropped, not bridged). Numbers are used as they are, booleans as 0/1; a
 * parameter with any string value is categorical, encoded as the deltas of its
 * level indicators (the first level seen is the reference and gets no column;
 * more than 50 levels is skipped). Arrays and objects are skipped. Where a
 * parameter is absent or null on either side of a transition its delta is 0:
 * it did not change there as far as we can tell.
 *
 * The model Δs = drift + Σ β_p Δp + ε has an unpenalised intercept: a loop that
 * improves on its own (the code is edited each round) would otherwise credit
 * that drift to whatever parameters it tended to move. A parameter moved by
 * the same step in every transition is therefore not separable from drift and
 * is skipped. Columns and response are centred and scaled to unit norm; OLS is
 * used when there are more observations than columns (intercept included) and
 * the correlation matrix has reciprocal condition > 1e-8, ridge otherwise, with
 * lambda chosen by generalised cross-validation on a log grid 1e-3..1e3;
 * estimates are transformed back to original units. Two parameters always
 * changed together in proportion share their effect (ridge splits it).
 * Directions need the 95% Student-t interval to exclude 0 (see
 * `ParameterImpact.direction`).
 *
 * Assumes the score responds to parameters roughly linearly over the steps
 * taken; delta errors are treated as independent (if the score's own noise is
 * independent per iteration, deltas are negatively correlated and stderr is
 * approximate). Never throws on degenerate input: 0 or 1 records, all-null
 * scores and singular designs give `method: "none"` or nulls; every number in
 * the result is finite. Cost O(n k^2) for n transitions and k columns (mathjs
 * products), about 0.1 s at 10k records with 10 parameters.
 */
export function estimateParameterImpact<R extends ImpactRecord = ExperimentRecord>(
  records: readonly R[],
  options: ParameterImpactOptions<R> = {},
): ParameterImpactResult {
  const score = options.score ?? ((r: R) => r?.gate_score ?? null);
  const scores = records.map((r) => {
    const s = score(r);
    return typeof s === "number" && Number.isFinite(s) ? s : null;
  });
  const design = buildDesign(records, scores);
  const observations = design.y.length;
  const skipped = nameMap(Object.entries(design.skipped));

  // Columns that do not vary around their mean (up to rounding) carry no
  // information beyond the intercept.
  const varies = (d: Float64Array) => centre(d).norm > 1e-9 * safeNorm(d);
  const kept: DesignColumn[] =
    observations >= 2 ? design.columns.filter((c) => varies(c.deltas)) : design.columns;
  const info = new Map(design.info);
  for (const [name] of design.info)
    if (observations >= 2 && !kept.some((c) => c.param === name)) {
      skipped[name] = NOT_SEPARABLE;
      info.delete(name);
    }

  const fit =
    observations >= 2 && kept.length > 0
      ? fitDeltas(
          design.y,
          kept.map((c) => c.deltas),
        )
      : null;
  const parameters = nameMap<ParameterImpact>();
  for (const [name, p] of info) {
    const index = kept.flatMap((c, j) => (c.param === name ? [j] : []));
    parameters[name] =
      p.kind === "numeric"
        ? numericImpact(p, fit, index[0] ?? -1)
        : categoricalImpact(p, fit, index, kept);
  }
  return {
    parameters,
    skipped,
    method: fit ? fit.method : "none",
    lambda: finite(fit?.lambda),
    drift: finite(fit ? fit.drift : undefined),
    observations,
  };
}

/** The number when finite (with -0 as 0, which JSON cannot tell apart), else null. */
function finite(x: number | null | undefined): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x + 0 : null;
}

function directionOf(
  fit: Fit | null,
  impact: number | null,
  stderr: number | null,
  importance: number | null,
): ImpactDirection {
  if (!fit || impact === null || stderr === null || importance === null) return "UNCLEAR";
  const t = tCritical(fit.dofResidual);
  if (importance < MIN_IMPORTANCE || !(Math.abs(impact) > t * stderr)) return "UNCLEAR";
  return impact > 0 ? "INCREASE" : "DECREASE";
}

function numericImpact(p: ParameterInfo, fit: Fit | null, j: number): ParameterImpact {
  const impact = finite(fit?.beta[j]);
  const stderr = impact === null || !fit ? null : finite(combinationSd(fit, [j], [1]));
  const importance = impact === null ? null : finite(Math.abs(fit?.betaStd[j] ?? Number.NaN));
  return {
    kind: "numeric",
    impact,
    stderr,
    importance,
    changes: p.changes,
    direction: directionOf(fit, impact, stderr, importance),
  };
}

function categoricalImpact(
  p: ParameterInfo,
  fit: Fit | null,
  index: number[],
  kept: DesignColumn[],
): ParameterImpact {
  const out: ParameterImpact = {
    kind: "categorical",
    impact: null,
    stderr: null,
    importance: null,
    changes: p.changes,
    direction: "UNCLEAR",
    ...(p.reference === undefined ? {} : { reference: p.reference }),
    ...(p.current === undefined ? {} : { current: p.current }),
  };
  if (!fit || p.reference === undefined) return out;
  // Level -> column in the fit; the reference level has none.
  const column = new Map<string, number>();
  for (const j of index) column.set(kept[j]?.level as string, j);
  // No prototype: a level is a parameter's value, and "__proto__" is a value like any other.
  const levels = nameMap<number>([[p.reference, 0]]);
  for (const [level, j] of column) {
    const b = finite(fit.beta[j]);
    if (b !== null) levels[level] = b;
  }
  out.levels = levels;
  out.importance = finite(
    Math.sqrt(
      Math.max(
        0,
        blockQuad(
          fit.corr,
          index,
          index.map((j) => fit.betaStd[j] ?? 0),
        ),
      ),
    ),
  );
  const best = Object.entries(levels).reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  out.best = best;
  const current = p.current;
  const atCurrent = current === undefined ? undefined : ownValue(levels, current);
  if (current === undefined || atCurrent === undefined) return out;
  out.impact = finite((ownValue(levels, best) as number) - atCurrent);
  // Variance of the contrast levels[best] - levels[current].
  const contrast = index.map(
    (j) => (j === column.get(best) ? 1 : 0) - (j === column.get(current) ? 1 : 0),
  );
  out.stderr = finite(combinationSd(fit, index, contrast));
  out.direction = directionOf(fit, out.impact, out.stderr, out.importance);
  return out;
}
