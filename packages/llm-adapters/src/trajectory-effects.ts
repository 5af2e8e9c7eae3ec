/**
 * The trajectory prompt's sections on what the parameters did and what the
 * loop cost: joint parameter impact with uncertainty, efficiency, and the
 * overfitting guard.
 */
import type { AdvisorInput } from "@converge/core";
import { capped, num, oneLine, type PromptSection, quoted, signed } from "./prompt-format.js";
import type { ParameterEffectFacts, TrajectoryExtras } from "./trajectory-extras.js";
import { LIMITS } from "./trajectory-sections.js";

function directionText(e: ParameterEffectFacts): string {
  let d = e.direction;
  if (d !== "INCREASE" && d !== "DECREASE" && d !== "UNCLEAR") {
    const { impact, stderr } = e;
    d =
      impact === null || typeof stderr !== "number" || !(Math.abs(impact) > 1.96 * stderr)
        ? "UNCLEAR"
        : impact > 0
          ? "INCREASE"
          : "DECREASE";
  }
  if (d === "INCREASE")
    return e.kind === "categorical"
      ? "switch to the best level"
      : "INCREASE (raising it raised the score)";
  if (d === "DECREASE") return "DECREASE (lowering it raised the score)";
  return "UNCLEAR (the 95% interval includes 0)";
}

function effectLine(name: string, e: ParameterEffectFacts): string {
  const changes = typeof e.changes === "number" ? `, changed ${num(e.changes)} times` : "";
  const importance = e.importance !== undefined ? `, importance ${num(e.importance)}` : "";
  if (e.kind === "categorical") {
    const levels = Object.entries(e.levels ?? {})
      .slice(0, 10)
      .map(([level, v]) => `${quoted(level, 40)} ${signed(v)}`)
      .join(", ");
    const ref = e.reference !== undefined ? ` vs ${quoted(e.reference, 40)}` : "";
    const cur = e.current !== undefined ? `current ${quoted(e.current, 40)}, ` : "";
    const best = e.best !== undefined ? `best ${quoted(e.best, 40)}; ` : "";
    return `- ${oneLine(name)} (categorical): ${cur}${best}score effect per level${ref}: ${levels || "none estimated"}${importance}${changes} → ${directionText(e)}`;
  }
  const stderr = e.stderr !== undefined ? ` (stderr ${num(e.stderr)})` : "";
  return `- ${oneLine(name)}: impact ${signed(e.impact)} per unit${stderr}${importance}${changes} → ${directionText(e)}`;
}

/** Joint parameter impact with stderr, importance and direction (most important first), and skipped parameters. */
export function parametersSection(input: AdvisorInput, extras: TrajectoryExtras): PromptSection {
  const effects = extras.parameterEffects;
  const title =
    "Parameter impact (estimated gate-score change per unit increase, all changed parameters estimated jointly)";
  if (!effects) {
    const impacts = Object.entries(input.trajectory.parameter_impact);
    if (impacts.length === 0) {
      return { title, entries: ["- No parameter has an estimate yet."], priority: 70 };
    }
    const entries = capped(
      impacts.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])),
      LIMITS.listItems,
      ([name, v]) =>
        `- ${oneLine(name)}: ${signed(v)} per unit (point estimate; no uncertainty available)`,
      "parameters",
    );
    return { title, entries, priority: 70, minEntries: 6 };
  }
  const entries: string[] = [];
  const how: string[] = [];
  if (effects.method) how.push(`method ${oneLine(effects.method, 20)}`);
  if (typeof effects.observations === "number")
    how.push(`${num(effects.observations)} scored transitions`);
  if (effects.drift !== undefined && effects.drift !== null) {
    how.push(
      `unexplained drift ${signed(effects.drift)} per iteration (score change no parameter explains)`,
    );
  }
  if (how.length) entries.push(`- ${how.join("; ")}`);
  const byImportance = [...effects.parameters].sort(
    (a, b) => (b[1].importance ?? -1) - (a[1].importance ?? -1),
  );
  if (byImportance.length === 0) entries.push("- No parameter has an estimate yet.");
  entries.push(
    ...capped(
      byImportance,
      LIMITS.listItems,
      ([n, e]) => effectLine(n, e),
      "parameters (lower importance)",
    ),
  );
  if (effects.skipped.length) {
    entries.push("- without an estimate:");
    entries.push(
      ...capped(
        effects.skipped,
        LIMITS.listItems,
        ([n, why]) => `  - ${oneLine(n)}: ${oneLine(why)}`,
        "parameters",
        "  ",
      ),
    );
  }
  return { title, entries, priority: 70, minEntries: 6 };
}

/** Best iteration, iterations since, gain per iteration and per USD, change points. */
export function efficiencySection(extras: TrajectoryExtras): PromptSection | null {
  const e = extras.efficiency;
  if (!e) return null;
  const entries: string[] = [];
  if (typeof e.best_iteration === "number") {
    const since =
      typeof e.iterations_since_best === "number"
        ? `; ${num(e.iterations_since_best)} iterations since the best`
        : "";
    entries.push(`- best iteration: ${num(e.best_iteration)}${since}`);
  }
  entries.push(
    `- score gain per iteration ${signed(e.improvement_per_iteration)}; per USD ${signed(e.improvement_per_cost)}; total cost ${num(e.total_cost)} USD`,
  );
  entries.push(
    e.change_points.length === 0
      ? "- change points of the score: none detected"
      : `- change points of the score: ${e.change_points
          .slice(0, 5)
          .map(
            (c) =>
              `after iteration ${num(c.after_iteration)} mean ${num(c.mean_before)} → ${num(c.mean_after)} (p ${num(c.p)})`,
          )
          .join("; ")}`,
  );
  return { title: "Efficiency", entries, priority: 40 };
}

/** The Deflated Sharpe Ratio guard of the best iteration, with its assumptions. */
export function overfittingSection(extras: TrajectoryExtras): PromptSection | null {
  const o = extras.overfitting;
  if (!o) return null;
  const entries = [
    `- ${oneLine(o.metric)} of the best iteration (${num(o.best_iteration)}): ${num(o.sharpe)} over ${num(o.observations)} observations after ${num(o.trials)} trials; PSR ${num(o.psr)}, Deflated Sharpe Ratio ${num(o.dsr)} → overfitting risk ${oneLine(o.risk, 20)} (LOW: DSR ≥ 0.95, HIGH: DSR < 0.5)`,
    ...(o.assumptions ?? []).slice(0, 3).map((a) => `- assumed: ${oneLine(a)}`),
  ];
  return { title: "Overfitting guard", entries, priority: 45 };
}
