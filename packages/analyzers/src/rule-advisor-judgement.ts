/**
 * The rule advisor's judgements beside the next action: confidence, gradient
 * effectiveness and likelihood of success.
 */
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
 * Gradient effectiveness:
 * - INEFFECTIVE: the score's gradient is DESCENDING, or FLAT while parameters
 *   changed and the loop is not at its goal.
 * - EFFECTIVE: ASCENDING (or CONVERGING at the goal), and at least half of the
 *   moved parameters with a clear effect moved the helpful way (when none has
 *   a clear effect yet, the rise is credited to the changes as a whole).
 * - MIXED: otherwise (ASCENDING while most clear parameters moved the wrong
 *   way; FLAT without parameter changes; too little data).
 */
export function gradientEffectiveness(f: Facts): { value: Effectiveness; why: string } {
  const g = f.analysis.gradient_direction;
  const helped = f.moves.filter((m) => m.helped).length;
  const clear = f.moves.length;
  const tally =
    clear === 0
      ? ""
      : `; ${helped} of ${clear} parameters with a clear effect moved the helpful way`;
  if (g === "DESCENDING")
    return { value: "INEFFECTIVE", why: `the ${f.label} is descending${tally}` };
  const atGoal = f.status === "CONVERGING" && f.passing;
  if (g === "ASCENDING" || atGoal) {
    const how = atGoal && g !== "ASCENDING" ? "at the goal" : "ascending";
    if (clear === 0 || helped * 2 >= clear) {
      return {
        value: "EFFECTIVE",
        why: `the ${f.label} is ${how}${tally || "; no parameter has a clear effect yet, so the rise is credited to the changes as a whole"}`,
      };
    }
    return {
      value: "MIXED",
      why: `the ${f.label} is ${how}, but most parameters with a clear effect moved the wrong way${tally}`,
    };
  }
  if (f.status !== "INSUFFICIENT_DATA" && f.changedTransitions > 0) {
    return {
      value: "INEFFECTIVE",
      why: `the ${f.label} is flat although parameters changed in ${f.changedTransitions} iteration${f.changedTransitions === 1 ? "" : "s"}`,
    };
  }
  return {
    value: "MIXED",
    why:
      f.status === "INSUFFICIENT_DATA"
        ? "too few iterations to tell"
        : `the ${f.label} is flat and no parameter changed`,
  };
}

export type Likelihood = "HIGH" | "MEDIUM" | "LOW";

/** The success probability at or above which the likelihood is HIGH, and MEDIUM. */
export const LIKELIHOOD_HIGH = 0.7;
export const LIKELIHOOD_MEDIUM = 0.3;

/**
 * Likelihood of success, from the success probability P: HIGH when P ≥ 0.7,
 * MEDIUM when P ≥ 0.3, else LOW (passing: HIGH; budget spent: LOW). Without a
 * goal there is no P: MEDIUM. A HIGH overfitting risk lowers the result one
 * step: a pass would likely not hold out of sample.
 */
export function likelihoodOf(f: Facts): { value: Likelihood; why: string } {
  const down = (l: Likelihood): Likelihood => (l === "HIGH" ? "MEDIUM" : "LOW");
  const base = baseLikelihood(f);
  if (f.overfitHigh && base.value !== "LOW") {
    return { value: down(base.value), why: `${base.why}; lowered for the HIGH overfitting risk` };
  }
  return base;
}

function baseLikelihood(f: Facts): { value: Likelihood; why: string } {
  if (f.passing) return { value: "HIGH", why: "the gate passes" };
  if (f.remaining !== null && f.remaining <= 0) return { value: "LOW", why: "the budget is spent" };
  if (f.probability === null) {
    return { value: "MEDIUM", why: "no goal to estimate a probability against" };
  }
  const p = f.probability;
  const value: Likelihood =
    p >= LIKELIHOOD_HIGH ? "HIGH" : p >= LIKELIHOOD_MEDIUM ? "MEDIUM" : "LOW";
  return { value, why: chanceText(f) };
}
