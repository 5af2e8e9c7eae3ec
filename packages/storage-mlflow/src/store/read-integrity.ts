/**
 * The integrity rules of a read, the same as the JSONL store's: one record per
 * iteration, returned in iteration order, and nothing passed over silently.
 * MLflow lets anyone delete a child run (one iteration) or add one (another
 * writer, a script), so what the server holds can contradict itself; each
 * contradiction becomes a notice that names the experiment and the runs.
 */
import { type ExperimentRecord, type StoreNotice, terminalSafe } from "@converge/core";

/** A record read from an iteration's child run, with what identifies the run. */
export interface ChildRecord {
  record: ExperimentRecord;
  runId: string;
  /** The run's `start_time` in ms; undefined when the server did not say. */
  startTime: number | undefined;
}

export interface IntegrityInput {
  /** The Converge experiment asked for. */
  experimentId: string;
  /** Where the runs live, for messages, e.g. `the MLflow experiment "converge" at http://…`. */
  source: string;
  /** Records of the FINISHED child runs, in any order. */
  children: readonly ChildRecord[];
  /** Records waiting in the local spool, in append order (their iterations follow the server's). */
  spooled: readonly ExperimentRecord[];
}

export interface IntegrityResult {
  /** One record per iteration, sorted by iteration. */
  records: ExperimentRecord[];
  /** Kinds "foreign-record", "duplicate-iteration", "missing-iteration". */
  notices: StoreNotice[];
}

/** Ranges of missing iterations named in one notice; the rest are counted. */
const MAX_RANGES = 20;

const quoteId = (id: string) => `"${terminalSafe(id)}"`;

/**
 * Creation order as MLflow keeps it: the run's start time (for runs this
 * store made, the record's timestamp, else the time of upload), then the
 * run id so the order is the same on every read.
 */
function byIterationThenCreation(a: ChildRecord, b: ChildRecord): number {
  return (
    a.record.iteration - b.record.iteration ||
    (a.startTime ?? Number.POSITIVE_INFINITY) - (b.startTime ?? Number.POSITIVE_INFINITY) ||
    (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0)
  );
}

/**
 * `[3, 5, 6, 7, 10]` as "3, 5-7, 10": runs of consecutive numbers as
 * `first-last`, at most 20 ranges, then "and N more ranges".
 */
export function iterationRanges(ranges: ReadonlyArray<readonly [number, number]>): string {
  const shown = ranges
    .slice(0, MAX_RANGES)
    .map(([from, to]) => (from === to ? String(from) : `${from}-${to}`));
  const more = ranges.length - shown.length;
  return more > 0
    ? `${shown.join(", ")} and ${more} more range${more === 1 ? "" : "s"}`
    : shown.join(", ");
}

/** The gaps in sorted, distinct iteration numbers, as inclusive ranges (never enumerated: a gap may be huge). */
export function missingRanges(sorted: readonly number[]): Array<[number, number]> {
  const gaps: Array<[number, number]> = [];
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1] as number;
    const after = sorted[i] as number;
    if (after > before + 1) gaps.push([before + 1, after - 1]);
  }
  return gaps;
}

/**
 * Applies the read rules to what the server and the spool hold:
 * - a child run whose record belongs to another experiment is skipped ("foreign-record");
 * - of several child runs with the same iteration the first by creation
 *   order (see `byIterationThenCreation`) is kept and the others are dropped
 *   ("duplicate-iteration", naming the kept and the dropped run);
 * - spooled records fill in iterations the server lacks (a spooled copy of an
 *   iteration the server holds is an interrupted sync, not a contradiction);
 * - iterations absent between the first and the last one read are reported
 *   as compressed ranges ("missing-iteration"): a child run deleted in MLflow,
 *   or one that never finished.
 */
export function checkIntegrity(input: IntegrityInput): IntegrityResult {
  const { experimentId, source } = input;
  const notices: StoreNotice[] = [];
  const byIteration = new Map<number, ExperimentRecord>();
  const keptRun = new Map<number, string>();
  const children = input.children.slice().sort(byIterationThenCreation);
  for (const child of children) {
    const { record, runId } = child;
    if (record.experiment_id !== experimentId) {
      notices.push({
        kind: "foreign-record",
        experimentId,
        message: `skipped the child run ${runId} in ${source}: it is tagged as iteration ${record.iteration} of ${quoteId(experimentId)} but its record belongs to ${quoteId(record.experiment_id)}. Delete the run in MLflow or fix its converge.experiment_id tag.`,
      });
      continue;
    }
    const kept = keptRun.get(record.iteration);
    if (kept !== undefined) {
      notices.push({
        kind: "duplicate-iteration",
        experimentId,
        message: `${quoteId(experimentId)} has more than one child run for iteration ${record.iteration} in ${source}: kept run ${kept} (created first) and dropped run ${runId}. Delete the run that is wrong in MLflow.`,
      });
      continue;
    }
    keptRun.set(record.iteration, runId);
    byIteration.set(record.iteration, record);
  }
  for (const record of input.spooled) {
    if (!byIteration.has(record.iteration)) byIteration.set(record.iteration, record);
  }
  const iterations = Array.from(byIteration.keys()).sort((a, b) => a - b);
  const gaps = missingRanges(iterations);
  if (gaps.length > 0) {
    const count = gaps.reduce((n, [from, to]) => n + (to - from + 1), 0);
    const first = iterations[0] as number;
    const last = iterations.at(-1) as number;
    notices.push({
      kind: "missing-iteration",
      experimentId,
      message: `${quoteId(experimentId)} in ${source} is missing ${count === 1 ? "iteration" : `${count} iterations:`} ${iterationRanges(gaps)} (between ${first} and ${last}); their child runs were deleted in MLflow or never finished. The records read skip them: restore deleted runs in the MLflow UI or with the REST API's runs/restore (until \`mlflow gc\` purges them).`,
    });
  }
  return { records: iterations.map((i) => byIteration.get(i) as ExperimentRecord), notices };
}
