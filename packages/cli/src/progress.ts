/**
 * Progress for long commands (import, export, sync) on stderr: a cli-progress
 * bar when stderr is a terminal, else a plain line now and then (so a CI log
 * or a redirected file gets a readable trace instead of escape codes), and
 * nothing with `--quiet`. Results always go to stdout, never through here.
 */
import { terminalSafe } from "@converge/core";
import { Presets, SingleBar } from "cli-progress";
import type { OutputStream } from "./context.js";

/** One running progress display. */
export interface Progress {
  /** Sets how many units are done (and the total, when it changed). */
  update(done: number, total?: number): void;
  /** Ends the display: the bar is left at its last value; a plain display prints its last line. */
  stop(): void;
}

/** How to show progress. */
export interface ProgressOptions {
  /** What is being done, e.g. the experiment id. */
  label: string;
  /** How many units there are. */
  total: number;
  /** The unit's name, e.g. "records". */
  unit: string;
  /** Show nothing. */
  quiet?: boolean;
  /** Plain mode: at most one line per this many milliseconds (default 2000), plus the last. */
  intervalMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** Starts a progress display on `stream` (stderr). */
export function startProgress(stream: OutputStream, options: ProgressOptions): Progress {
  if (options.quiet) return { update() {}, stop() {} };
  // The label names an experiment, which is data: escaped like everything else printed.
  const safe = { ...options, label: terminalSafe(options.label), unit: terminalSafe(options.unit) };
  if (stream.isTTY === true) return barProgress(stream, safe);
  return plainProgress(stream, safe);
}

function barProgress(stream: OutputStream, options: ProgressOptions): Progress {
  const bar = new SingleBar(
    {
      // cli-progress only calls write, isTTY and columns (and readline's cursor helpers, which write).
      stream: stream as unknown as NodeJS.WritableStream,
      format: `${options.label} [{bar}] {percentage}% | {value}/{total} ${options.unit} | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  bar.start(options.total, 0);
  let stopped = false;
  return {
    update(done, total) {
      if (stopped) return;
      if (total !== undefined && total !== bar.getTotal()) bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

function plainProgress(stream: OutputStream, options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 2000;
  let total = options.total;
  let done = 0;
  let last = now();
  let printed = -1;
  const line = () => {
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    stream.write(`${options.label}: ${done}/${total} ${options.unit} (${pct}%)\n`);
    printed = done;
    last = now();
  };
  return {
    update(value, newTotal) {
      done = value;
      if (newTotal !== undefined) total = newTotal;
      if ((done >= total && printed !== done) || now() - last >= interval) line();
    },
    stop() {
      if (printed !== done) line();
    },
  };
}
