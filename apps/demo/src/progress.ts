/**
 * The live display of the loop: one line per iteration (metrics, gate score,
 * verdict, action, the advisor's next action, what changed), under a
 * cli-progress bar when the output is a terminal, as plain lines otherwise.
 */

import type { Style } from "@converge/cli";
import type { Advice, ExperimentRecord } from "@converge/core";
import { MultiBar, Presets, type SingleBar } from "cli-progress";

/** Where the demo writes: stdout, or a test's buffer. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A number for a line: `digits` decimals, "n/a" when not finite (no trades: no Sharpe). */
export function fixed(value: unknown, digits = 2): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "n/a";
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

/** What produced an iteration's parameters: the tuner's moves from a base iteration. */
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

/** One iteration as a line, and a second line saying what was changed to get there. */
export function formatIteration(
  record: ExperimentRecord,
  advice: Advice | null,
  maxIterations: number,
  style: Style,
  note: MoveNote | null = null,
): string {
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
    record.iteration === 1
      ? `start: ${Object.entries(record.parameters)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(", ")}`
      : note
        ? describeMoves(note)
        : describeChanges(record) || "no change";
  const indent = " ".repeat(2 * width + 5);
  const head = [
    `[${String(record.iteration).padStart(width)}/${maxIterations}]`,
    `sharpe ${fixed(m.sharpe_ratio).padStart(5)}`,
    `mdd ${percent(m.max_drawdown).padStart(6)}`,
    `win ${percent(m.win_rate).padStart(6)}`,
    `gate ${fixed(record.gate_score, 3)}`,
    `${verdict} → ${action}${nextText}`,
  ].join("  ");
  return `${head}\n${indent}${style.dim(changes)}`;
}

/** A running display. */
export interface Progress {
  /** Shows a logged iteration (and the moves that produced it, when known). */
  iteration(record: ExperimentRecord, advice: Advice | null, note?: MoveNote | null): void;
  /** Ends the display (the bar stays at its last value). Safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  maxIterations: number;
  style: Style;
  /** Show nothing. */
  quiet?: boolean;
}

/** Starts the display on `stream`: a bar above which lines scroll on a TTY, plain lines elsewhere. */
export function startProgress(stream: OutputStream, options: ProgressOptions): Progress {
  const { maxIterations, style } = options;
  if (options.quiet) return { iteration() {}, stop() {} };
  if (stream.isTTY !== true) {
    return {
      iteration(record, advice, note = null) {
        stream.write(`${formatIteration(record, advice, maxIterations, style, note)}\n`);
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
      multibar.log(`${formatIteration(record, advice, maxIterations, style, note)}\n`);
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
