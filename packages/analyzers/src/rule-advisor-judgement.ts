/**
 * The rule advisor's judgements beside the next action: confidence, gradient
 * effectiveness and likelihood of success.
 */
import type { Facts } from "./rule-advisor-facts.js";
import type { Evidence, Rule } from "./rule-advisor-rules.js";

const fmt = (x: number) => Number(x.toPrecision(2)).toString();

/**
 * Confidence: 0.1 + 0.85 · n/(n + 4) · evidence (n scored iterations), × 0.8
 * when the overfitting risk is HIGH (unless that is the rule's own evidence);
 * with fewer than 3 scored iterations 0.1 + 0.05·n. Two decimals.
 */
export function confidenceOf(f: Facts, rule: Rule, evidence: Evidence): number {
  let c =
    rule.id === "R0"
      ? 0.1 + 0.05 * Math.min(f.n, 2)
      : 0.1 + 0.85 * (f.n / (f.n + 4)) * Math.max(0, Math.min(1, evidence.strength));
  if (f.overfitHigh && rule.id !== "R4") c *= 0.8;
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

/**
 * Likelihood of success. Passing: HIGH. Budget spent: LOW. CONVERGING: HIGH
 * when the pessimistic ETA fits in the iterations left (without a budget:
 * within 2 × patience), MEDIUM when the point estimate does, else LOW (LOW too
 * when progress levels off below the goal; MEDIUM when there is no goal to
 * estimate against). STAGNANT / OSCILLATING: MEDIUM
 * when within 0.1 of the goal or improved within `patience`, else LOW.
 * DIVERGING: LOW. Too little data: MEDIUM. A HIGH overfitting risk lowers the
 * result one step.
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
  const N = f.settings.patience;
  switch (f.status) {
    case "INSUFFICIENT_DATA":
      return { value: "MEDIUM", why: "too early to tell" };
    case "DIVERGING":
      return { value: "LOW", why: "the score is moving away from the goal" };
    case "CONVERGING": {
      const eta = f.analysis.iterations_to_success;
      const room = f.remaining ?? 2 * N;
      const roomText =
        f.remaining === null
          ? `${room} more iterations (no budget given)`
          : `the ${room} iterations left`;
      if (eta.estimate === null) {
        // Levelling off below the goal is a poor sign; no goal to measure against is no sign.
        const level: Likelihood = eta.model === "saturating" ? "LOW" : "MEDIUM";
        return { value: level, why: `converging, but no ETA (${eta.reason})` };
      }
      if (eta.high !== null && eta.high <= room)
        return {
          value: "HIGH",
          why: `even the slow end of the ETA (${eta.high}) fits in ${roomText}`,
        };
      if (eta.estimate <= room)
        return {
          value: "MEDIUM",
          why: `the ETA (${eta.estimate}) fits in ${roomText}, its slow end does not`,
        };
      return { value: "LOW", why: `the ETA (${eta.estimate}) exceeds ${roomText}` };
    }
    default: {
      const d = f.analysis.distance_to_goal;
      if (d !== null && d < 0.1)
        return { value: "MEDIUM", why: `no trend, but within ${fmt(d)} of the goal` };
      if (f.stall !== null && f.stall < N)
        return { value: "MEDIUM", why: "no trend, but improved recently" };
      return { value: "LOW", why: `no trend and no improvement for ${f.stall} iterations` };
    }
  }
}
