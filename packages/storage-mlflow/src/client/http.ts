import { setTimeout as sleep } from "node:timers/promises";
import { parseRetryAfter, redactUrisIn } from "@converge/core";
import { Pool } from "undici";
import { authorizationHeader, type MlflowAuth } from "./config.js";
import { MlflowError } from "./errors.js";

/** Statuses retried (as MLflow's Python client does), POST included. */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 10_000;

export interface HttpSettings {
  trackingUri: string;
  auth: MlflowAuth;
  timeoutMs: number;
  maxRetries: number;
  retryBudgetMs: number;
  connections: number;
}

export interface RequestOptions<T> {
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Raw bytes (artifact upload). */
  body?: string | Uint8Array;
  contentType?: string;
  /**
   * Called before each retry: when it returns a value, the request is not sent
   * again and that value is the answer (used to make `runs/create` safe to
   * retry after a lost response).
   */
  recover?: () => Promise<T | undefined>;
}

/** Request counters, for tests and benchmarks. */
export interface HttpStats {
  /** Requests sent (each attempt counts). */
  requests: number;
  /** Attempts that were retried. */
  retries: number;
}

/** A keep-alive connection pool with timeouts, retries and typed errors. */
export class Http {
  readonly stats: HttpStats = { requests: 0, retries: 0 };
  private poolInstance: Pool | undefined;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly authHeader: string | undefined;
  private readonly host: string;

  constructor(private readonly settings: HttpSettings) {
    const url = new URL(settings.trackingUri);
    this.host = url.host;
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.authHeader = authorizationHeader(settings.auth);
    this.origin = url.origin;
  }

