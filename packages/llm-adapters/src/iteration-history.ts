/**
 * Iterations as prompt lines: gate score, action, parameter changes as
 * `name: from → to`, failed criteria, failure classification and root cause.
 * Shared by the trajectory and failure prompts.
 */
import type { ExperimentRecord } from "@converge/core";
import { formatValue, num, oneLine, type PromptSection, quoted } from "./prompt-format.js";

/** Parameter changes shown per iteration. */
const MAX_CHANGES = 10;

function isFromTo(v: unknown): v is { from?: unknown; to?: unknown } {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k === "from" || k === "to");
}

/** `name: from → to` for each change (Converge's `{from, to}` or the Python logger's bare new value). */
export function changeLines(changes: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(changes).map(([name, change]) => {
    if (!isFromTo(change)) return `${oneLine(name)}: ? → ${formatValue(change)}`;
    const from = Object.hasOwn(change, "from") ? formatValue(change.from) : "(absent)";
    const to = Object.hasOwn(change, "to") ? formatValue(change.to) : "(removed)";
    return `${oneLine(name)}: ${from} → ${to}`;
  });
}

function rootCause(r: ExperimentRecord): string | undefined {
  const cause = r.failure_analysis?.root_cause;
  return typeof cause === "string" && cause.trim() ? cause : undefined;
}

/** One iteration as a list entry of a few lines. */
export function iterationEntry(r: ExperimentRecord): string {
  const score = r.gate_score === null ? "no gate score" : `gate score ${num(r.gate_score)}`;
  const action = r.action_taken ? `, action ${quoted(r.action_taken, 60)}` : "";
  const lines = [
    `- iteration ${r.iteration}: ${score} (${r.gate_passed ? "passed" : "failed"})${action}`,
  ];
  const changes = changeLines(r.parameter_changes);
  if (changes.length) {
    const shown = changes.slice(0, MAX_CHANGES);
    const more = changes.length > shown.length ? `; … ${changes.length - shown.length} more` : "";
    lines.push(`  changes: ${shown.join("; ")}${more}`);
  }
  const failed = r.failed_criteria
    .map((c) => (typeof c.metric === "string" ? oneLine(c.metric, 60) : null))
    .filter((m): m is string => m !== null);
  if (failed.length) {
    lines.push(
      `  failed criteria: ${failed.slice(0, 10).join(", ")}${failed.length > 10 ? ", …" : ""}`,
    );
  }
  const cause = rootCause(r);
  if (r.failure_classification || cause) {
    const cls = r.failure_classification ? oneLine(r.failure_classification, 60) : "unclassified";
    lines.push(`  failure: ${cls}${cause ? `; root cause: ${quoted(cause)}` : ""}`);
  }
  if (r.advice) {
    lines.push(
      `  advice acted on: ${r.advice.assessment.next_action} from ${quoted(r.advice.source, 60)} (after iteration ${r.advice.after_iteration})`,
    );
  }
  return lines.join("\n");
}

/**
 * The last `count` records, oldest first; over budget, the oldest are cut
 * first.
 */
export function historySection(
  records: readonly ExperimentRecord[],
  count: number,
  title = "Recent iterations",
): PromptSection | null {
  if (records.length === 0) return null;
  const recent = records.slice(-count);
  return {
    title: `${title} (last ${recent.length} of ${records.length}, oldest first)`,
    entries: recent.map(iterationEntry),
    priority: 30,
    minEntries: 2,
    cutFrom: "start",
  };
}
