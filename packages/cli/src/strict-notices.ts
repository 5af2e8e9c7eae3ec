/**
 * `--strict`: store notices about the integrity of an experiment's records
 * (duplicate, out-of-order, foreign or missing iterations) fail the command
 * instead of being printed as warnings.
 */
import { ConvergeError, isIntegrityNotice, type StoreNotice, terminalSafe } from "@converge/core";
import { Option } from "commander";
import type { CommandContext } from "./context.js";

/** The `--strict` option of show, list, analyze, advise and report. */
export function strictOption(): Option {
  return new Option(
    "--strict",
    "fail (exit 1) when the records have integrity problems (duplicate, out-of-order, foreign or missing iterations), listing each with its file:line; without it they are warnings",
  );
}

/** Where a notice points: "file:line", "file", else the experiment id. */
export function noticeLocation(notice: StoreNotice): string {
  const where = notice.file ?? notice.experimentId;
  return terminalSafe(notice.line === undefined ? where : `${where}:${notice.line}`);
}

/**
 * "file:line: message", escaped for the terminal. A store's message may
 * already start with its location (the JSONL store's do); it is not repeated.
 */
export function describeNotice(notice: StoreNotice): string {
  const where = noticeLocation(notice);
  const message = terminalSafe(notice.message);
  return message.startsWith(`${where}:`) ? message : `${where}: ${message}`;
}

/** Thrown by `--strict` when the records have integrity problems. */
export class IntegrityProblemsError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<IntegrityProblemsError>(
    "converge.error.cli-integrity-problems",
  );
  /** The integrity notices, in the order the store reported them. */
  readonly notices: readonly StoreNotice[];

  constructor({ notices }: { notices: readonly StoreNotice[] }) {
    const lines = notices.map((n) => `  ${describeNotice(n)}`);
    const count = notices.length;
    super(
      `--strict: ${count} integrity problem${count === 1 ? "" : "s"} in the records:\n${lines.join("\n")}`,
      {
        hint: "repair the log (remove the duplicate or foreign lines, put the iterations in order), or run without --strict to read it with these as warnings",
      },
    );
    this.name = "IntegrityProblemsError";
    this.notices = notices;
  }
}

/** Store notices for one command: reported as warnings, or held back for `--strict`. */
export interface NoticeGate {
  /** Give it to the store as `onNotice`. */
  onNotice(notice: StoreNotice): void;
  /** The integrity notices held back so far (none without `--strict`). */
  readonly held: readonly StoreNotice[];
  /** Throws `IntegrityProblemsError` listing the held notices (and forgets them); nothing when none. */
  check(): void;
}

/**
 * Without `strict`, every notice is printed as a warning (`ctx.notice`); with
 * it, integrity notices are held for `check` and the rest still printed.
 */
export function noticeGate(ctx: CommandContext, strict: boolean | undefined): NoticeGate {
  const held: StoreNotice[] = [];
  return {
    onNotice(notice) {
      if (strict === true && isIntegrityNotice(notice)) held.push(notice);
      else ctx.notice(notice);
    },
    held,
    check() {
      if (held.length === 0) return;
      throw new IntegrityProblemsError({ notices: held.splice(0) });
    },
  };
}
