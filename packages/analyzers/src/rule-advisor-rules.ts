/**
 * The rule advisor's rule table: the first rule that applies decides
 * CONTINUE, PIVOT or ABANDON. Pure functions of the facts.
 */
import type { NextAction } from "@converge/core";
import type { Facts, RuleSettings } from "./rule-advisor-facts.js";

/** How strongly the numbers support the rule that fired, in [0, 1], and why. */
export interface Evidence {
  strength: number;
  why: string;
}

/** One row of the rule table. The first rule that applies decides the next action. */
export interface Rule {
  id: string;
  action: NextAction;
  /** The condition, in words (with the configured numbers). */
  when: string;
  applies(f: Facts): boolean;
  evidence(f: Facts): Evidence;
}

const fmt = (x: number) => Number(x.toPrecision(2)).toString();

/** P to two significant digits, or as many more as it takes to differ from the threshold it is compared with. */
function probabilityBeside(p: number, threshold: number): string {
  let digits = 2;
  while (
    digits < 6 &&
    p !== threshold &&
    fmt(threshold) === Number(p.toPrecision(digits)).toString()
  )
    digits++;
  return Number(p.toPrecision(digits)).toString();
}

const noProgress = (f: Facts, atLeast: number) =>
  f.status !== "CONVERGING" && f.stall !== null && f.stall >= atLeast;

/** "P(pass within the 6 iterations left) 0.03" for the evidence lines. */
export function chanceText(f: Facts): string {
  const s = f.analysis.success_probability;
  const within =
    f.remaining !== null
      ? `the ${Math.max(0, f.remaining)} iteration${f.remaining === 1 ? "" : "s"} left`
      : `the next ${s.horizon} iterations (no budget known)`;
  const p = f.probability;
  return `P(pass within ${within}) ${p === null ? "n/a" : probabilityBeside(p, f.settings.stopBelow)}`;
}

const unlikely = (f: Facts) => f.probability !== null && f.probability < f.settings.stopBelow;

/** The evidence of a stop: the model's probability that the gate would not pass. */
const againstPassing = (f: Facts): Evidence => ({
  strength: 1 - (f.probability ?? 0),
  why: `${chanceText(f)} < ${fmt(f.settings.stopBelow)}`,
});

/** The rule table, in the order the rules are tried. */
export function ruleTable(s: RuleSettings): Rule[] {
  const N = s.patience;
  const M = s.abandonAfter;
  const P = fmt(s.stopBelow);
  return [
    {
      id: "R0",
      action: "CONTINUE",
      when: "fewer than 3 scored iterations (INSUFFICIENT_DATA)",
      applies: (f) => f.status === "INSUFFICIENT_DATA" || f.n < 3,
      evidence: () => ({ strength: 0, why: "too few iterations to judge" }),
    },
    {
      id: "R1",
      action: "CONTINUE",
      when: "the last iteration passes the gate",
      applies: (f) => f.passing,
      evidence: () => ({ strength: 1, why: "the gate passes" }),
    },
    {
      id: "R2",
      action: "ABANDON",
      when: "the iteration budget is spent and the gate does not pass",
      applies: (f) => f.remaining !== null && f.remaining <= 0,
      evidence: () => ({ strength: 1, why: "no iterations left" }),
    },
    {
      id: "R3",
      action: "CONTINUE",
      when: `the success probability is at least ${P}`,
      applies: (f) => f.probability !== null && f.probability >= s.stopBelow,
      evidence: (f) => ({
        strength: f.probability ?? 0,
        why: `${chanceText(f)} ≥ ${P}`,
      }),
    },
    {
      id: "R4",
      action: "ABANDON",
      when: `the success probability is below ${P} and the best iteration's overfitting risk is HIGH`,
      applies: (f) => unlikely(f) && f.overfitHigh,
      evidence: againstPassing,
    },
    {
      id: "R5",
      action: "ABANDON",
      when: `the success probability is below ${P}, and DIVERGING or no improvement for ≥ ${M} iterations`,
      applies: (f) => unlikely(f) && (f.status === "DIVERGING" || noProgress(f, M)),
      evidence: againstPassing,
    },
    {
      id: "R6",
      action: "PIVOT",
      when: `the success probability is below ${P}`,
      applies: unlikely,
      evidence: againstPassing,
    },
    {
      id: "R7",
      action: "PIVOT",
      when: `no goal to pass (no probability): no improvement for ≥ ${N} iterations and not CONVERGING`,
      applies: (f) => f.probability === null && noProgress(f, N),
      evidence: (f) => ({
        strength: Math.min(1, (f.stall ?? 0) / (2 * N)),
        why: `${f.stall} iterations without improvement and no goal to estimate a probability against`,
      }),
    },
    {
      id: "R8",
      action: "CONTINUE",
      when: "no goal to pass (no probability), improving or improved recently",
      applies: () => true,
      evidence: (f) => ({
        strength: 0.3,
        why: `no goal to estimate a probability against; the best improved ${f.stall ?? 0} iteration${f.stall === 1 ? "" : "s"} ago`,
      }),
    },
  ];
}

/** The rule that decides, with its evidence. */
export function decide(f: Facts): { rule: Rule; evidence: Evidence } {
  const rules = ruleTable(f.settings);
  const rule = rules.find((r) => r.applies(f)) ?? (rules.at(-1) as Rule);
  return { rule, evidence: rule.evidence(f) };
}
