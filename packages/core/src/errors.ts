/**
 * Typed errors. Every error Converge throws is a `ConvergeError`. Each class
 * has a static `isInstance` that works across package copies and realms: it
 * checks a registered symbol (`Symbol.for`) on the error, not the prototype
 * chain, as the Vercel AI SDK does. `ConvergeError` owns that check; a
 * subclass only names its symbol, with {@link ConvergeError.instanceCheck}.
 */
import type { LlmCallUsage } from "./contracts.js";
import type { ExperimentSummary } from "./summary.js";

/**
 * A type guard that recognises the errors of one class, its subclasses
 * included, by the registered symbol `marker` they carry.
 */
export interface ErrorInstanceCheck<T> {
  (error: unknown): error is T;
  /** The registered symbol every instance of the class carries as a `true` property. */
  readonly marker: symbol;
}

function instanceCheck<T>(key: string): ErrorInstanceCheck<T> {
  const marker = Symbol.for(key);
  // A plain function, not a method: it may be passed around unbound (e.g. to `toSatisfy`).
  const check = (error: unknown): error is T =>
    error != null &&
    typeof error === "object" &&
    (error as Record<symbol, unknown>)[marker] === true;
  return Object.assign(check, { marker });
}

/** The `hint` and `cause` every error constructor accepts in its options. */
export interface ConvergeErrorOptions {
  /** What to do about it, appended to the message. */
  hint?: string;
  cause?: unknown;
}

/** Base class of every error Converge throws. */
export class ConvergeError extends Error {
  /**
   * True when `error` is a `ConvergeError` (or one of its subclasses), from
   * this copy of the package or any other. Each subclass has its own.
   */
  static readonly isInstance: ErrorInstanceCheck<ConvergeError> = instanceCheck("converge.error");

  /**
   * Makes the `isInstance` of a subclass, from the registered symbol key its
   * instances carry (e.g. `"converge.error.store"`). A subclass declares it as
   * `static override readonly isInstance = ConvergeError.instanceCheck<MyError>("my.error")`;
   * the constructor marks each instance with the symbol of every class in its chain.
   */
  protected static instanceCheck<T extends ConvergeError>(key: string): ErrorInstanceCheck<T> {
    return instanceCheck<T>(key);
  }

  /** What the user can do about it (also part of `message`). */
  readonly hint: string | undefined;

  constructor(message: string, options: ConvergeErrorOptions = {}) {
    super(options.hint ? `${message}\nFix: ${options.hint}` : message, { cause: options.cause });
    this.name = "ConvergeError";
    this.hint = options.hint;
    const marks = this as unknown as Record<symbol, boolean>;
    for (let c: unknown = new.target; c !== Error && c != null; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c as object, "isInstance")) {
        marks[(c as { isInstance: ErrorInstanceCheck<unknown> }).isInstance.marker] = true;
      }
    }
  }
}

/** One problem found in an input, with the path of the field it concerns. */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `metrics.sharpe_ratio`; empty for the whole value. */
  path: string;
  message: string;
}

/** Options of {@link ValidationError}. */
export interface ValidationErrorOptions extends ConvergeErrorOptions {
  /** What was being validated, e.g. `record` or `gate`. */
  subject: string;
  /** Every bad field. */
  issues: readonly ValidationIssue[];
}

/** Input that does not match its schema. `issues` names every bad field. */
export class ValidationError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<ValidationError>(
    "converge.error.validation",
  );
  readonly issues: readonly ValidationIssue[];
  /** What was being validated, e.g. `record` or `gate`. */
  readonly subject: string;

  constructor({ subject, issues, ...options }: ValidationErrorOptions) {
    const lines = issues.map(
      (i) => `  - ${i.path ? `${subject}.${i.path}` : subject}: ${i.message}`,
    );
    super(`Invalid ${subject}:\n${lines.join("\n")}`, options);
    this.name = "ValidationError";
    this.subject = subject;
    this.issues = issues;
  }
}

/** Options of {@link CorruptRecordError}. */
export interface CorruptRecordErrorOptions extends ConvergeErrorOptions {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  /** Why the line is not a record. */
  reason: string;
}

