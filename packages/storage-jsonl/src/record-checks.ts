/**
 * What a read checks on each record beyond its shape: that it belongs to the
 * file's experiment, that its iteration number is new and in order, and that
 * its numbers are held as written. A record that contradicts the file is
 * dropped or reported, never silently kept: a duplicate iteration that
 * passed its gate could otherwise turn a failed experiment into a success.
 */
import type { ExperimentRecord, StoreNotice } from "@converge/core";
import { terminalSafe } from "@converge/core";
import { inexactNumbers } from "./inexact-numbers.js";

/** Longest literal quoted in a notice; a longer one is shortened and its length given. */
const MAX_LITERAL = 40;

/**
 * The iterations kept so far and the line of each. While they arrive in
 * order (the normal case) they are two packed arrays searched by bisection;
 * the first out-of-order record moves them into a Map.
 */
class IterationLedger {
  private readonly iterations: number[] = [];
  private readonly lines: number[] = [];
  private byIteration: Map<number, number> | undefined;
  /** Highest iteration kept so far, and its line. */
  max = -1;
  maxLine = 0;

  /** The line of the kept record with `iteration`, if there is one. */
  lineOf(iteration: number): number | undefined {
    if (iteration > this.max) return undefined;
    if (this.byIteration) return this.byIteration.get(iteration);
    let lo = 0;
    let hi = this.iterations.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.iterations[mid] as number;
      if (at === iteration) return this.lines[mid];
      if (at < iteration) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  add(iteration: number, line: number): void {
    if (iteration > this.max) {
      this.max = iteration;
      this.maxLine = line;
      if (!this.byIteration) {
        this.iterations.push(iteration);
        this.lines.push(line);
        return;
      }
    } else if (!this.byIteration) {
      this.byIteration = new Map();
      for (let i = 0; i < this.iterations.length; i++) {
        this.byIteration.set(this.iterations[i] as number, this.lines[i] as number);
      }
      this.iterations.length = 0;
      this.lines.length = 0;
    }
    this.byIteration?.set(iteration, line);
  }
}

/** Checks the records of one file as they are read, in file order. */
export class RecordChecks {
  private readonly ledger = new IterationLedger();
  private reportedOrder = false;

  constructor(
    private readonly file: string,
    private readonly experimentId: string,
    private readonly notify: (notice: StoreNotice) => void,
  ) {}

  /**
   * Whether the record read from `text` at `line` is kept. A foreign record
   * or a repeated iteration is dropped; the first record out of order and
   * every inexact number are reported. Each is a notice naming file:line.
   */
  accept(record: ExperimentRecord, text: string, line: number): boolean {
    const where = `${this.file}:${line}`;
    if (record.experiment_id !== this.experimentId) {
      this.report(
        "foreign-record",
        line,
        `${where}: skipped a record of experiment "${record.experiment_id}" in the file of "${this.experimentId}" (move the line to ${record.experiment_id}.jsonl if it belongs there, or delete it)`,
      );
      return false;
    }
    const iteration = record.iteration;
    const kept = this.ledger.lineOf(iteration);
    if (kept !== undefined) {
      this.report(
        "duplicate-iteration",
        line,
        `${where}: iteration ${iteration} appears again; kept the first one (line ${kept}) and dropped line ${line} (delete one of the two lines to silence this)`,
      );
      return false;
    }
    if (iteration < this.ledger.max && !this.reportedOrder) {
      this.reportedOrder = true;
      this.report(
        "out-of-order",
        line,
        `${where}: iteration ${iteration} comes after iteration ${this.ledger.max} (line ${this.ledger.maxLine}); the records are not in iteration order, and read() returns them sorted (only the first such record is reported)`,
      );
    }
    this.ledger.add(iteration, line);
    for (const n of inexactNumbers(text, record)) {
      this.report(
        "inexact-number",
        line,
        `${where}: ${terminalSafe(n.path)} is written ${shorten(n.literal)} but JavaScript holds ${n.held} (${n.reason}); store it as a string to keep it exact`,
      );
    }
    return true;
  }

  private report(kind: StoreNotice["kind"], line: number, message: string): void {
    this.notify({ kind, experimentId: this.experimentId, file: this.file, line, message });
  }
}

function shorten(literal: string): string {
  if (literal.length <= MAX_LITERAL) return literal;
  return `${literal.slice(0, MAX_LITERAL)}… (${literal.length} characters)`;
}
