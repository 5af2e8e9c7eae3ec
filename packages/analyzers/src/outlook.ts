import type { IterationsEstimate } from "./eta.js";
import type { SuccessProbability } from "./success-probability.js";

/** A probability for text: two decimals, "< 0.01" / "> 0.99" rather than a rounded 0 or 1. */
export function probabilityText(p: number | null): string {
  if (p === null) return "n/a";
  if (p > 0 && p < 0.005) return "< 0.01";
  if (p < 1 && p > 0.995) return "> 0.99";
  return p.toFixed(2);
}

/** "within the 6 iterations left" / "within the next 20 iterations (no budget known)". */
export function horizonText(s: SuccessProbability): string {
  const its = (n: number) => `${n} iteration${n === 1 ? "" : "s"}`;
  return s.horizon_source === "budget"
    ? `within the ${its(s.horizon)} left`
    : `within the next ${its(s.horizon)} (no budget known)`;
}

/** "80% range 2–5 iterations (median 3)", or why there is none. */
export function etaText(eta: IterationsEstimate): string {
  if (eta.estimate === 0) return "passing now";
  if (eta.estimate === null || eta.low === null || eta.high === null) {
    return `no ETA: ${eta.reason}`;
  }
  const level = `${Math.round(eta.level * 100)}%`;
  const range = eta.low === eta.high ? `${eta.low}` : `${eta.low}–${eta.high}`;
  return `${level} range ${range} iteration${eta.high === 1 ? "" : "s"} (median ${eta.estimate})`;
}

/**
 * The outlook in one line, as the rule advisor, the CLI and the prompt show it:
 * "P(pass within the 6 iterations left) 0.72 · 80% range 2–5 iterations (median 3)".
 */
export function outlookText(success: SuccessProbability, eta: IterationsEstimate): string {
  const p = `P(pass ${horizonText(success)}) ${probabilityText(success.probability)}`;
  if (success.probability === 1 && eta.estimate === 0) return `${p} · passing now`;
  return `${p} · ${etaText(eta)}`;
}