/** A stored line that is not a valid record (not a torn tail: those are cut and reported). */
export class CorruptRecordError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<CorruptRecordError>(
    "converge.error.corrupt-record",
  );
  readonly file: string;
  readonly line: number;

  constructor({ file, line, reason, hint, cause }: CorruptRecordErrorOptions) {
    super(`${file}:${line}: not a valid experiment record: ${reason}`, {
      hint:
        hint ??
        "repair or delete that line, or read with { lenient: true } (CLI: --lenient) to skip bad lines and list them",
      cause,
    });
    this.name = "CorruptRecordError";
    this.file = file;
    this.line = line;
  }
}

/** Options of {@link IterationConflictError}. */
export interface IterationConflictErrorOptions {
  experimentId: string;
  /** The iteration that could not be appended. */
  iteration: number;
  /** The last iteration the store holds. */
  lastIteration: number;
  cause?: unknown;
}

/** A record whose iteration number is not after the last stored one. */
export class IterationConflictError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<IterationConflictError>(
    "converge.error.iteration-conflict",
  );
  readonly experimentId: string;
  readonly iteration: number;
  readonly lastIteration: number;

  constructor({ experimentId, iteration, lastIteration, cause }: IterationConflictErrorOptions) {
    super(
      `Experiment "${experimentId}" already holds iteration ${lastIteration}; cannot append iteration ${iteration}.`,
      {
        hint: "another writer appended to this experiment; resume it (tracker.resume(id)) to continue the numbering",
        cause,
      },
    );
    this.name = "IterationConflictError";
    this.experimentId = experimentId;
    this.iteration = iteration;
    this.lastIteration = lastIteration;
  }
}

/** Options of {@link StoreError}. */
export interface StoreErrorOptions extends ConvergeErrorOptions {
  /** The system error code when there is one (ENOSPC, EACCES, ...). */
  code?: string | undefined;
}

/** A store could not read or write (disk full, permissions, lock held...). */
export class StoreError extends ConvergeError {
  static override readonly isInstance =
    ConvergeError.instanceCheck<StoreError>("converge.error.store");
  /** The system error code when there is one (ENOSPC, EACCES, ...). */
  readonly code: string | undefined;

  constructor(message: string, options: StoreErrorOptions = {}) {
    super(message, options);
    this.name = "StoreError";
    this.code = options.code;
  }
}

/** Options of {@link ExperimentNotFoundError}. */
export interface ExperimentNotFoundErrorOptions {
  experimentId: string;
  /** Where it was looked for, e.g. a directory or an MLflow experiment. */
  where: string;
  cause?: unknown;
}

/** An experiment that the store does not hold. */
export class ExperimentNotFoundError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<ExperimentNotFoundError>(
    "converge.error.not-found",
  );
  readonly experimentId: string;

  constructor({ experimentId, where, cause }: ExperimentNotFoundErrorOptions) {
    super(`No experiment "${experimentId}" in ${where}.`, {
      hint: "check the id with `converge list`, or point --store at the directory that holds it",
      cause,
    });
    this.name = "ExperimentNotFoundError";
    this.experimentId = experimentId;
  }
}

/** Options of {@link PluginError}. */
export interface PluginErrorOptions {
  /** Which plugin or hook failed, e.g. `advisor "rule"` or `refine`. */
  source: string;
  /** What it threw. */
  cause: unknown;
  hint?: string;
}

/** A plugin or a user hook threw. The iteration logged before it is kept. */
export class PluginError extends ConvergeError {
  static override readonly isInstance =
    ConvergeError.instanceCheck<PluginError>("converge.error.plugin");
  /** Which plugin or hook failed, e.g. `advisor "rule"` or `refine`. */
  readonly source: string;

  constructor({ source, cause, hint }: PluginErrorOptions) {
    super(`${source} failed: ${describeCause(cause)}`, { cause, hint });
    this.name = "PluginError";
    this.source = source;
  }
}

/** Options that cannot work together or a plugin of an unsupported specification. */
export class ConfigurationError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<ConfigurationError>(
    "converge.error.configuration",
  );

  constructor(message: string, options: ConvergeErrorOptions = {}) {
    super(message, options);
    this.name = "ConfigurationError";
  }
}

/** Options of {@link EvaluationError}. */
export interface EvaluationErrorOptions extends ConvergeErrorOptions {
  /** What the evaluator wrote to stderr (capped, keeping the tail). */
  log?: string;
}

