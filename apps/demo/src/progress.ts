import type { ExperimentRecord, ExperimentSummary } from "@converge/core";

/** A metric or parameter value in a progress line. */
function num(value: unknown): string {
  if (typeof value !== "number") return JSON.stringify(value);
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toFixed(4)));
}

/** "position_size 0.1→0.095, stop_loss 0.15→0.146" from a record's `parameter_changes`. */
export function describeChanges(changes: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(changes).map(([name, change]) => {
    const c = change as { from?: unknown; to?: unknown } | null;
    if (c && typeof c === "object" && ("from" in c || "to" in c)) {
      return `${name} ${"from" in c ? num(c.from) : "(new)"}→${"to" in c ? num(c.to) : "(removed)"}`;
    }
    return `${name}→${num(change)}`;
  });
  return parts.join(", ");
}

/** One line per logged iteration: gate score, verdict, metrics, failed criteria, changes. */
export function formatIteration(record: ExperimentRecord, maxIterations: number): string {
  const metrics = Object.entries(record.metrics)
    .map(([name, value]) => `${name} ${num(value)}`)
    .join("  ");
  const verdict = record.gate_passed ? "PASS" : "fail";
  const failed = record.failed_criteria.map((c) => String(c.metric)).join(", ");
  const changes = describeChanges(record.parameter_changes);
  const head = `[${record.iteration}/${maxIterations}] gate ${record.gate_score?.toFixed(3) ?? "-"} ${verdict}  ${metrics}`;
  const tail = [
    ...(failed ? [`failed: ${failed}`] : []),
    changes ? `changed: ${changes}` : "changed: (first iteration)",
  ];
  return `${head}\n      ${tail.join("  |  ")}`;
}

/** The closing lines: status, best iteration, totals, where the log is and how to look at it. */
export function formatSummary(
  summary: ExperimentSummary,
  info: { file: string; dir: string; experimentId: string; maxIterations: number },
): string[] {
  const best =
    summary.best_iteration === null
      ? "-"
      : `${summary.best_iteration} (gate score ${summary.best_gate_score?.toFixed(3) ?? "-"})`;
  const bestMetrics = Object.entries(summary.best_metrics)
    .map(([name, value]) => `${name} ${num(value)}`)
    .join(", ");
  return [
    "",
    "Summary",
    `  status           ${summary.status}`,
    `  best iteration   ${best}`,
    `  best metrics     ${bestMetrics || "-"}`,
    `  iterations       ${summary.total_iterations} of at most ${info.maxIterations}`,
    `  compute time     ${summary.total_compute_time.toFixed(4)} s`,
    `  cost             $${summary.total_cost.toFixed(2)}`,
    "",
    `Log written to ${info.file}`,
    "Look at it with:",
    `  pnpm -s converge show ${info.experimentId} --store jsonl:${info.dir}`,
  ];
}
