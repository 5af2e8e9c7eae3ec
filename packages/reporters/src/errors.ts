/**
 * Errors of the reporters. Like core's, each has an `isInstance` that works
 * across package copies. Their messages say what to do, so none sets a
 * separate `hint`.
 */
import { ConvergeError, type ConvergeErrorOptions } from "@converge/core";

/**
 * What a report was given cannot be reported: no experiment, something that
 * is not a `ReportExperiment`, or a value with no JSON form.
 */
export class ReportInputError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<ReportInputError>(
    "converge.error.report-input",
  );

  constructor(message: string, options: ConvergeErrorOptions = {}) {
    super(message, options);
    this.name = "ReportInputError";
  }
}

/** Options of {@link ReportWriteError}. */
export interface ReportWriteErrorOptions extends ConvergeErrorOptions {
  /** The path that could not be written, as the caller gave it. */
  path: string;
  /** The system error code when there is one (ENOSPC, EACCES, ENXIO, ...). */
  code?: string | undefined;
}

/**
 * A report file (or its chart directory) could not be written: the disk is
 * full, no permission, a directory or a link in the way, a FIFO nobody reads.
 * The message names the path, the cause and the fix.
 */
export class ReportWriteError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<ReportWriteError>(
    "converge.error.report-write",
  );
  /** The path that could not be written, as the caller gave it. */
  readonly path: string;
  /** The system error code when there is one (ENOSPC, EACCES, ENXIO, ...). */
  readonly code: string | undefined;

  constructor(message: string, { path, code, ...options }: ReportWriteErrorOptions) {
    super(message, options);
    this.name = "ReportWriteError";
    this.path = path;
    this.code = code;
  }
}
