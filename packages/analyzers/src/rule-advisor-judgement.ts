/**
 * The rule advisor's judgements beside the next action: confidence, whether
 * the parameter changes were effective, and the likelihood of success (the
 * terms of docs/vocabulary.md).
 */
import {
  LIKELIHOOD_HIGH,
  LIKELIHOOD_MEDIUM,
  type LikelihoodBand,
  likelihoodBand,
} from "@converge/core";
import type { Facts } from "./rule-advisor-facts.js";
import { chanceText, type Evidence, type Rule } from "./rule-advisor-rules.js";

/**
 * Confidence: the model's probability of the outcome the action bets on.
 * CONTINUE on the success probability (R3) bets that the gate passes within
 * the iterations left: P. PIVOT and ABANDON on it (R4–R6) bet that it does
 * not: 1 − P. Passing (R1) and a spent budget (R2): 1. Too little data (R0):
 * 0.1 + 0.05·n. Without a goal (R7, R8): 0.1 + 0.85 · n/(n + 4) · evidence.
 * Two decimals.
 */
export function confidenceOf(f: Facts, rule: Rule, evidence: Evidence): number {
  const strength = Math.max(0, Math.min(1, evidence.strength));
  let c: number;
  if (rule.id === "R0") c = 0.1 + 0.05 * Math.min(f.n, 2);
  else if (rule.id === "R7" || rule.id === "R8") c = 0.1 + 0.85 * (f.n / (f.n + 4)) * strength;
  else c = strength;
  return Math.round(Math.max(0, Math.min(1, c)) * 100) / 100;
}

export type Effectiveness = "EFFECTIVE" | "INEFFECTIVE" | "MIXED";

/**
 * Parameter changes (the assessment's `gradient_effectiveness`,
 * docs/vocabulary.md): whether the changes made so far moved the score toward
 * the goal, judged from the gradient and the parameters' estimated effects.
 * - INEFFECTIVE: the gradient is DESCENDING, or FLAT while parameters changed
 *   and the loop is not at its goal.
 * - EFFECTIVE: ASCENDING (or CONVERGING at the goal), and at least half of the
 *   moved parameters with a clear effect moved the helpful way (when none has
 *   a clear effect yet, the rise is credited to the changes as a whole).
 * - MIXED: otherwise (ASCENDING while most clear parameters moved the wrong
 *   way; FLAT without parameter changes; too little data).
 */
export function changeEffectiveness(f: Facts): { value: Effectiveness; why: string } {
  const g = f.analysis.gradient_direction;
  const helped = f.moves.filter((m) => m.helped).length;
  const clear = f.moves.length;
  const tally =
    clear === 0
      ? ""
      : `; ${helped} of ${clear} parameters with a clear effect moved the helpful way`;
  const gradient = `the ${f.label}'s gradient is ${g}`;
  if (g === "DESCENDING") return { value: "INEFFECTIVE", why: `${gradient}${tally}` };
  const atGoal = f.status === "CONVERGING" && f.passing;
  if (g === "ASCENDING" || atGoal) {
    const how = atGoal && g !== "ASCENDING" ? `the ${f.label} is at the goal` : gradient;
    if (clear === 0 || helped * 2 >= clear) {
      return {
        value: "EFFECTIVE",
        why: `${how}${tally || "; no parameter has a clear effect yet, so the rise is credited to the changes as a whole"}`,
      };
    }
    return {
      value: "MIXED",
      why: `${how}, but most parameters with a clear effect moved the wrong way${tally}`,
    };
  }
  if (f.status !== "INSUFFICIENT_DATA" && f.changedTransitions > 0) {
    return {
      value: "INEFFECTIVE",
      why: `${gradient} although parameters changed in ${f.changedTransitions} iteration${f.changedTransitions === 1 ? "" : "s"}`,
    };
  }
  return {
    value: "MIXED",
    why:
      f.status === "INSUFFICIENT_DATA"
        ? "too few iterations to tell"
        : `${gradient} and no parameter changed`,
  };
}

export type Likelihood = LikelihoodBand;

/** The success probability at or above which the likelihood is HIGH, and MEDIUM (defined in core's vocabulary). */
export { LIKELIHOOD_HIGH, LIKELIHOOD_MEDIUM };

/**
 * Likelihood of success: the success probability P in bands
 * (`likelihoodBand`: HIGH when P ≥ 0.7, MEDIUM when P ≥ 0.3, else LOW;
 * passing is P = 1, a spent budget P = 0). Without a goal there is no P:
 * MEDIUM. Nothing else moves it: a HIGH overfitting risk is its own finding
 * and rule (R4), not folded into the likelihood.
 */
export function likelihoodOf(f: Facts): { value: Likelihood; why: string } {
  if (f.passing) return { value: "HIGH", why: "the gate passes (P = 1)" };
  if (f.remaining !== null && f.remaining <= 0) {
    return { value: "LOW", why: "the budget is spent (P = 0)" };
  }
  if (f.probability === null) {
    return { value: "MEDIUM", why: "no goal to estimate a probability against" };
  }
  return { value: likelihoodBand(f.probability), why: chanceText(f) };
}
