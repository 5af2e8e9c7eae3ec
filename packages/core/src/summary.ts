import { z } from "zod";
import { inIterationOrder } from "./iteration-order.js";
import {
  type ExperimentRecord,
  LlmUsageSchema,
  MetricsSchema,
  RecordedAdviceSchema,
} from "./record.js";

/**
 * How an experiment ended. The Python logger's words, plus BUDGET_EXHAUSTED for a loop
 * stopped by its cost or time budget.
 */
export const ExperimentStatusSchema = z.enum([
  "SUCCESS",
  "FAILED",
  "IN_PROGRESS",
  "ABANDONED",
  "PIVOT_TO_RESEARCH",
  "MAX_ITERATIONS",
  "BUDGET_EXHAUSTED",
]);
export type ExperimentStatus = z.infer<typeof ExperimentStatusSchema>;

/** High-level summary of an experiment (the `ExperimentSummary` of docs/record-format.md). */
export const ExperimentSummarySchema = z.looseObject({
  experiment_id: z.string(),
  status: ExperimentStatusSchema,
  total_iterations: z.number().int().nonnegative(),
  /** The iteration with the highest gate score (the first of equals); null when there is none. */
  best_iteration: z.number().int().nullable(),
  best_gate_score: z.number().nullable().default(null),
  best_metrics: MetricsSchema,
  final_recommendation: z.string(),
  lessons_learned: z.array(z.string()),
  total_compute_time: z.number(),
  total_cost: z.number(),
  /** The loop's last advice, the one that ended it on PIVOT or ABANDON. */
  advice: RecordedAdviceSchema.optional(),
  /**
   * LLM calls paid after the last record was written (the advice that ended
   * the loop, or a record that could not be stored): `total_cost` counts
   * them, and no record holds them.
   */
  trailing_llm_usage: z.array(LlmUsageSchema).optional(),
});
export type ExperimentSummary = z.output<typeof ExperimentSummarySchema>;

/**
 * Whether `record` beats `best` by gate score, the rule `summarize` picks the
 * best iteration by: a higher score wins, a tie keeps the earlier one, and a
 * missing or NaN score never wins. Taken in iteration order.
 */
export function isBetterRecord(
  record: ExperimentRecord,
  best: ExperimentRecord | undefined,
): boolean {
  const s = record.gate_score;
  if (s === null || Number.isNaN(s)) return false;
  return best === undefined || s > (best.gate_score as number);
}

/**
 * Summarises records: the best iteration is the highest gate score, NaN and
 * missing scores never win (with no score at all, the last passing iteration,
 * else the last one); lessons are
 * the non-empty, distinct `failure_analysis.root_cause` texts in order. The
 * status, when not given, is SUCCESS if any iteration passed the gate, else
 * IN_PROGRESS.
 *
 * Records are taken in iteration order whatever order they come in, one per
 * iteration: of duplicates the first given counts (see `inIterationOrder`),
 * so a duplicated iteration changes neither the count nor the status.
 */
export function summarize(
  given: readonly ExperimentRecord[],
  status?: ExperimentStatus,
  experimentId?: string,
): ExperimentSummary {
  const records = inIterationOrder(given);
  let best: ExperimentRecord | undefined;
  for (const r of records) if (isBetterRecord(r, best)) best = r;
  best ??= records.findLast((r) => r.gate_passed) ?? records.at(-1);

  // A Set: an experiment of 200,000 iterations may have as many distinct causes.
  const lessons = new Set<string>();
  for (const r of records) {
    const fa = r.failure_analysis;
    const cause = fa && Object.hasOwn(fa, "root_cause") ? fa.root_cause : undefined;
    if (typeof cause === "string" && cause.trim() !== "") lessons.add(cause.trim());
  }
  const last = records.at(-1);
  return {
    experiment_id: experimentId ?? records[0]?.experiment_id ?? "",
    status: status ?? (records.some((r) => r.gate_passed) ? "SUCCESS" : "IN_PROGRESS"),
    total_iterations: records.length,
    best_iteration: best?.iteration ?? null,
    best_gate_score: best?.gate_score ?? null,
    best_metrics: best ? { ...best.metrics } : {},
    final_recommendation: last?.action_taken ?? "",
    lessons_learned: [...lessons],
    total_compute_time: records.reduce((sum, r) => sum + r.compute_time, 0),
    total_cost: records.reduce((sum, r) => sum + r.cost, 0),
  };
}
