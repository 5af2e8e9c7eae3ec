/**
 * The words of the rule advisor: findings, parameter advice and next steps,
 * written from the numbers of the analysis.
 */

import { directionText, median, metricSpan, nameMap, ownValue } from "@converge/core";
import { outlookText } from "./outlook.js";
import type { ParameterImpact } from "./parameter-impact.js";
import {
  type Facts,
  numericValue,
  parameterValues,
  type ScorePoint,
} from "./rule-advisor-facts.js";
import { chanceText, type Rule } from "./rule-advisor-rules.js";
import type { MetricTrend } from "./types.js";

/** A number for text: two decimals from 0.1 up, two significant digits below; "n/a" for null. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined) return "n/a";
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential(1);
  if (a >= 100) return String(Number(x.toPrecision(4)));
  if (a >= 0.095) return x.toFixed(2);
  return String(Number(x.toPrecision(2)));
}

/** `num` with an explicit "+" on positive numbers. */
export function signed(x: number | null | undefined): string {
  const text = num(x);
  return x !== null && x !== undefined && x > 0 ? `+${text}` : text;
}

/** A parameter value as it would be typed: up to 4 significant digits. */
function plain(x: number): string {
  return String(Number(x.toPrecision(4)));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function interval(low: number | null, high: number | null): string {
  return low === null || high === null ? "" : ` [${num(low)}, ${num(high)}]`;
}

/** "gate score 0.65 → 0.75 → 0.92, +0.14 per iteration [0.10, 0.17] (...)". */
function scoreLine(f: Facts): string {
  const t = f.analysis.score_trend;
  const shown = f.points.slice(-5).map((p) => num(p.value));
  const more = f.points.length > 5 ? `… → ` : "";
  const tail = f.points.length > 5 ? ` (last 5 of ${f.points.length})` : "";
  const values =
    shown.length > 0 ? ` ${more}${shown.join(" → ")}${tail}` : " has no scored iteration";
  if (t.slope === null) return `${f.label}${values}`;
  return `${f.label}${values}, ${signed(t.slope)} per iteration${interval(t.slope_low, t.slope_high)} (Theil–Sen slope, Sen's 95% interval)`;
}

/** An objective metric's trend: "sharpe (higher is better): +0.10 per iteration … CONVERGING". */
function metricLine(f: Facts, name: string, m: MetricTrend): string {
  const span = metricSpan(ownValue(f.analysis.metric_history, name) ?? []);
  if (span.constant) {
    return `${name} (${directionText(m.goal)}): ${plain(span.first as number)} (constant), ${m.status}`;
  }
  const sign = m.goal === "minimize" ? -1 : 1;
  const { low, high } = m.theil_sen;
  const lo = low === null || high === null ? null : sign > 0 ? low : -high;
  const hi = low === null || high === null ? null : sign > 0 ? high : -low;
  const rate =
    m.improvement_rate === null
      ? "no rate"
      : `${signed(m.improvement_rate)} per iteration${interval(lo, hi)} toward its goal`;
  const p = m.mann_kendall.p === null ? "" : `, Mann–Kendall p = ${num(m.mann_kendall.p)}`;
  return `${name} (${directionText(m.goal)}): ${rate}${p}, ${m.status}`;
}

/**
 * The informational metrics (no goal stated) in one finding, named and not
 * judged: "informational metrics (no goal, not judged): trade_count 120 → 80,
 * periods_per_year 252 (constant)". Empty when there are none.
 */
function informationalLine(f: Facts): string | null {
  const parts: string[] = [];
  for (const [name, m] of Object.entries(f.analysis.metric_trends)) {
    if (m.role !== "informational") continue;
    const span = metricSpan(ownValue(f.analysis.metric_history, name) ?? []);
    if (span.first === null) parts.push(`${name} (no value)`);
    else if (span.constant) parts.push(`${name} ${plain(span.first)} (constant)`);
    else parts.push(`${name} ${plain(span.first)} → ${plain(span.last as number)}`);
  }
  if (parts.length === 0) return null;
  const shown = parts.slice(0, 10).join(", ");
  const more = parts.length > 10 ? `, and ${parts.length - 10} more` : "";
  return `informational metrics (no goal, not judged): ${shown}${more}`;
}

function failingCriteria(f: Facts): [string, number][] {
  return Object.entries(f.analysis.distance_by_criterion)
    .filter(([, d]) => d > 0)
    .sort((a, b) => b[1] - a[1]);
}

/** The findings, most important first. */
export function keyFindings(f: Facts): string[] {
  const a = f.analysis;
  // The verdict with its direction: the score is goal-signed, so higher is better ("-loss" for a minimised one).
  const out = [
    scoreLine(f),
    `${a.score_trend.status} (${f.label}, higher is better): ${a.score_trend.reason}`,
  ];

  const failing = failingCriteria(f);
  if (a.distance_to_goal !== null) {
    out.push(
      a.distance_to_goal === 0
        ? "distance to goal 0: every required criterion passes at the last iteration"
        : `distance to goal ${num(a.distance_to_goal)} (0 = passing)${failing.length ? `; still failing: ${failing.map(([c, d]) => `${c} (${num(d)})`).join(", ")}` : ""}`,
    );
  } else if (f.passing) {
    out.push("the last record says the gate passed (no gate spec to measure the distance)");
  }

  if (!f.passing) out.push(outlookText(a.success_probability, a.iterations_to_success));

  if (f.best !== null && f.stall !== null) {
    const where = `best ${f.label} ${num(f.best.value)} at iteration ${f.best.iteration}`;
    out.push(
      f.stall === 0
        ? `${where}; the last iteration improved on the best so far`
        : `${where}; no improvement (by more than ${num(f.tolerance)}) for ${plural(f.stall, "iteration")}`,
    );
  }

  for (const c of a.efficiency.change_points) {
    out.push(
      `change point after iteration ${c.after_iteration}: mean ${f.label} ${num(c.mean_before)} → ${num(c.mean_after)} (Pettitt p = ${num(c.p)})`,
    );
  }

  out.push(parameterSummary(f));

  // Only objectives are judged; informational metrics are named once, without a verdict.
  const objectives = Object.entries(a.metric_trends).filter(([, m]) => m.role !== "informational");
  for (const [name, m] of objectives.slice(0, 10)) out.push(metricLine(f, name, m));
  const informational = informationalLine(f);
  if (informational) out.push(informational);

  const e = a.efficiency;
  if (e.improvement_per_cost !== null && e.total_cost > 0) {
    out.push(
      `${signed(e.improvement_per_cost)} ${f.label} per $ spent ($${e.total_cost.toFixed(2)} in total)`,
    );
  }

  const o = a.overfitting;
  if (o !== null) {
    const assumed = o.assumptions.length ? `; assumed: ${o.assumptions.join("; ")}` : "";
    out.push(
      `overfitting guard: best ${o.metric} ${num(o.sharpe)} at iteration ${o.best_iteration} after ${plural(o.trials, "trial")}, ${o.observations} observations: PSR ${num(o.psr)}, DSR ${num(o.dsr)}, risk ${o.risk}${assumed}`,
    );
  }
  return out;
}

function parameterSummary(f: Facts): string {
  const pe = f.analysis.parameter_effects;
  const method =
    pe.method === "none"
      ? "not estimated yet"
      : `${pe.method} on ${plural(pe.observations, "transition")}`;
  if (f.moves.length === 0) {
    const clear = Object.values(pe.parameters).filter((p) => p.direction !== "UNCLEAR").length;
    return clear === 0
      ? `parameter effects (${method}): no parameter has a clear effect yet`
      : `parameter effects (${method}): ${plural(clear, "parameter")} with a clear effect, not moved on balance`;
  }
  const words = f.moves.map(
    (m) => `${m.name} ${m.net > 0 ? "up" : "down"} ${m.helped ? "helped" : "hurt"}`,
  );
  return `parameter effects (${method}): ${words.join(", ")}`;
}

function effectText(f: Facts, p: ParameterImpact): string {
  const se = p.stderr === null ? "" : ` (±${num(p.stderr)})`;
  const imp = p.importance === null ? "" : `, importance ${num(p.importance)}`;
  const changes = `, ${plural(p.changes, "change")}`;
  if (p.kind === "categorical") {
    return `${signed(p.impact)} ${f.label} from switching "${p.current}" to "${p.best}"${se}${imp}${changes}`;
  }
  return `${signed(p.impact)} ${f.label} per unit${se}${imp}${changes}`;
}

/** One line per parameter: INCREASE / DECREASE / CHANGE (categorical) / KEEP, with the evidence. */
export function parameterRecommendations(f: Facts): Record<string, string> {
  const pe = f.analysis.parameter_effects;
  const out = nameMap<string>();
  for (const [name, p] of Object.entries(pe.parameters)) {
    if (p.impact === null) {
      out[name] = `KEEP - no estimate yet (${plural(p.changes, "change")})`;
    } else if (p.direction === "UNCLEAR") {
      out[name] = `KEEP - no clear effect (${effectText(f, p)}; the 95% interval includes 0)`;
    } else if (p.kind === "categorical") {
      out[name] = `CHANGE - ${effectText(f, p)}`;
    } else {
      out[name] = `${p.impact > 0 ? "INCREASE" : "DECREASE"} - ${effectText(f, p)}`;
    }
  }
  for (const [name, reason] of Object.entries(pe.skipped)) {
    if (!Object.hasOwn(out, name)) out[name] = `KEEP - not estimated: ${reason}`;
  }
  return out;
}

/** "Increase position_size from 0.2 to ~0.25 (...)", from the parameter's typical step. */
function parameterStep(f: Facts, name: string, p: ParameterImpact): string | null {
  if (p.kind === "categorical") {
    return p.best !== undefined && p.current !== undefined && p.best !== p.current
      ? `Switch ${name} from "${p.current}" to "${p.best}" (estimated ${signed(p.impact)} ${f.label})`
      : null;
  }
  const impact = p.impact as number;
  const values = parameterValues(f.records, name);
  const last = [...f.records].reverse().find((r) => Object.hasOwn(r.parameters, name));
  const current = last ? numericValue(ownValue(last.parameters, name)) : null;
  if (current === null) return null;
  const steps = values
    .slice(1)
    .map((v, i) => Math.abs(v - (values[i] as number)))
    .filter((d) => d > 0);
  const integer = values.every(Number.isInteger);
  let step = steps.length ? median(steps) : Math.abs(current) * 0.1 || 1;
  if (integer) step = Math.max(1, Math.round(step));
  const proposed = current + Math.sign(impact) * step;
  const verb = impact > 0 ? "Increase" : "Decrease";
  return `${verb} ${name} from ${plain(current)} to ~${plain(proposed)} (its estimated effect is ${signed(impact)} ${f.label} per unit)`;
}

function levelSince(f: Facts): { level: number; swing: number } {
  const since = f.points.filter((p) => p.index >= (f.improvedAt ?? 0));
  const values = (since.length ? since : f.points).map((p) => p.value);
  const steps = values.slice(1).map((v, i) => Math.abs(v - (values[i] as number)));
  return { level: median(values), swing: steps.length ? median(steps) : 0 };
}

function actionLine(f: Facts, rule: Rule): string {
  const a = f.analysis;
  const best = f.best as ScorePoint | null;
  const bestText = best
    ? `iteration ${best.iteration} (${f.label} ${num(best.value)})`
    : "the best iteration";
  const t = a.score_trend;
  const eta = a.iterations_to_success;
  switch (rule.id) {
    case "R0":
      return `Run at least ${plural(Math.max(1, 3 - f.n), "more scored iteration")} before judging the trend (3 is the minimum)`;
    case "R1":
      return `Keep the strategy of iteration ${f.records.at(-1)?.iteration ?? "?"}: it passes the gate`;
    case "R2":
      return `Stop: the budget of ${f.settings.maxIterations} iterations is spent; keep ${bestText} as the result`;
    case "R3": {
      const when =
        eta.estimate === null || eta.low === null || eta.high === null
          ? ""
          : `; if it passes, most likely in ${eta.low === eta.high ? eta.low : `${eta.low}–${eta.high}`} iteration${eta.high === 1 ? "" : "s"}`;
      return t.status === "CONVERGING"
        ? `Keep going in the current direction: ${signed(t.slope)} ${f.label} per iteration${when}`
        : `Keep trying: no trend yet, but the gate is still within reach (${chanceText(f)})${when}`;
    }
    case "R4":
      return `Stop: the gate is out of reach (${chanceText(f)}) and the best Sharpe is likely an artefact of ${plural(a.overfitting?.trials ?? 0, "trial")} (DSR ${num(a.overfitting?.dsr)})`;
    case "R5":
      return t.status === "DIVERGING"
        ? `Stop this line of work: the ${f.label} falls by ${num(Math.abs(t.slope ?? 0))} per iteration and the gate is out of reach (${chanceText(f)}); keep ${bestText}`
        : `Stop this line of work: no improvement for ${plural(f.stall ?? 0, "iteration")} and the gate is out of reach (${chanceText(f)}); keep ${bestText}`;
    case "R6": {
      const { level } = levelSince(f);
      const course =
        t.status === "CONVERGING"
          ? `the ${f.label} still rises by ${signed(t.slope)} per iteration, too slowly`
          : `the ${f.label} has stayed around ~${num(level)}`;
      return `Revert to ${bestText} and change approach: ${course}; ${chanceText(f)}`;
    }
    case "R7": {
      const { level, swing } = levelSince(f);
      return f.status === "OSCILLATING"
        ? `Change approach: the ${f.label} has swung around ~${num(level)} (steps of ~${num(swing)}) without a trend for ${plural(f.stall ?? 0, "iteration")}`
        : `Change approach: the ${f.label} has been flat at ~${num(level)} for ${plural(f.stall ?? 0, "iteration")}`;
    }
    default:
      return t.status === "CONVERGING"
        ? `Keep going in the current direction: ${signed(t.slope)} ${f.label} per iteration`
        : `Give it up to ${plural(Math.max(1, f.settings.patience - (f.stall ?? 0)), "more iteration")}: no trend yet, but the best improved ${plural(f.stall ?? 0, "iteration")} ago`;
  }
}

/** Actionable next steps: the rule's own step, parameter moves, the furthest criterion, validation. */
export function specificRecommendations(f: Facts, rule: Rule): string[] {
  const out = [actionLine(f, rule)];
  if (rule.action !== "ABANDON" && !f.passing) {
    const clear = Object.entries(f.analysis.parameter_effects.parameters)
      .filter(([, p]) => p.direction !== "UNCLEAR" && p.impact !== null)
      .sort((x, y) => (y[1].importance ?? 0) - (x[1].importance ?? 0))
      .slice(0, 5);
    for (const [name, p] of clear) {
      const line = parameterStep(f, name, p);
      if (line) out.push(line);
    }
    const [furthest] = failingCriteria(f);
    if (furthest) {
      out.push(
        `Focus on ${furthest[0]}: the criterion furthest from passing (normalised distance ${num(furthest[1])})`,
      );
    }
  }
  const o = f.analysis.overfitting;
  if (o !== null && rule.id !== "R4" && (o.risk === "HIGH" || o.risk === "MEDIUM")) {
    out.push(
      `Validate iteration ${o.best_iteration} out of sample: its ${o.metric} has a Deflated Sharpe Ratio of ${num(o.dsr)} after ${plural(o.trials, "trial")} (risk ${o.risk})`,
    );
  }
  return out;
}
