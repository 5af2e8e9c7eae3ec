/**
 * Errors of the language-model adapters. Each has an `isInstance` that checks
 * a registered symbol (works across package copies), like core's errors.
 * Messages never carry an API key: whatever text comes from a provider passes
 * through `redact` first.
 */
import { ConvergeError, type ConvergeErrorOptions, type ValidationIssue } from "@converge/core";

function marked(error: unknown, marker: symbol): boolean {
  return (
    error != null &&
    typeof error === "object" &&
    (error as Record<symbol, unknown>)[marker] === true
  );
}

const llmMarker = Symbol.for("converge.error.llm");

/** Base class of every error a language model adapter throws. */
export class LlmError extends ConvergeError {
  readonly [llmMarker] = true;
  /** e.g. "openai", "anthropic". */
  readonly provider: string;
  readonly model: string;

  constructor(provider: string, model: string, message: string, options?: ConvergeErrorOptions) {
    super(message, options);
    this.name = "LlmError";
    this.provider = provider;
    this.model = model;
  }

  static override isInstance(error: unknown): error is LlmError {
    return marked(error, llmMarker);
  }
}

const apiMarker = Symbol.for("converge.error.llm-api");

/**
 * The provider could not be reached or kept failing: HTTP errors, connection
 * errors and timeouts, after the retry budget was spent (or at once when a
 * retry could not help, e.g. 400 or 401).
 */
export class LlmApiError extends LlmError {
  readonly [apiMarker] = true;
  /** HTTP status of the last attempt; null for connection errors and timeouts. */
  readonly status: number | null;
  /** Whether another try later might succeed (429, 5xx, connection, timeout). */
  readonly retryable: boolean;
  /** Requests sent for this call. */
  readonly attempts: number;

  constructor(
    provider: string,
    model: string,
    message: string,
    details: { status: number | null; retryable: boolean; attempts: number },
    options?: ConvergeErrorOptions,
  ) {
    super(provider, model, message, options);
    this.name = "LlmApiError";
    this.status = details.status;
    this.retryable = details.retryable;
    this.attempts = details.attempts;
  }

  static override isInstance(error: unknown): error is LlmApiError {
    return marked(error, apiMarker);
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

const outputMarker = Symbol.for("converge.error.llm-output");

/**
 * The provider answered, but not with a usable object. The tokens were spent
 * all the same: `usage` and `costUsd` say how many, so callers can count them.
 */
export class LlmOutputError extends LlmError {
  readonly [outputMarker] = true;
  readonly problem: LlmOutputProblem;
  /** The model's text (first 2,000 characters), for a re-ask or a log. */
  readonly output: string;
  /** For "schema-mismatch": every field that did not match. */
  readonly issues: readonly ValidationIssue[];
  readonly usage: { inputTokens: number; outputTokens: number };
  readonly costUsd: number | null;

  constructor(
    provider: string,
    model: string,
    message: string,
    details: {
      problem: LlmOutputProblem;
      output: string;
      issues?: readonly ValidationIssue[];
      usage: { inputTokens: number; outputTokens: number };
      costUsd: number | null;
    },
    options?: ConvergeErrorOptions,
  ) {
    super(provider, model, message, options);
    this.name = "LlmOutputError";
    this.problem = details.problem;
    this.output = details.output.slice(0, 2000);
    this.issues = details.issues ?? [];
    this.usage = details.usage;
    this.costUsd = details.costUsd;
  }

  static override isInstance(error: unknown): error is LlmOutputError {
    return marked(error, outputMarker);
  }
}

const shapeMarker = Symbol.for("converge.error.llm-response-shape");

/**
 * The provider answered 200, but the body is not in the shape of its API (not
 * JSON, an HTML page, `{}`, an empty `choices`): usually a `baseURL` that
 * points at something else (a web page, a proxy, another API). Asking again
 * cannot help, so it is not retried or re-asked. The message names the host
 * (never a key or a query) and what was missing.
 */
export class LlmResponseShapeError extends LlmError {
  readonly [shapeMarker] = true;
  /** The host that answered, e.g. `api.openai.com` or `127.0.0.1:8080`. */
  readonly host: string;

  constructor(provider: string, model: string, message: string, host: string) {
    super(provider, model, message);
    this.name = "LlmResponseShapeError";
    this.host = host;
  }

  static override isInstance(error: unknown): error is LlmResponseShapeError {
    return marked(error, shapeMarker);
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
