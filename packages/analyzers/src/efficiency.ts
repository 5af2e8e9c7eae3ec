import type { ExperimentRecord } from "@converge/core";
import { TRAJECTORY_THEIL_SEN } from "./classify.js";
import { pettitt, theilSen } from "./stats/index.js";
import type { ChangePoint, Efficiency } from "./types.js";

/** Change points are searched in segments at least this long, to this depth (at most 2^depth − 1 points). */
const MIN_SEGMENT = 6;
const MAX_DEPTH = 3;

/** Pettitt's test, applied again to each side of a significant split (binary segmentation). */
function changePoints(scores: readonly number[], iterations: readonly number[]): ChangePoint[] {
  const out: ChangePoint[] = [];
  const mean = (from: number, to: number) => {
    let s = 0;
    let k = 0;
    for (let i = from; i < to; i++) {
      const v = scores[i] as number;
      if (Number.isFinite(v)) {
        s += v;
        k++;
      }
    }
    return k ? s / k : Number.NaN;
  };
  const visit = (from: number, to: number, depth: number) => {
    if (to - from < MIN_SEGMENT || depth > MAX_DEPTH) return;
    const segment = scores.slice(from, to);
    const r = pettitt(segment);
    if (r.index === null || r.p === null || r.p >= 0.05) return;
    // Pettitt's index counts finite values; map it back to a position in the segment.
    let seen = -1;
    let split = from;
    for (let i = from; i < to; i++) {
      if (Number.isFinite(scores[i] as number)) seen++;
      if (seen === r.index) {
        split = i + 1;
        break;
      }
    }
    if (split <= from || split >= to) return;
    visit(from, split, depth + 1);
    out.push({
      after_iteration: iterations[split - 1] as number,
      mean_before: mean(from, split),
      mean_after: mean(split, to),
      p: r.p,
    });
    visit(split, to, depth + 1);
  };
  visit(0, scores.length, 1);
  return out;
}

/**
 * Is each iteration worth it: the score's robust slope, gain per dollar,
 * best-so-far series, the stall since the best, and the change points where
 * a pivot changed the course. `scores` are goal-signed (higher is better).
 */
export function computeEfficiency(
  records: readonly ExperimentRecord[],
  scores: readonly number[],
  slope: number | null = theilSen(scores, undefined, TRAJECTORY_THEIL_SEN).slope,
): Efficiency {
  const bestSoFar: number[] = [];
  let best = Number.NaN;
  let bestIndex = -1;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (Number.isFinite(s) && (Number.isNaN(best) || s > best)) {
      best = s;
      bestIndex = i;
    }
    bestSoFar.push(best);
  }
  const first = scores.find((s) => Number.isFinite(s));
  const totalCost = records.reduce((sum, r) => sum + r.cost, 0);
  const iterations = records.map((r) => r.iteration);
  return {
    improvement_per_iteration: slope,
    improvement_per_cost:
      totalCost > 0 && first !== undefined && bestIndex >= 0 ? (best - first) / totalCost : null,
    best_so_far: bestSoFar,
    best_iteration: bestIndex >= 0 ? (iterations[bestIndex] as number) : null,
    iterations_since_best: bestIndex >= 0 ? scores.length - 1 - bestIndex : null,
    total_cost: totalCost,
    change_points: changePoints(scores, iterations),
  };
}
