/**
 * Our own retry budget around one provider call. The SDKs' retries are turned
 * off (maxRetries: 0) so that this single place decides: 408/409/429/5xx,
 * connection errors and per-request timeouts are retried with exponential
 * backoff and full jitter, Retry-After is honoured, and the whole call has a
 * deadline, so a loop never waits forever.
 */
import { parseRetryAfter } from "@converge/core";
import { LlmApiError, redact } from "./errors.js";

/** How an SDK error looks to the retry loop. */
export type FailureKind =
  | { kind: "http"; status: number; retryAfterMs: number | null; message: string }
  | { kind: "connection"; message: string }
  | { kind: "timeout"; message: string }
  | { kind: "aborted" }
  | { kind: "other" };

/** The error classes both official SDKs export (same names, same shape). */
export interface SdkErrorClasses {
  APIUserAbortError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIError: abstract new (
    ...args: never[]
  ) => Error & { status?: number | undefined; headers?: Headers | undefined; error?: unknown };
}

/**
 * How the retry loop reads an SDK's errors. `bodyMessage` picks the
 * provider's own message out of the parsed error body (its shape differs).
 */
export function sdkClassifier(
  sdk: SdkErrorClasses,
  bodyMessage: (body: unknown) => unknown,
): (error: unknown) => FailureKind {
  return (error) => {
    if (error instanceof sdk.APIUserAbortError) return { kind: "aborted" };
    if (error instanceof sdk.APIConnectionTimeoutError)
      return { kind: "timeout", message: "timed out" };
    if (error instanceof sdk.APIConnectionError)
      return { kind: "connection", message: error.message };
    if (error instanceof sdk.APIError && typeof error.status === "number") {
      const message = bodyMessage(error.error);
      return {
        kind: "http",
        status: error.status,
        retryAfterMs: retryAfterMs(error.headers),
        message: typeof message === "string" ? message : error.message,
      };
    }
    return { kind: "other" };
  };
}

