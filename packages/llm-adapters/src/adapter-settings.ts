/**
 * Settings both adapters share, validated with zod at `openai()` /
 * `anthropic()` so a typo fails at once and names the field.
 */
import { ConfigurationError, parseOrThrow } from "@converge/core";
import { z } from "zod";
import { DEFAULT_PRICES, type ModelPrice, PriceTableSchema } from "./pricing.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js";

/** Settings of every adapter. */
export interface CommonSettings {
  /** Model id as the provider (or the compatible server) names it, e.g. "gpt-4.1". */
  model: string;
  /** Default: the provider's environment variable, read at the first call. Never stored or printed. */
  apiKey?: string;
  /** Default: the SDK's own variable (OPENAI_BASE_URL / ANTHROPIC_BASE_URL), else the provider. */
  baseURL?: string;
  /** Extra HTTP headers on every request (e.g. a gateway's routing header). */
  headers?: Record<string, string>;
  /** A fetch implementation for the SDK (proxies, tests). */
  fetch?: typeof globalThis.fetch;
  /** Time limit of each request in ms. Default 60,000. */
  timeoutMs?: number;
  /** Time limit of a whole call, retries included, in ms. Default 180,000. */
  totalTimeoutMs?: number;
  /** Retries after a 408/409/429/5xx, a connection error or a timeout. Default 2. */
  maxRetries?: number;
  /** Longest wait between tries in ms, Retry-After included. Default 30,000. */
  maxDelayMs?: number;
  /** Output-token limit of each call. Default 4,096. */
  maxOutputTokens?: number;
  /** Sampling temperature; default: the provider's. */
  temperature?: number;
  /** Prices by model id, merged over DEFAULT_PRICES. */
  prices?: Record<string, ModelPrice>;
  /** Where warnings go (e.g. "no price known"). Default: console.warn. */
  onWarning?: (message: string) => void;
}

// Node's timers hold at most 2^31 - 1 ms (~24.8 days); longer ones fire at once.
const positiveMs = z
  .number()
  .int()
  .positive()
  .max(2_147_483_647, "at most 2,147,483,647 ms (about 24 days): Node's timers go no further");
export const CommonSettingsSchema = z.object({
  model: z.string().trim().min(1, "model must name a model, e.g. gpt-4.1 or claude-sonnet-4-5"),
  apiKey: z.string().min(1, "apiKey must not be empty: omit it to read the environment").optional(),
  baseURL: z
    .url("baseURL must be an http(s) URL, e.g. http://127.0.0.1:11434/v1")
    .refine((u) => /^https?:\/\//i.test(u), "baseURL must start with http:// or https://")
    .optional(),
  headers: z.record(z.string(), z.string()).optional(),
  fetch: z
    .custom<typeof globalThis.fetch>((v) => typeof v === "function", "fetch must be a function")
    .optional(),
  timeoutMs: positiveMs.optional(),
  totalTimeoutMs: positiveMs.optional(),
  maxRetries: z.number().int().min(0).max(10).optional(),
  maxDelayMs: z.number().int().nonnegative().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  prices: PriceTableSchema.optional(),
  onWarning: z
    .custom<(m: string) => void>((v) => typeof v === "function", "onWarning must be a function")
    .optional(),
});

/** What an adapter works with after validation. */
export interface ResolvedSettings {
  model: string;
  explicitKey: string | undefined;
  baseURL: string | undefined;
  headers: Record<string, string> | undefined;
  fetch: typeof globalThis.fetch | undefined;
  policy: RetryPolicy;
  maxOutputTokens: number;
  temperature: number | undefined;
  prices: Readonly<Record<string, ModelPrice>>;
  warn: (message: string) => void;
}

/**
 * Validates an adapter's settings with its schema (the common one extended,
 * strict so a misspelt option is named) and resolves the shared part.
 */
export function resolveSettings<S extends z.ZodType<z.output<typeof CommonSettingsSchema>>>(
  adapter: string,
  schema: S,
  settings: unknown,
): { resolved: ResolvedSettings; parsed: z.output<S> } {
  const parsed = parseOrThrow(schema, settings, `${adapter}() settings`);
  return { resolved: resolveCommon(adapter, parsed), parsed };
}

function resolveCommon(
  adapter: string,
  s: z.output<typeof CommonSettingsSchema>,
): ResolvedSettings {
  const timeoutMs = s.timeoutMs ?? DEFAULT_RETRY_POLICY.timeoutMs;
  const totalTimeoutMs =
    s.totalTimeoutMs ?? Math.max(DEFAULT_RETRY_POLICY.totalTimeoutMs, timeoutMs);
  if (totalTimeoutMs < timeoutMs) {
    throw new ConfigurationError(
      `${adapter}(): totalTimeoutMs (${totalTimeoutMs}) is shorter than timeoutMs (${timeoutMs}).`,
      { hint: "make totalTimeoutMs at least timeoutMs (it covers every retry of a call)." },
    );
  }
  return {
    model: s.model,
    explicitKey: s.apiKey,
    baseURL: s.baseURL,
    headers: s.headers,
    fetch: s.fetch,
    policy: {
      ...DEFAULT_RETRY_POLICY,
      timeoutMs,
      totalTimeoutMs,
      ...(s.maxRetries !== undefined && { maxRetries: s.maxRetries }),
      ...(s.maxDelayMs !== undefined && { maxDelayMs: s.maxDelayMs }),
    },
    maxOutputTokens: s.maxOutputTokens ?? 4096,
    temperature: s.temperature,
    prices: { ...DEFAULT_PRICES, ...(s.prices ?? {}) },
    warn: s.onWarning ?? ((message) => console.warn(`converge: ${message}`)),
  };
}

/** The API key from the options or the environment, read when first needed. */
export function readApiKey(
  adapter: string,
  explicit: string | undefined,
  variable: string,
): string {
  const key = explicit ?? process.env[variable];
  if (key && key.trim() !== "") return key;
  throw new ConfigurationError(`${adapter}(): no API key: ${variable} is not set.`, {
    hint: `export ${variable}=... or pass ${adapter}({ apiKey }). Local OpenAI-compatible servers that need no key accept any placeholder, e.g. apiKey: "local".`,
  });
}