/**
 * An evaluation that produced no metrics: a command that failed, hung or
 * printed something other than one JSON object of numbers. `log` is its
 * captured stderr (capped); `runGateLoop` records the failed iteration with
 * it and then stops or goes on by its `onEvaluationError` policy.
 */
export class EvaluationError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<EvaluationError>(
    "converge.error.evaluation",
  );
  /** The evaluator's stderr (capped, the tail kept); "" when it wrote none. */
  readonly log: string;

  constructor(message: string, options: EvaluationErrorOptions = {}) {
    super(message, options);
    this.name = "EvaluationError";
    this.log = options.log ?? "";
  }
}

/** Options of {@link CostlyFailureError}. */
export interface CostlyFailureErrorOptions extends ConvergeErrorOptions {
  /** Every LLM call made before the failure, failed ones included: they were paid. */
  usage: LlmCallUsage[];
}

/**
 * A call that failed after it had already cost tokens (an LLM that kept
 * answering with something unusable). `usage` lists every LLM call made, so
 * whoever catches it can record what was paid: `runGateLoop` does, for a
 * failing advisor or failure analyzer. Plugins throw it, or a subclass of it,
 * instead of an error that merely happens to have a `usage` property.
 */
export class CostlyFailureError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<CostlyFailureError>(
    "converge.error.costly-failure",
  );
  /** Every LLM call made before the failure, failed ones included. */
  readonly usage: LlmCallUsage[];

  constructor(message: string, options: CostlyFailureErrorOptions) {
    super(message, options);
    this.name = "CostlyFailureError";
    this.usage = options.usage;
  }

  /**
   * The usage carried by `error` or by one of its causes (the tracker wraps an
   * advisor's error in a `PluginError`); empty when none carries any. Entries
   * that are not well-formed `LlmCallUsage` objects are left out.
   */
  static usageOf(error: unknown): LlmCallUsage[] {
    let e = error;
    for (let depth = 0; e != null && depth < 4; depth++) {
      if (CostlyFailureError.isInstance(e)) return wellFormedUsage(e.usage);
      e = (e as { cause?: unknown }).cause;
    }
    return [];
  }
}

function wellFormedUsage(usage: unknown): LlmCallUsage[] {
  if (!Array.isArray(usage)) return [];
  return usage.filter(
    (u): u is LlmCallUsage =>
      u !== null &&
      typeof u === "object" &&
      typeof u.provider === "string" &&
      typeof u.model === "string" &&
      Number.isInteger(u.inputTokens) &&
      Number.isInteger(u.outputTokens),
  );
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

/**
 * The step of the gate loop that failed: the backtest, logging the
 * iteration, the failure analysis or the advice (only when the plugin is
 * misconfigured: otherwise the loop goes on without them), or refine. Bad
 * options are a `ConfigurationError` before the experiment starts.
 */
export type GateLoopStage = "backtest" | "log" | "failure analysis" | "advice" | "refine";

/** Options of {@link GateLoopError}. */
export interface GateLoopErrorOptions {
  stage: GateLoopStage;
  experimentId: string;
  /** The summary as written to the experiment's meta; null when none could be written. */
  summary: ExperimentSummary | null;
  /** What the failed step threw. */
  cause: unknown;
}

/**
 * The gate loop stopped because a hook or plugin it cannot go on without
 * (backtest, refine, store) failed. Every iteration logged before is kept, the
 * experiment's meta says FAILED, and `summary` is the summary written there.
 */
export class GateLoopError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<GateLoopError>(
    "converge.error.gate-loop",
  );
  /** Which step failed. */
  readonly stage: GateLoopStage;
  readonly experimentId: string;
  /** The summary as written to the experiment's meta (status FAILED); null when none could be written. */
  readonly summary: ExperimentSummary | null;

  constructor({ stage, experimentId, summary, cause }: GateLoopErrorOptions) {
    super(`The gate loop of "${experimentId}" stopped: ${stage} failed: ${describeCause(cause)}`, {
      cause,
      hint: `the iterations logged so far are kept; fix the ${stage} step and resume with tracker.resume("${experimentId}")`,
    });
    this.name = "GateLoopError";
    this.stage = stage;
    this.experimentId = experimentId;
    this.summary = summary;
  }
}
