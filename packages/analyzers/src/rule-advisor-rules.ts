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

/** Evidence of a real trend: 1 − p, discounted by the width of Sen's interval relative to the slope. */
export function trendEvidence(f: Facts): Evidence {
  const { p, slope, slope_low: low, slope_high: high } = f.analysis.score_trend;
  const sig = p === null ? 0.5 : 1 - p;
  let precision = 0.5;
  let width = "no slope interval";
  if (slope !== null && slope !== 0 && low !== null && high !== null) {
    const relative = (high - low) / Math.abs(slope);
    precision = 1 - Math.min(1, relative / 2);
    width = `Sen's interval ${fmt(relative)}× the slope wide`;
  }
  return {
    strength: sig * precision,
    why: `Mann–Kendall p = ${p === null ? "n/a" : fmt(p)}, ${width}`,
  };
}

const noProgress = (f: Facts, atLeast: number) =>
  f.status !== "CONVERGING" && f.stall !== null && f.stall >= atLeast;

/** The rule table, in the order the rules are tried. */
export function ruleTable(s: RuleSettings): Rule[] {
  const N = s.patience;
  const M = s.abandonAfter;
  const D = 2 * N;
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
      action: "ABANDON",
      when: `no improvement for ≥ ${M} iterations, or DIVERGING with none for ≥ ${D}`,
      applies: (f) => noProgress(f, M) || (f.status === "DIVERGING" && noProgress(f, D)),
      evidence: (f) => ({
        strength: Math.min(1, (f.stall ?? 0) / (f.status === "DIVERGING" ? D : M)),
        why: `${f.stall} iterations without improvement`,
      }),
    },
    {
      id: "R4",
      action: "ABANDON",
      when: `overfitting risk HIGH at the best iteration and no improvement for ≥ ${N} iterations`,
      applies: (f) => f.overfitHigh && noProgress(f, N),
      evidence: (f) => {
        const dsr = f.analysis.overfitting?.dsr ?? null;
        return {
          strength: dsr === null ? 0.5 : 1 - dsr,
          why: `Deflated Sharpe Ratio ${dsr === null ? "n/a" : fmt(dsr)}`,
        };
      },
    },
    {
      id: "R5",
      action: "PIVOT",
      when: "DIVERGING",
      applies: (f) => f.status === "DIVERGING",
      evidence: trendEvidence,
    },
    {
      id: "R6",
      action: "PIVOT",
      when: "CONVERGING, but levelling off below the goal, or even the optimistic ETA exceeds the iterations left",
      applies: (f) => {
        if (f.status !== "CONVERGING") return false;
        const eta = f.analysis.iterations_to_success;
        const plateau = eta.estimate === null && eta.model === "saturating";
        const late = f.remaining !== null && eta.low !== null && eta.low > f.remaining;
        return plateau || late;
      },
      evidence: trendEvidence,
    },
    {
      id: "R7",
      action: "CONTINUE",
      when: "CONVERGING",
      applies: (f) => f.status === "CONVERGING",
      evidence: trendEvidence,
    },
    {
      id: "R8",
      action: "PIVOT",
      when: `STAGNANT or OSCILLATING with no improvement for ≥ ${N} iterations`,
      applies: (f) => noProgress(f, N),
      evidence: (f) => {
        const p = f.analysis.score_trend.p;
        const stallShare = Math.min(1, (f.stall ?? 0) / D);
        return {
          strength: 0.5 * stallShare + 0.5 * (p ?? 0.5),
          why: `${f.stall} iterations without improvement, Mann–Kendall p = ${p === null ? "n/a" : fmt(p)} (no trend)`,
        };
      },
    },
    {
      id: "R9",
      action: "CONTINUE",
      when: `STAGNANT or OSCILLATING, but improved within the last ${N} iterations`,
      applies: () => true,
      evidence: (f) => ({
        strength: 0.3,
        why: `no trend yet, but the best improved ${f.stall} iteration${f.stall === 1 ? "" : "s"} ago`,
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
