/**
 * Typed errors. Every error Converge throws is a `ConvergeError`; each subclass
 * has a static `isInstance` that works across package copies and realms (it
 * checks a registered symbol, not the prototype chain), as the Vercel AI SDK does.
 */

const baseMarker = Symbol.for("converge.error");

function marked(error: unknown, marker: symbol): boolean {
  return (
    error != null &&
    typeof error === "object" &&
    (error as Record<symbol, unknown>)[marker] === true
  );
}

export interface ConvergeErrorOptions {
  /** What to do about it, appended to the message. */
  hint?: string;
  cause?: unknown;
}

/** Base class of every error Converge throws. */
export class ConvergeError extends Error {
  readonly [baseMarker] = true;
  /** What the user can do about it (also part of `message`). */
  readonly hint: string | undefined;

  constructor(message: string, options: ConvergeErrorOptions = {}) {
    super(options.hint ? `${message}\nFix: ${options.hint}` : message, { cause: options.cause });
    this.name = "ConvergeError";
    this.hint = options.hint;
  }

  static isInstance(error: unknown): error is ConvergeError {
    return marked(error, baseMarker);
  }
}

const validationMarker = Symbol.for("converge.error.validation");

/** One problem found in an input, with the path of the field it concerns. */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `metrics.sharpe_ratio`; empty for the whole value. */
  path: string;
  message: string;
}

/** Input that does not match its schema. `issues` names every bad field. */
export class ValidationError extends ConvergeError {
  readonly [validationMarker] = true;
  readonly issues: readonly ValidationIssue[];
  /** What was being validated, e.g. `record` or `gate`. */
  readonly subject: string;

  constructor(
    subject: string,
    issues: readonly ValidationIssue[],
    options: ConvergeErrorOptions = {},
  ) {
    const lines = issues.map(
      (i) => `  - ${i.path ? `${subject}.${i.path}` : subject}: ${i.message}`,
    );
    super(`Invalid ${subject}:\n${lines.join("\n")}`, options);
    this.name = "ValidationError";
    this.subject = subject;
    this.issues = issues;
  }

  static override isInstance(error: unknown): error is ValidationError {
    return marked(error, validationMarker);
  }
}

const corruptMarker = Symbol.for("converge.error.corrupt-record");

/** A stored line that is not a valid record (not a torn tail: those are cut and reported). */
export class CorruptRecordError extends ConvergeError {
  readonly [corruptMarker] = true;
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, reason: string, options: ConvergeErrorOptions = {}) {
    super(`${file}:${line}: not a valid experiment record: ${reason}`, {
      hint:
        options.hint ??
        "repair or delete that line, or read with { lenient: true } (CLI: --lenient) to skip bad lines and list them",
      cause: options.cause,
    });
    this.name = "CorruptRecordError";
    this.file = file;
    this.line = line;
  }

  static override isInstance(error: unknown): error is CorruptRecordError {
    return marked(error, corruptMarker);
  }
}

const conflictMarker = Symbol.for("converge.error.iteration-conflict");

/** A record whose iteration number is not after the last stored one. */
export class IterationConflictError extends ConvergeError {
  readonly [conflictMarker] = true;
  readonly experimentId: string;
  readonly iteration: number;
  readonly lastIteration: number;

  constructor(experimentId: string, iteration: number, lastIteration: number) {
    super(
      `Experiment "${experimentId}" already holds iteration ${lastIteration}; cannot append iteration ${iteration}.`,
      {
        hint: "another writer appended to this experiment; resume it (tracker.resume(id)) to continue the numbering",
      },
    );
    this.name = "IterationConflictError";
    this.experimentId = experimentId;
    this.iteration = iteration;
    this.lastIteration = lastIteration;
  }

  static override isInstance(error: unknown): error is IterationConflictError {
    return marked(error, conflictMarker);
  }
}

const storeMarker = Symbol.for("converge.error.store");

/** A store could not read or write (disk full, permissions, lock held...). */
export class StoreError extends ConvergeError {
  readonly [storeMarker] = true;
  /** The system error code when there is one (ENOSPC, EACCES, ...). */
  readonly code: string | undefined;

  constructor(message: string, options: ConvergeErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.name = "StoreError";
    this.code = options.code;
  }

  static override isInstance(error: unknown): error is StoreError {
    return marked(error, storeMarker);
  }
}

const notFoundMarker = Symbol.for("converge.error.not-found");

/** An experiment that the store does not hold. */
export class ExperimentNotFoundError extends ConvergeError {
  readonly [notFoundMarker] = true;
  readonly experimentId: string;

  constructor(experimentId: string, where: string) {
    super(`No experiment "${experimentId}" in ${where}.`, {
      hint: "check the id with `converge list`, or point --store at the directory that holds it",
    });
    this.name = "ExperimentNotFoundError";
    this.experimentId = experimentId;
  }

  static override isInstance(error: unknown): error is ExperimentNotFoundError {
    return marked(error, notFoundMarker);
  }
}

const pluginMarker = Symbol.for("converge.error.plugin");

/** A plugin or a user hook threw. The iteration logged before it is kept. */
export class PluginError extends ConvergeError {
  readonly [pluginMarker] = true;
  /** Which plugin or hook failed, e.g. `advisor "rule"` or `refine`. */
  readonly source: string;

  constructor(source: string, cause: unknown, options: { hint?: string } = {}) {
    super(`${source} failed: ${describeCause(cause)}`, { cause, hint: options.hint });
    this.name = "PluginError";
    this.source = source;
  }

  static override isInstance(error: unknown): error is PluginError {
    return marked(error, pluginMarker);
  }
}

const configMarker = Symbol.for("converge.error.configuration");

/** Options that cannot work together or a plugin of an unsupported specification. */
export class ConfigurationError extends ConvergeError {
  readonly [configMarker] = true;

  constructor(message: string, options: ConvergeErrorOptions = {}) {
    super(message, options);
    this.name = "ConfigurationError";
  }

  static override isInstance(error: unknown): error is ConfigurationError {
    return marked(error, configMarker);
  }
}

/** A short description of whatever was thrown. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === "string") return cause;
  try {
    return JSON.stringify(cause) ?? String(cause);
  } catch {
    return String(cause);
  }
}

const loopMarker = Symbol.for("converge.error.gate-loop");

/**
 * The gate loop stopped because a hook or plugin it cannot go on without
 * (backtest, refine, store) failed. Every iteration logged before is kept, the
 * experiment's meta says FAILED, and `summary` is the summary written there.
 */
export class GateLoopError extends ConvergeError {
  readonly [loopMarker] = true;
  /** Which step failed: "backtest", "log" or "refine". */
  readonly stage: string;
  readonly experimentId: string;
  /** The summary as written to the experiment's meta (status FAILED). */
  readonly summary: unknown;

  constructor(stage: string, experimentId: string, summary: unknown, cause: unknown) {
    super(`The gate loop of "${experimentId}" stopped: ${stage} failed: ${describeCause(cause)}`, {
      cause,
      hint: `the iterations logged so far are kept; fix the ${stage} step and resume with tracker.resume("${experimentId}")`,
    });
    this.name = "GateLoopError";
    this.stage = stage;
    this.experimentId = experimentId;
    this.summary = summary;
  }

  static override isInstance(error: unknown): error is GateLoopError {
    return marked(error, loopMarker);
  }
}
