/**
 * A gate result as prompt lines: the score, what margin and distance mean,
 * and one line per criterion with its threshold, value, margin and
 * normalised distance. Shared by the trajectory and failure prompts.
 */
import type { CriterionResult, GateResult } from "@converge/core";
import { capped, num, oneLine, signed } from "./prompt-format.js";

function thresholdText(c: Pick<CriterionResult, "op" | "threshold">): string {
  return Array.isArray(c.threshold)
    ? `between ${num(c.threshold[0])} and ${num(c.threshold[1])}`
    : `${c.op} ${num(c.threshold)}`;
}

const NOTE_TEXT: ReadonlyMap<string, string> = new Map([
  ["missing", "missing"],
  ["Infinity", "∞"],
  ["-Infinity", "-∞"],
]);

function valueText(c: CriterionResult, unit: string | undefined): string {
  if (c.value === null) return NOTE_TEXT.get(c.note ?? "") ?? "n/a";
  return unit ? `${num(c.value)} ${oneLine(unit, 20)}` : num(c.value);
}

/** One criterion: `- sharpe_ratio >= 1 (required, weight 1): value 0.9, margin -0.1, distance 0.1 → FAIL`. */
export function criterionLine(c: CriterionResult, unit?: string): string {
  const flags = `${c.required ? "required" : "optional"}, weight ${num(c.weight)}`;
  return `- ${oneLine(c.metric)} ${thresholdText(c)} (${flags}): value ${valueText(c, unit)}, margin ${signed(c.margin)}, distance ${num(c.distance)} → ${c.passed ? "pass" : "FAIL"}`;
}

/**
 * The score line, the legend, and the criteria (at most `max`, then
 * "… N more"), indented under the legend. `failedFirst` lists the failing
 * criteria before the passing ones.
 */
export function gateResultLines(
  result: GateResult,
  options: { unitOf?: (metric: string) => string | undefined; max: number; failedFirst?: boolean },
): string[] {
  const failing = result.criteria
    .filter((c) => !c.passed && c.required)
    .map((c) => oneLine(c.metric, 60));
  const verdict = result.passed
    ? "PASSED"
    : `FAILED${failing.length ? ` (required criteria failing: ${failing.join(", ")})` : ""}`;
  const criteria = options.failedFirst
    ? [...result.criteria.filter((c) => !c.passed), ...result.criteria.filter((c) => c.passed)]
    : result.criteria;
  return [
    `- gate score ${num(result.score)} (1 = every criterion passes): ${verdict}`,
    "- per criterion: margin = signed distance from the threshold in the metric's unit (≥ 0 on the passing side); distance = shortfall normalised to 0..1 (0 = passing, 1 = fully failing)",
    ...capped(
      criteria,
      options.max,
      (c) => `  ${criterionLine(c, options.unitOf?.(c.metric))}`,
      "criteria",
      "  ",
    ),
  ];
}
