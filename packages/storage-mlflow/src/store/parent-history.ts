/**
 * The parent run's trajectory rebuilt from the records: every metric's
 * history on the parent made equal, step for step, to what the child runs
 * hold, after an outage or a process that ended before sending its points.
 * MLflow cannot delete a logged point, so only missing points are sent (a
 * point sent twice is stored once); points no record explains are reported.
 */
import { type ExperimentRecord, inIterationOrder, isBetterRecord } from "@converge/core";
import type { MlflowKeyValue, MlflowMetric } from "../client/types.js";
import type { StoreContext } from "./context.js";
import { bestMetrics, iterationMetrics, recordParams, TAG } from "./mapping.js";
import { fetchChildren, mapLimit } from "./read.js";
import { checkIntegrity } from "./read-integrity.js";
import { ensureParent } from "./upload.js";

const HISTORY_CONCURRENCY = 4;

const pointId = (m: MlflowMetric) => `${m.step}|${m.timestamp}|${String(m.value)}`;

/** What the parent's metric histories should hold for these records (in iteration order). */
export function expectedParentPoints(records: readonly ExperimentRecord[]): {
  points: Map<string, MlflowMetric[]>;
  best: ExperimentRecord | undefined;
} {
  const points = new Map<string, MlflowMetric[]>();
  const add = (m: MlflowMetric) => {
    const list = points.get(m.key);
    if (list) list.push(m);
    else points.set(m.key, [m]);
  };
  let best: ExperimentRecord | undefined;
  for (const record of records) {
    for (const m of iterationMetrics(record)) add(m);
    if (isBetterRecord(record, best)) {
      best = record;
      for (const m of bestMetrics(record)) add(m);
    }
  }
  return { points, best };
}

/**
 * Makes the parent run's metric histories hold exactly the records' points:
 * reads the child runs' records and each metric's history on the parent, and
 * sends what is missing (with the starting parameters when the parent has
 * none, and the last- and best-iteration tags).
 */
export async function rebuildParentHistory(
  ctx: StoreContext,
  id: string,
): Promise<{ sent: number; extra: number }> {
  const { client } = ctx;
  const exp = await ctx.findExperiment();
  if (!exp) return { sent: 0, extra: 0 };
  const parent = await ensureParent(ctx, id);
  const children = await fetchChildren(ctx, exp, id);
  const { records } = checkIntegrity({ experimentId: id, source: "", children, spooled: [] });
  const ordered = inIterationOrder(records);
  const { points, best } = expectedParentPoints(ordered);
  const keys = [...points.keys()];
  const histories = await mapLimit(keys, HISTORY_CONCURRENCY, (key) =>
    client.getMetricHistory(parent.info.run_id, key),
  );
  const missing: MlflowMetric[] = [];
  let extra = 0;
  keys.forEach((key, i) => {
    const have = new Set((histories[i] ?? []).map(pointId));
    const want = points.get(key) ?? [];
    const wanted = new Set(want.map(pointId));
    for (const m of want) if (!have.has(pointId(m))) missing.push(m);
    for (const h of have) if (!wanted.has(h)) extra++;
  });
  const s = ctx.stateOf(id);
  const last = ordered.at(-1)?.iteration;
  if (last !== undefined) s.last = Math.max(s.last ?? last, last);
  if (best) s.best = best;
  const first = ordered[0];
  const params = parent.data.params.length === 0 && first ? recordParams(first, []) : [];
  const tags: MlflowKeyValue[] =
    last === undefined ? [] : [{ key: TAG.lastIteration, value: String(last) }];
  if (best) tags.push({ key: TAG.bestIteration, value: String(best.iteration) });
  if (missing.length > 0 || params.length > 0 || tags.length > 0) {
    await client.logBatch(parent.info.run_id, { metrics: missing, params, tags });
  }
  if (missing.length > 0 || extra > 0) {
    ctx.notify({
      kind: "parent-rebuilt",
      experimentId: id,
      message: `rebuilt the trajectory of "${id}" on its parent run ${parent.info.run_id} from ${ordered.length} records: ${missing.length} missing point(s) sent${extra > 0 ? `; ${extra} point(s) there match no record (a deleted child run?) and stay, as MLflow cannot delete them` : ""}`,
    });
  }
  return { sent: missing.length, extra };
}
