import type { ExperimentRecord } from "./record.js";

/**
 * An experiment's records as analysis needs them: sorted by iteration, one
 * record per iteration. A store that returns records out of order (or a
 * caller that gathered them so) thus cannot change a verdict.
 *
 * Duplicates: of several records with the same iteration the first one given
 * counts and the later ones are left out, as the stores do when they read
 * (they also report them as "duplicate-iteration" notices). The sort is
 * stable and the caller's array is never changed; an array already in order
 * without duplicates is returned as it is, without a copy.
 */
export function inIterationOrder<R extends Pick<ExperimentRecord, "iteration">>(
  records: readonly R[],
): readonly R[] {
  let ordered = true;
  for (let i = 1; i < records.length; i++) {
    if ((records[i] as R).iteration <= (records[i - 1] as R).iteration) {
      ordered = false;
      break;
    }
  }
  if (ordered) return records;
  // Array.prototype.sort is stable, so equal iterations keep the order given.
  const sorted = records.slice().sort((a, b) => a.iteration - b.iteration);
  const out: R[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last === undefined || r.iteration !== last.iteration) out.push(r);
  }
  return out;
}
