/**
 * The live display of a gate loop (`converge loop` and the demo): one line
 * per iteration (chosen metrics, gate score, verdict, action, the advisor's
 * next action) and a second saying what changed, under a cli-progress bar
 * when the output is a terminal, as plain lines otherwise.
 */

import { type Advice, type ExperimentRecord, terminalSafe } from "@converge/core";
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import type { OutputStream } from "./context.js";
import type { Style } from "./style.js";

/** A number for a line: `digits` decimals, "n/a" when not finite (no trades: no Sharpe). */
export function fixed(value: unknown, digits = 2): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

/**
 * A metric in a live line's column: 3 decimals, so that successive lines
 * line up and read against each other, but an integer as an integer (`21`,
 * not `21.000`); "n/a" when not finite.
 */
export function columnValue(value: unknown): string {
  return Number.isInteger(value) ? String(value) : fixed(value, 3);
}

/** A fraction as a percentage, "n/a" when not finite. */
export function percent(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value)
    ? `${(value * 100).toFixed(1)}%`
    : "n/a";
}

/** "lookback 18 → 42" from a record's parameter_changes. */
export function describeChanges(record: ExperimentRecord): string {
  return Object.entries(record.parameter_changes)
    .map(([name, change]) => {
      const c = change as { from?: unknown; to?: unknown } | null;
      if (c !== null && typeof c === "object" && ("from" in c || "to" in c)) {
        return `${name} ${String(c.from ?? "(new)")} → ${String(c.to ?? "(removed)")}`;
      }
      return `${name} → ${String(change)}`;
    })
    .join(", ");
}

/** What produced an iteration's parameters: a tuner's moves from a base iteration. */
export interface MoveNote {
  base: number;
  moves: readonly { parameter: string; from: number; to: number; because: string }[];
}

/** "lookback 42 → 63 from #8 (sharpe_ratio fails; as its last move showed)". */
export function describeMoves(note: MoveNote): string {
  return note.moves
    .map((m) => `${m.parameter} ${m.from} → ${m.to} from #${note.base} (${m.because})`)
    .join("; ");
}

/** One metric shown on an iteration's line: `label value`, the value padded to `width`. */
export interface MetricColumn {
  label: string;
  metric: string;
  width: number;
  /** The value as text (default: {@link columnValue}). */
  format?: (value: unknown) => string;
}

/** A column per gated metric, in the gate's order: what `converge loop` shows. */
export function gateColumns(criteria: readonly { metric: string }[]): MetricColumn[] {
  const names = [...new Set(criteria.map((c) => c.metric))];
  return names.map((metric) => ({ label: terminalSafe(metric), metric, width: 6 }));
}

/** The failure of an iteration whose evaluation failed, as the engine records it. */
function evaluationFailure(record: ExperimentRecord): string | null {
  const error = (record as { evaluation_error?: { message?: unknown } }).evaluation_error;
  if (error === undefined || error === null) return null;
  const first = String(error.message ?? "").split("\n")[0] ?? "";
  return `evaluation failed: ${terminalSafe(first.length > 200 ? `${first.slice(0, 197)}...` : first)}`;
}

/** One iteration as a line, and a second line saying what was changed to get there. */
export function formatIterationLine(
  record: ExperimentRecord,
  advice: Advice | null,
  options: {
    maxIterations: number;
    style: Style;
    columns: readonly MetricColumn[];
    note?: MoveNote | null;
  },
): string {
  const { maxIterations, style, columns, note = null } = options;
  const m = record.metrics;
  const width = String(maxIterations).length;
  const verdict = record.gate_passed ? style.green("PASS") : style.red("FAIL");
  const action = record.action_taken || (record.gate_passed ? "SUCCESS" : "REFINE");
  const next = advice?.assessment.next_action;
  const nextText =
    next === undefined
      ? ""
      : `  advice ${next === "CONTINUE" ? next : style.yellow(next)} (${advice?.assessment.convergence_assessment})${advice?.fallback ? ` from ${advice.source}: ${advice.fallback.from} failed` : ""}`;
  const changes =
    evaluationFailure(record) ??
    (record.iteration === 1
      ? `start: ${Object.entries(record.parameters)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(", ")}`
      : note
        ? describeMoves(note)
        : describeChanges(record) || "no change");
  const indent = " ".repeat(2 * width + 5);
  const fellBack = fallbackNote(record);
  const head = [
    `[${String(record.iteration).padStart(width)}/${maxIterations}]`,
    ...columns.map((c) => `${c.label} ${(c.format ?? columnValue)(m[c.metric]).padStart(c.width)}`),
    `gate ${fixed(record.gate_score, 3)}`,
    `${verdict} → ${action}${nextText}`,
  ].join("  ");
  return `${head}\n${indent}${style.dim(changes)}${fellBack ? `\n${indent}${style.yellow(fellBack)}` : ""}`;
}

/** "proposed by rule (fallback from llm:openai/gpt-4.1: ...)" when the configured refiner failed. */
function fallbackNote(record: ExperimentRecord): string | null {
  const source = (record as { refiner?: { source?: unknown } }).refiner?.source;
  if (typeof source !== "string" || !source.includes("fallback")) return null;
  const text = `proposed by ${source}`;
  return terminalSafe(text.length > 160 ? `${text.slice(0, 157)}...` : text);
}

/** A running display. */
export interface LoopProgress {
  /** Shows a logged iteration (and the moves that produced it, when known). */
  iteration(record: ExperimentRecord, advice: Advice | null, note?: MoveNote | null): void;
  /** Ends the display (the bar stays at its last value). Safe to call twice. */
  stop(): void;
}

export interface LoopProgressOptions {
  maxIterations: number;
  style: Style;
  columns: readonly MetricColumn[];
  /** Show nothing. */
  quiet?: boolean;
}

/** Starts the display on `stream`: a bar above which lines scroll on a TTY, plain lines elsewhere. */
export function startLoopProgress(
  stream: OutputStream,
  options: LoopProgressOptions,
): LoopProgress {
  const { maxIterations, style, columns } = options;
  const line = (record: ExperimentRecord, advice: Advice | null, note: MoveNote | null) =>
    formatIterationLine(record, advice, { maxIterations, style, columns, note });
  if (options.quiet) return { iteration() {}, stop() {} };
  if (stream.isTTY !== true) {
    return {
      iteration(record, advice, note = null) {
        stream.write(`${line(record, advice, note)}\n`);
      },
      stop() {},
    };
  }
  const multibar = new MultiBar(
    {
      // cli-progress only calls write, isTTY, columns and readline's cursor helpers.
      stream: stream as unknown as NodeJS.WritableStream,
      format: "{bar} {value}/{total} iterations | best gate score {best}",
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    },
    Presets.shades_classic,
  );
  const bar: SingleBar = multibar.create(maxIterations, 0, { best: "-" });
  let best = Number.NEGATIVE_INFINITY;
  let stopped = false;
  return {
    iteration(record, advice, note = null) {
      if (stopped) return;
      best = Math.max(best, record.gate_score ?? Number.NEGATIVE_INFINITY);
      multibar.log(`${line(record, advice, note)}\n`);
      bar.update(record.iteration, { best: fixed(best, 3) });
      multibar.update(); // draw now: the loop's work is synchronous between iterations
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multibar.update(); // flush the last lines
      multibar.stop();
    },
  };
}