export interface RetryPolicy {
  /** Retries after the first request (default 2). */
  maxRetries: number;
  /** Time limit of each request in ms (default 60,000). */
  timeoutMs: number;
  /** Time limit of the whole call, retries and waits included, in ms (default 180,000). */
  totalTimeoutMs: number;
  /** First backoff in ms (default 500); doubles each retry, capped by maxDelayMs. */
  baseDelayMs: number;
  /** Longest wait between tries in ms, Retry-After included (default 30,000). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxRetries: 2,
  timeoutMs: 60_000,
  totalTimeoutMs: 180_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
});

const RETRYABLE_STATUS = new Set([408, 409, 429]);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Milliseconds to wait: `retry-after-ms` when the provider sends it, else Retry-After (seconds or an HTTP date). */
export function retryAfterMs(
  headers: { get(name: string): string | null } | undefined,
  now = Date.now(),
): number | null {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  return parseRetryAfter(headers?.get("retry-after"), now);
}

export interface RetryContext {
  provider: string;
  model: string;
  /** Secrets to strip from any message (the API key). */
  secrets: readonly (string | undefined)[];
  classify(error: unknown): FailureKind;
  policy: RetryPolicy;
  /** The caller's signal: aborting it stops at once. */
  abortSignal?: AbortSignal | undefined;
  random?: () => number;
}

/** One call's retry state: what the failure helpers need to word and time their decision. */
interface CallState {
  context: RetryContext;
  startedAt: number;
  /** How many requests were sent so far. */
  attempts: number;
}

/** A failure the retry loop may still retry (an "aborted" or "other" one ends the call first). */
type RetriedFailure = Extract<FailureKind, { kind: "http" | "connection" | "timeout" }>;

/** The call's failure as an `LlmApiError`, its message stripped of the secrets. */
function fail(call: CallState, message: string, status: number | null, retryable: boolean) {
  const { provider, model, secrets } = call.context;
  return new LlmApiError(redact(message, secrets), {
    provider,
    model,
    status,
    retryable,
    attempts: call.attempts,
    hint: hintFor(provider, status),
  });
}

/** The failure as a clause of a message. */
function failureText(failure: RetriedFailure, policy: RetryPolicy): string {
  return failure.kind === "http"
    ? `HTTP ${failure.status}: ${failure.message}`
    : failure.kind === "timeout"
      ? `no answer within ${policy.timeoutMs} ms`
      : `connection failed: ${failure.message}`;
}

/**
 * Milliseconds to wait before the next request after `failure`, or the
 * `LlmApiError` that ends the call when the failure is not worth retrying,
 * the retries are spent or the wait would pass a limit. `random` is drawn
 * once per retryable failure, before Retry-After is looked at, so a seeded
 * generator gives the same waits whatever the provider asks.
 */
function nextWait(call: CallState, failure: RetriedFailure, random: () => number): number {
  const { provider, policy } = call.context;
  const { attempts } = call;
  const status = failure.kind === "http" ? failure.status : null;
  const what = failureText(failure, policy);
  const retryable = status === null || RETRYABLE_STATUS.has(status) || status >= 500;
  if (!retryable) throw fail(call, `${provider} refused the request: ${what}`, status, false);
  if (attempts > policy.maxRetries) {
    throw fail(
      call,
      `${provider} kept failing: ${what} (${attempts} requests, retry budget ${policy.maxRetries} spent).`,
      status,
      true,
    );
  }
  const backoff = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
  const asked = failure.kind === "http" ? failure.retryAfterMs : null;
  if (asked !== null && asked > policy.maxDelayMs) {
    throw fail(
      call,
      `${provider} asked to retry after ${Math.ceil(asked / 1000)} s, longer than maxDelayMs (${policy.maxDelayMs} ms): ${what}`,
      status,
      true,
    );
  }
  const wait = asked ?? backoff;
  if (Date.now() - call.startedAt + wait >= policy.totalTimeoutMs) {
    throw fail(
      call,
      `${provider} kept failing and the next try (in ${Math.ceil(wait)} ms) would pass the call's limit of ${policy.totalTimeoutMs} ms: ${what}`,
      status,
      true,
    );
  }
  return wait;
}

/**
 * Runs `attempt` until it succeeds, a failure is not worth retrying, the
 * retries run out or the deadline passes. `attempt` gets a signal that fires
 * at the deadline and a per-request timeout to hand to the SDK.
 */
export async function withRetries<T>(
  context: RetryContext,
  attempt: (request: { signal: AbortSignal; timeoutMs: number }) => Promise<T>,
): Promise<T> {
  const { policy, provider } = context;
  const random = context.random ?? Math.random;
  const deadline = AbortSignal.timeout(policy.totalTimeoutMs);
  const signal = context.abortSignal ? AbortSignal.any([deadline, context.abortSignal]) : deadline;
  const call: CallState = { context, startedAt: Date.now(), attempts: 0 };

  for (call.attempts = 1; ; call.attempts++) {
    const remaining = policy.totalTimeoutMs - (Date.now() - call.startedAt);
    try {
      return await attempt({
        signal,
        timeoutMs: Math.max(1, Math.min(policy.timeoutMs, remaining)),
      });
    } catch (error) {
      if (context.abortSignal?.aborted) throw context.abortSignal.reason ?? error;
      const failure = context.classify(error);
      if (failure.kind === "other") throw error;
      const overDeadline = deadline.aborted || Date.now() - call.startedAt >= policy.totalTimeoutMs;
      if (failure.kind === "aborted" || overDeadline) {
        const requests = `${call.attempts} request${call.attempts === 1 ? "" : "s"}`;
        throw fail(
          call,
          `${provider} did not answer within the call's limit of ${policy.totalTimeoutMs} ms (${requests}).`,
          null,
          true,
        );
      }
      await sleep(nextWait(call, failure, random), signal);
    }
  }
}

function hintFor(provider: string, status: number | null): string | undefined {
  const variable = provider === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
  if (status === 401)
    return `check the API key (${variable}, or the apiKey option); it is never printed.`;
  if (status === 403) return "the key is valid but may not use this model or endpoint.";
  if (status === 404)
    return "check the model name and baseURL (OpenAI-compatible servers usually end in /v1).";
  if (status === 429) return "lower the call rate or raise maxRetries / maxDelayMs.";
  if (status === null)
    return "check that the provider (or baseURL) is reachable, or raise timeoutMs / totalTimeoutMs.";
  return undefined;
}
