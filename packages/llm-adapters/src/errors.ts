/**
 * Errors of the language-model adapters. Each has an `isInstance` that checks
 * a registered symbol (works across package copies), like core's errors.
 * Messages never carry an API key: whatever text comes from a provider passes
 * through `redact` first.
 */
import { ConvergeError, type ConvergeErrorOptions, type ValidationIssue } from "@converge/core";

/** Options of {@link LlmError}: which provider and model, and the hint and cause. */
export interface LlmErrorOptions extends ConvergeErrorOptions {
  /** e.g. "openai", "anthropic". */
  provider: string;
  model: string;
}

/** Base class of every error a language model adapter throws. */
export class LlmError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<LlmError>("converge.error.llm");
  /** e.g. "openai", "anthropic". */
  readonly provider: string;
  readonly model: string;

  constructor(message: string, { provider, model, ...options }: LlmErrorOptions) {
    super(message, options);
    this.name = "LlmError";
    this.provider = provider;
    this.model = model;
  }
}

/** Options of {@link LlmApiError}. */
export interface LlmApiErrorOptions extends LlmErrorOptions {
  /** HTTP status of the last attempt; null for connection errors and timeouts. */
  status: number | null;
  /** Whether another try later might succeed (429, 5xx, connection, timeout). */
  retryable: boolean;
  /** Requests sent for this call. */
  attempts: number;
}

/**
 * The provider could not be reached or kept failing: HTTP errors, connection
 * errors and timeouts, after the retry budget was spent (or at once when a
 * retry could not help, e.g. 400 or 401).
 */
export class LlmApiError extends LlmError {
  static override readonly isInstance =
    ConvergeError.instanceCheck<LlmApiError>("converge.error.llm-api");
  /** HTTP status of the last attempt; null for connection errors and timeouts. */
  readonly status: number | null;
  /** Whether another try later might succeed (429, 5xx, connection, timeout). */
  readonly retryable: boolean;
  /** Requests sent for this call. */
  readonly attempts: number;

  constructor(message: string, { status, retryable, attempts, ...options }: LlmApiErrorOptions) {
    super(message, options);
    this.name = "LlmApiError";
    this.status = status;
    this.retryable = retryable;
    this.attempts = attempts;
  }
}

/** What was wrong with an answer. */
export type LlmOutputProblem =
  /** The text is not JSON. */
  | "invalid-json"
  /** JSON, but not what the schema asks for (see `issues`). */
  | "schema-mismatch"
  /** The model declined to answer. */
  | "refusal"
  /** The answer was cut off at the output-token limit. */
  | "truncated"
  /** No text at all. */
  | "empty";

/** Options of {@link LlmOutputError}. */
export interface LlmOutputErrorOptions extends LlmErrorOptions {
  problem: LlmOutputProblem;
  /** The model's text (only the first 2,000 characters are kept). */
  output: string;
  /** For "schema-mismatch": every field that did not match. */
  issues?: readonly ValidationIssue[];
  /** The tokens this answer cost. */
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number | null;
}

/**
 * The provider answered, but not with a usable object. The tokens were spent
 * all the same: `usage` and `costUsd` say how many, so callers can count them.
 */
export class LlmOutputError extends LlmError {
  static override readonly isInstance = ConvergeError.instanceCheck<LlmOutputError>(
    "converge.error.llm-output",
  );
  readonly problem: LlmOutputProblem;
  /** The model's text (first 2,000 characters), for a re-ask or a log. */
  readonly output: string;
  /** For "schema-mismatch": every field that did not match. */
  readonly issues: readonly ValidationIssue[];
  readonly usage: { inputTokens: number; outputTokens: number };
  readonly costUsd: number | null;

  constructor(
    message: string,
    { problem, output, issues, usage, costUsd, ...options }: LlmOutputErrorOptions,
  ) {
    super(message, options);
    this.name = "LlmOutputError";
    this.problem = problem;
    this.output = output.slice(0, 2000);
    this.issues = issues ?? [];
    this.usage = usage;
    this.costUsd = costUsd;
  }
}

/** Options of {@link LlmResponseShapeError}. */
export interface LlmResponseShapeErrorOptions extends LlmErrorOptions {
  /** The host that answered, e.g. `api.openai.com` or `127.0.0.1:8080`. */
  host: string;
}

/**
 * The provider answered 200, but the body is not in the shape of its API (not
 * JSON, an HTML page, `{}`, an empty `choices`): usually a `baseURL` that
 * points at something else (a web page, a proxy, another API). Asking again
 * cannot help, so it is not retried or re-asked. The message names the host
 * (never a key or a query) and what was missing.
 */
export class LlmResponseShapeError extends LlmError {
  static override readonly isInstance = ConvergeError.instanceCheck<LlmResponseShapeError>(
    "converge.error.llm-response-shape",
  );
  /** The host that answered, e.g. `api.openai.com` or `127.0.0.1:8080`. */
  readonly host: string;

  constructor(message: string, { host, ...options }: LlmResponseShapeErrorOptions) {
    super(message, options);
    this.name = "LlmResponseShapeError";
    this.host = host;
  }
}

/** Replaces every occurrence of each secret (and its bearer form) with "***". */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Short strings would blank out ordinary words; real keys are long.
    if (secret && secret.length >= 8) out = out.split(secret).join("***");
  }
  return out;
}