  /** The pool, made again on first use after `close()`. */
  private get pool(): Pool {
    this.poolInstance ??= new Pool(this.origin, {
      connections: this.settings.connections,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
    return this.poolInstance;
  }

  get hasCredentials(): boolean {
    return this.authHeader !== undefined;
  }

  async close(): Promise<void> {
    const pool = this.poolInstance;
    this.poolInstance = undefined;
    await pool?.close();
  }

  /** Sends a request and returns the response body; throws `MlflowError` for any non-2xx answer. */
  async send(method: string, path: string, options: RequestOptions<Buffer> = {}): Promise<Buffer> {
    return this.sendWith(method, path, options, (b) => b);
  }

  /** Sends a request and parses the JSON answer (an empty body is `{}`). */
  async json<T>(method: string, path: string, options: RequestOptions<T> = {}): Promise<T> {
    return this.sendWith(method, path, options, (b) => parseJson<T>(b, `${method} ${path}`));
  }

  private async sendWith<T>(
    method: string,
    path: string,
    options: RequestOptions<T>,
    decode: (body: Buffer) => T,
  ): Promise<T> {
    const endpoint = `${method} ${path}`;
    const fullPath = withQuery(`${this.basePath}${path}`, options.query);
    const { headers, body } = requestBody(options, this.authHeader);
    const started = Date.now();
    const { maxRetries, retryBudgetMs, timeoutMs } = this.settings;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && options.recover) {
        try {
          const found = await options.recover();
          if (found !== undefined) return found;
        } catch {
          // The recovery lookup failing is no answer: send again.
        }
      }
      let failure: MlflowError;
      let retryAfterMs: number | undefined;
      this.stats.requests++;
      try {
        const res = await this.pool.request({
          path: fullPath,
          method: method as "GET",
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const buf = Buffer.from(await res.body.arrayBuffer());
        if (res.statusCode >= 200 && res.statusCode < 300) return decode(buf);
        failure = this.httpError(endpoint, res.statusCode, buf);
        const header = res.headers["retry-after"];
        retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header) ?? undefined;
      } catch (error) {
        if (MlflowError.isInstance(error)) throw error; // a decode error
        failure = this.connectionError(endpoint, error);
      }
      if (!failure.unreachable) throw failure;
      const elapsed = Date.now() - started;
      const backoff = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
      const delay = Math.max(backoff, retryAfterMs ?? 0);
      if (attempt >= maxRetries || elapsed + delay > retryBudgetMs) {
        throw gaveUp(failure, endpoint, attempt + 1, elapsed);
      }
      this.stats.retries++;
      await sleep(delay);
    }
  }

  private connectionError(endpoint: string, error: unknown): MlflowError {
    const code = (error as { code?: string } | null)?.code;
    const name = (error as { name?: string } | null)?.name;
    const what =
      name === "TimeoutError" || name === "AbortError"
        ? `no answer within ${this.settings.timeoutMs} ms`
        : code === "ECONNREFUSED"
          ? "connection refused"
          : (code ?? name ?? "connection failed");
    return new MlflowError(`MLflow ${endpoint} at ${this.settings.trackingUri}: ${what}`, {
      endpoint,
      unreachable: true,
      hint: `check that \`mlflow server\` is running and reachable at ${this.settings.trackingUri} (MLFLOW_TRACKING_URI); a slow server may need a larger timeoutMs`,
    });
  }

  private httpError(endpoint: string, status: number, body: Buffer): MlflowError {
    const text = body.toString("utf8").trim();
    let errorCode: string | undefined;
    let message = text;
    try {
      const parsed = JSON.parse(text) as { error_code?: unknown; message?: unknown };
      if (typeof parsed.error_code === "string") errorCode = parsed.error_code;
      if (typeof parsed.message === "string") message = parsed.message;
    } catch {
      // A plain-text or HTML body: kept as text.
    }
    if (/^\s*<(!doctype|html)/i.test(message)) message = "(an HTML page)";
    if (message.length > 1000) message = `${message.slice(0, 1000)}...`;
    // A proxy in front of the server may quote a URL with credentials in its error page.
    message = redactUrisIn(this.redact(message));
    const detail = [errorCode, message].filter((s) => s).join(": ");
    const head = `MLflow ${endpoint} failed with HTTP ${status}${detail ? `: ${detail}` : ""}`;
    let hint: string | undefined;
    if (status === 403 && /invalid host header/i.test(text)) {
      hint = `the server's Host check rejected "${this.host}": start it with \`mlflow server --allowed-hosts ${this.host}\` (or connect to it as 127.0.0.1 / localhost)`;
    } else if (status === 401) {
      hint = this.hasCredentials
        ? "the server rejected the credentials: check MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
        : "the server needs credentials: set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD";
    } else if (status === 403) {
      hint =
        "the server refused this request: check that MLFLOW_TRACKING_TOKEN / MLFLOW_TRACKING_USERNAME have permission on this experiment";
    } else if (status === 404 && (errorCode === undefined || errorCode === "ENDPOINT_NOT_FOUND")) {
      hint = `the server at ${this.settings.trackingUri} has no such endpoint: it may be too old (MLflow 2.x or newer is needed, started with artifact serving for artifacts) or the tracking URI has a wrong path`;
    } else if (RETRY_STATUSES.has(status)) {
      hint = `the MLflow server at ${this.settings.trackingUri} is failing or overloaded: try again later (the store spools records meanwhile)`;
    }
    return new MlflowError(head, {
      status,
      errorCode,
      endpoint,
      hint,
      unreachable: RETRY_STATUSES.has(status),
    });
  }

  /** Removes the credentials, should a server ever echo them. */
  redact(text: string): string {
    const auth = this.settings.auth;
    const secrets =
      auth.kind === "bearer"
        ? [auth.token]
        : auth.kind === "basic"
          ? [auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString("base64")]
          : [];
    let out = text;
    for (const s of secrets) if (s.length >= 3) out = out.split(s).join("[REDACTED]");
    return out;
  }
}

/** The path with the query's defined values appended. */
function withQuery(path: string, query: RequestOptions<unknown>["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The headers and body of a request: JSON, raw bytes, or none. */
function requestBody(
  options: RequestOptions<unknown>,
  authHeader: string | undefined,
): { headers: Record<string, string>; body: string | Uint8Array | undefined } {
  const headers: Record<string, string> = { accept: "application/json" };
  if (authHeader) headers.authorization = authHeader;
  let body: string | Uint8Array | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] = "application/json";
  } else if (options.body !== undefined) {
    body = options.body;
    headers["content-type"] = options.contentType ?? "application/octet-stream";
  }
  return { headers, body };
}

/** The error of a request that ran out of retries: the last failure, with how long was tried. */
function gaveUp(
  failure: MlflowError,
  endpoint: string,
  attempts: number,
  elapsed: number,
): MlflowError {
  return new MlflowError(
    `${failure.message.split("\nFix:")[0]} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"} in ${elapsed} ms)`,
    {
      status: failure.status,
      errorCode: failure.errorCode,
      endpoint,
      unreachable: true,
      hint: failure.hint,
    },
  );
}

function parseJson<T>(body: Buffer, endpoint: string): T {
  if (body.length === 0) return {} as T;
  const text = body.toString("utf8");
  try {
    return JSON.parse(text) as T;
  } catch {
    try {
      // Some servers write bare NaN / Infinity tokens.
      return JSON.parse(text.replace(/(?<=[:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, '"$1"')) as T;
    } catch {
      throw new MlflowError(`MLflow ${endpoint} answered with something that is not JSON.`, {
        endpoint,
        hint: "check that the tracking URI points at an MLflow tracking server (not a UI proxy or login page)",
      });
    }
  }
}
