/**
 * The live display of the loop: one line per iteration (Sharpe, drawdown, win
 * rate, gate score, verdict, action, the advisor's next action, what
 * changed), under a cli-progress bar when the output is a terminal, as plain
 * lines otherwise. The display itself is `converge loop`'s, from @converge/cli.
 */

import {
  describeChanges,
  describeMoves,
  fixed,
  formatIterationLine,
  type LoopProgress,
  type MetricColumn,
  type MoveNote,
  percent,
  type Style,
  startLoopProgress,
} from "@converge/cli";
import type { Advice, ExperimentRecord } from "@converge/core";

export { describeChanges, describeMoves, fixed, type MoveNote, percent };

/** Where the demo writes: stdout, or a test's buffer. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The demo's columns: Sharpe, max drawdown and win rate. */
export const DEMO_COLUMNS: readonly MetricColumn[] = [
  { label: "sharpe", metric: "sharpe_ratio", width: 5, format: (v) => fixed(v) },
  { label: "mdd", metric: "max_drawdown", width: 6, format: percent },
  { label: "win", metric: "win_rate", width: 6, format: percent },
];

/** One iteration as a line, and a second line saying what was changed to get there. */
export function formatIteration(
  record: ExperimentRecord,
  advice: Advice | null,
  maxIterations: number,
  style: Style,
  note: MoveNote | null = null,
): string {
  return formatIterationLine(record, advice, { maxIterations, style, columns: DEMO_COLUMNS, note });
}

/** A running display. */
export type Progress = LoopProgress;

export interface ProgressOptions {
  maxIterations: number;
  style: Style;
  /** Show nothing. */
  quiet?: boolean;
}

/** Starts the display on `stream`: a bar above which lines scroll on a TTY, plain lines elsewhere. */
export function startProgress(stream: OutputStream, options: ProgressOptions): Progress {
  return startLoopProgress(stream, { ...options, columns: DEMO_COLUMNS });
}
