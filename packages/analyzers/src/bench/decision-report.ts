/**
 * Markdown tables of the decision benchmark's scores, to print and to paste
 * into a README.
 */
import type { LoopRun } from "./decision-harness.js";
import { stoppedEarly } from "./decision-harness.js";
import {
  CALIBRATION_TOLERANCE,
  type CalibrationScore,
  type CoverageCount,
  type DecisionScore,
  type EtaCoverage,
  MIN_BIN_CHECKS,
  MIN_BIN_LOOPS,
  type ScoreGroup,
} from "./decision-scoring.js";

const DASH = "—";
const pct = (x: number | null, digits = 1) => (x === null ? DASH : `${(100 * x).toFixed(digits)}%`);
const fixed = (x: number | null, digits = 3) => (x === null ? DASH : x.toFixed(digits));

/** A Markdown table from a header and rows (cells are escaped for pipes). */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const cell = (s: string) => s.replaceAll("|", "\\|");
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/**
 * The per-family decision tables, one column per policy: the share of
 * would-be successes lost, the share of the budget saved on doomed loops,
 * and the mean iterations run.
 */
export function renderDecisionTables(scores: readonly DecisionScore[]): string {
  const policies = unique(scores.map((s) => s.policy));
  const groups = unique(scores.map((s) => s.group));
  const find = (policy: string, group: ScoreGroup) =>
    scores.find((s) => s.policy === policy && s.group === group);
  const first = (group: ScoreGroup) => scores.find((s) => s.group === group);
  const table = (
    title: string,
    countHeader: string,
    count: (s: DecisionScore) => number,
    value: (s: DecisionScore) => string,
  ) =>
    `${title}\n\n${markdownTable(
      ["family", countHeader, ...policies],
      groups.map((g) => [
        g,
        String(count(first(g) as DecisionScore)),
        ...policies.map((p) => {
          const s = find(p, g);
          return s ? value(s) : DASH;
        }),
      ]),
    )}`;
  return [
    table(
      "Lost share: would-be successes stopped before they passed (lower is better)",
      "would-be successes",
      (s) => s.wouldBeSuccesses,
      (s) => `${s.lost} (${pct(s.lostShare)})`,
    ),
    table(
      "Saved share: budget not spent on loops that never pass (higher is better)",
      "doomed loops",
      (s) => s.doomed,
      (s) => pct(s.savedShare),
    ),
    table(
      "Mean iterations run",
      "loops",
      (s) => s.loops,
      (s) => s.meanIterations.toFixed(1),
    ),
  ].join("\n\n");
}

/** What stopped loops early under one policy: per rule, stops of would-be successes and of doomed loops. */
export function renderStops(runs: readonly LoopRun[]): string {
  const stopped = runs.filter((r) => stoppedEarly(r.status));
  const reasons = unique(stopped.map((r) => r.stoppedBy ?? "unknown")).sort();
  if (reasons.length === 0) return "No loop was stopped early.";
  return markdownTable(
    ["stopped by", "would-be successes lost", "doomed loops stopped"],
    reasons.map((reason) => {
      const mine = stopped.filter((r) => (r.stoppedBy ?? "unknown") === reason);
      return [
        reason,
        String(mine.filter((r) => r.passesWithinBudget).length),
        String(mine.filter((r) => !r.passesWithinBudget).length),
      ];
    }),
  );
}

/** The reliability table of the success probability, with the Brier scores under it. */
export function renderReliability(score: CalibrationScore): string {
  if (score.withProbability === 0) {
    return `No check carried a success probability (${score.checks} checks).`;
  }
  const table = markdownTable(
    [
      "predicted",
      "checks",
      "loops",
      "mean predicted",
      "observed",
      "|obs − pred|",
      "within ±0.1",
      "counts",
    ],
    score.bins.map((b) => [
      `[${b.low.toFixed(1)}, ${b.high.toFixed(1)}${b.high === 1 ? "]" : ")"}`,
      String(b.checks),
      String(b.loops),
      fixed(b.meanPredicted),
      fixed(b.observed),
      fixed(b.gap),
      b.withinTolerance === null ? DASH : b.withinTolerance ? "yes" : "no",
      b.counts ? "yes" : "no",
    ]),
  );
  return [
    table,
    "",
    `A bin counts with ≥ ${MIN_BIN_CHECKS} checks from ≥ ${MIN_BIN_LOOPS} loops; tolerance ±${CALIBRATION_TOLERANCE}.`,
    `${score.withProbability} of ${score.checks} checks carry a probability; pass rate ${pct(score.passRate)};`,
    `Brier ${fixed(score.brier)} vs base rate ${fixed(score.baseBrier)} (skill ${fixed(score.skill)});`,
    `worst counting bin |obs − pred| ${fixed(score.worstGap)} over ${score.countingBins} counting bins.`,
  ].join("\n");
}

/** The ETA interval's coverage table. */
export function renderEtaCoverage(eta: EtaCoverage): string {
  const row = (name: string, c: CoverageCount) => [
    name,
    String(c.eligible),
    String(c.covered),
    pct(c.coverage),
    pct(eta.level, 0),
  ];
  return [
    markdownTable(
      [
        "checks",
        "eligible (pass within horizon, with a range)",
        "covered",
        "coverage",
        "stated level",
      ],
      [row("all families", eta.overall), row("steady families", eta.steady)],
    ),
    "",
    `Steady families: ${eta.steadyWithoutEstimate} of ${eta.steadyChecks} checks before the pass have no estimate (${pct(eta.steadyWithoutShare)}).`,
    `Left out: ${eta.beyondKnown} checks whose ETA horizon reaches past the generated iterations of a loop that has not passed by then.`,
  ].join("\n");
}
