/**
 * Helpers for reading rendered prompts in tests, and hand-built advisor
 * inputs (records and meta with core's base trajectory, no analyzers).
 */
import {
  type AdvisorInput,
  baseTrajectory,
  deriveParameterChanges,
  type ExperimentMeta,
  ExperimentMetaSchema,
  type ExperimentRecord,
  type ExperimentRecordInput,
  type GateSpecInput,
  type JsonValue,
  parseRecord,
} from "@converge/core";

/** Headings of the prompt, outside fenced blocks. */
export function headings(text: string): string[] {
  const found: string[] = [];
  let fence: string | null = null;
  for (const line of text.split("\n")) {
    if (fence === null) {
      const open = /^(`{3,})[\w-]*$/.exec(line);
      if (open) fence = open[1] as string;
      else if (line.startsWith("## ")) found.push(line.slice(3));
    } else if (line === fence) fence = null;
  }
  return found;
}

/** The body of the section whose heading starts with `title`. */
export function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}`);
  const from = start === -1 ? (text.startsWith(`## ${title}`) ? 0 : -1) : start + 1;
  if (from === -1) throw new Error(`no section "${title}"`);
  const end = text.indexOf("\n## ", from + 3);
  return text.slice(from, end === -1 ? undefined : end);
}

/** The line of `text` that starts with `prefix`. */
export function line(text: string, prefix: string): string {
  const found = text.split("\n").find((l) => l.startsWith(prefix));
  if (found === undefined) throw new Error(`no line starting with "${prefix}"`);
  return found;
}

export const handGate: GateSpecInput = {
  criteria: [
    { metric: "sharpe_ratio", op: ">=", threshold: 1 },
    { metric: "max_drawdown", op: "<=", threshold: 0.2 },
  ],
};

/** Records and meta built by hand, with core's base trajectory (no analyzers). */
export function handInput(
  records: Omit<ExperimentRecordInput, "experiment_id">[],
  meta: Partial<ExperimentMeta> = {},
): AdvisorInput {
  const parsed: ExperimentRecord[] = [];
  for (const r of records) {
    // As the tracker does at log time: changes derived from the previous iteration's parameters.
    const previous = parsed.at(-1)?.parameters;
    const derived = deriveParameterChanges(
      previous,
      (r.parameters ?? {}) as Record<string, JsonValue>,
    );
    parsed.push(parseRecord({ experiment_id: "exp_hand", parameter_changes: derived, ...r }));
  }
  const m = ExperimentMetaSchema.parse({ experiment_id: "exp_hand", gate: handGate, ...meta });
  return { records: parsed, meta: m, trajectory: baseTrajectory(parsed, m) };
}
