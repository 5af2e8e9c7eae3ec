/**
 * The outlook in words, shared by the HTML and Markdown reports: the success
 * probability with its horizon, and the ETA with its level. Worded as
 * `@converge/analyzers`' `outlookText` words it, so the report, the CLI and the
 * rule advisor's reasoning read alike ("P(pass within the 6 iterations left)
 * 0.72 · 80% range 2–5 iterations (median 3)"); written here because a
 * reporter never imports the analyzers. Analyses written before the success
 * probability, or before the ETA stated its level, get what they carry and no
 * made-up level. Plain text: the callers escape it.
 */
import type { ReportIterationsEstimate, ReportSuccessProbability } from "../report-data.js";
import { formatNumber } from "./format.js";

const its = (n: number) => `${formatNumber(n)} iteration${n === 1 ? "" : "s"}`;

/** A probability: two decimals, "< 0.01" / "> 0.99" rather than a rounded 0 or 1. */
export function probabilityText(p: number | null): string {
  if (p === null) return "n/a";
  if (p > 0 && p < 0.005) return "< 0.01";
  if (p < 1 && p > 0.995) return "> 0.99";
  return p.toFixed(2);
}

/** "within the 6 iterations left" / "within the next 20 iterations (no budget known)". */
export function horizonText(s: ReportSuccessProbability): string {
  if (s.horizon_source === "budget") return `within the ${its(s.horizon)} left`;
  if (s.horizon_source === "default") return `within the next ${its(s.horizon)} (no budget known)`;
  return `within the next ${its(s.horizon)}`;
}

/** "P(pass within the 6 iterations left) 0.72". */
export function successText(s: ReportSuccessProbability): string {
  return `P(pass ${horizonText(s)}) ${probabilityText(s.probability)}`;
}

/** "80%", or null when the estimate states no level (an older analysis). */
export function levelText(eta: ReportIterationsEstimate): string | null {
  return eta.level === undefined ? null : `${formatNumber(Math.round(eta.level * 100))}%`;
}

/** "2–5", "3" when both ends agree, "2–∞" when the upper end is open; null without a range. */
export function rangeText(eta: ReportIterationsEstimate): string | null {
  if (eta.low === null && eta.high === null) return null;
  const low = formatNumber(eta.low ?? eta.estimate);
  const high = eta.high === null ? "∞" : formatNumber(eta.high);
  return low === high ? low : `${low}–${high}`;
}

/**
 * "80% range 2–5 iterations (median 3)", "passing now", or "no ETA: why";
 * an older estimate without a level: "range 2–12 iterations (estimate 4)".
 */
export function etaText(eta: ReportIterationsEstimate): string {
  const estimate = eta.estimate;
  if (estimate === 0) return "passing now";
  if (estimate === null) return eta.reason ? `no ETA: ${eta.reason}` : "no ETA";
  const range = rangeText(eta);
  const level = levelText(eta);
  if (range === null) return `about ${its(estimate)}`;
  const unit = eta.high === 1 ? "iteration" : "iterations";
  return level === null
    ? `range ${range} ${unit} (estimate ${formatNumber(estimate)})`
    : `${level} range ${range} ${unit} (median ${formatNumber(estimate)})`;
}

/**
 * The outlook in one line: "P(pass within the 6 iterations left) 0.72 · 80%
 * range 2–5 iterations (median 3)"; the probability alone without an ETA;
 * null without a success probability (older analyses: show the ETA instead).
 */
export function outlookText(
  success: ReportSuccessProbability | undefined,
  eta: ReportIterationsEstimate | undefined,
): string | null {
  if (!success) return null;
  const p = successText(success);
  if (!eta) return p;
  if (success.probability === 1 && eta.estimate === 0) return `${p} · passing now`;
  return `${p} · ${etaText(eta)}`;
}
