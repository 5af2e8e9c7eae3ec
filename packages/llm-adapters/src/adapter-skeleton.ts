/**
 * The skeleton every SDK adapter is built on. What `openai()` and
 * `anthropic()` do alike lives here once, so a provider file holds only its
 * wire format: the SDK client is made on the first call (a missing key fails
 * there, not when the model is configured), each request runs inside the retry
 * budget and the shape check, the answer is priced with a warning once per
 * model when its usage or price is unknown, and the reply becomes the
 * validated object.
 */
import type { GenerateObjectOptions, GenerateObjectResult, LanguageModel } from "@converge/core";
import type { z } from "zod";
import { type ResolvedSettings, readApiKey } from "./adapter-settings.js";
import { checkShape, parsedAnswer, type ShapeExpectation } from "./answer-shape.js";
import type { LlmOutputError } from "./errors.js";
import { type AnswerContext, outputError, parseAnswer, validateAnswer } from "./parse-output.js";
import { type ModelPrice, priceOfAnswer } from "./pricing.js";
import { type FailureKind, withRetries } from "./retry.js";

/** What both SDKs' constructors take under the same names. */
export interface SdkClientOptions {
  apiKey: string;
  baseURL?: string;
  defaultHeaders?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
  /** Off: the skeleton's retry loop is the only one, so one budget decides. */
  maxRetries: 0;
  timeout: number;
}

/** Per-request options both SDKs take: the retry loop's signal and time limit. */
export interface SdkRequestOptions {
  signal: AbortSignal;
  timeout: number;
  maxRetries: 0;
}

/** A provider's SDK as the skeleton connects to it. */
export interface ProviderConnection<Client extends { baseURL: string }> {
  /** "openai" or "anthropic": the provider on every result and the factory's name in messages. */
  provider: string;
  /** Where the key is read from when the settings carry none, e.g. OPENAI_API_KEY. */
  keyVariable: string;
  createClient(options: SdkClientOptions): Client;
  /** How the retry loop reads the SDK's errors. */
  classify(error: unknown): FailureKind;
  /** What to check when a 200 answer is not in the provider's shape. */
  fix: string;
}

/** One answer's token usage, as the provider bills it. */
export interface MeteredUsage {
  /** The tokens put on the result: every input token, cached ones included. */
  tokens: { inputTokens: number; outputTokens: number };
  /** The call's cost at `price`, or null when the price is unknown. */
  costAt(price: ModelPrice | undefined): number | null;
}

/** What an answer holds: JSON text, or a value the SDK already decoded (a tool call's input). */
export type Reply = { text: string } | { value: unknown };

/**
 * One endpoint's wire format. `Body` is the request the SDK sends, `Answer`
 * the part of the answer the adapter reads, validated by `answerShape`
 * before any of it is read (the SDKs' types are a promise the server may not
 * keep).
 */
export interface ProviderWire<Client, Body, Answer> {
  /** How the answer should look, for the error when it does not, e.g. "the Anthropic Messages shape". */
  shape: string;
  answerShape: z.ZodType<Answer>;
  /**
   * The request body. Built before any request, so a schema the endpoint
   * cannot take fails as a ConfigurationError without a call being paid.
   */
  body<T>(options: GenerateObjectOptions<T>, name: string): Body;
  send(client: Client, body: Body, request: SdkRequestOptions): Promise<unknown>;
  /** Which model answered and what it used; usage undefined when the server reported none. */
  meter(answer: Answer): { model: string | undefined; usage: MeteredUsage | undefined };
  /** The reply to parse; throws an `LlmOutputError` for a refusal, a cut-off or a missing answer. */
  reply(answer: Answer, context: AnswerContext, name: string): Reply;
}

/** A name the providers accept for a schema or tool: ^[A-Za-z0-9_-]{1,64}$. */
function schemaName(name: string | undefined): string {
  const clean = (name ?? "answer").replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 64);
  return clean === "" ? "answer" : clean;
}

/** The error for an answer cut off at the output-token limit. */
export function truncatedError(
  context: AnswerContext,
  maxOutputTokens: number,
  text: string,
): LlmOutputError {
  return outputError(
    context,
    "truncated",
    `${context.provider}/${context.model} ran out of output tokens (maxOutputTokens ${maxOutputTokens}) before finishing the answer.`,
    text,
  );
}

/** The error for an answer the provider's content filter stopped. */
export function contentFilterError(context: AnswerContext, text: string): LlmOutputError {
  return outputError(
    context,
    "refusal",
    `${context.provider}/${context.model} stopped: content filter.`,
    text,
  );
}

/** What one adapter keeps between calls: the client, its key, the warnings already given. */
interface Session<Client> {
  provider: string;
  settings: ResolvedSettings;
  client: Client | undefined;
  key: string | undefined;
  warned: Set<string>;
}

function connect<Client extends { baseURL: string }>(
  session: Session<Client>,
  connection: ProviderConnection<Client>,
): Client {
  if (session.client) return session.client;
  const { settings } = session;
  session.key = readApiKey(session.provider, settings.explicitKey, connection.keyVariable);
  session.client = connection.createClient({
    apiKey: session.key,
    ...(settings.baseURL !== undefined && { baseURL: settings.baseURL }),
    ...(settings.headers && { defaultHeaders: settings.headers }),
    ...(settings.fetch && { fetch: settings.fetch }),
    maxRetries: 0,
    timeout: settings.policy.timeoutMs,
  });
  return session.client;
}

function warnOnce(session: Session<unknown>, key: string, message: string): void {
  if (session.warned.has(key)) return;
  session.warned.add(key);
  session.settings.warn(message);
}

/** Who answered and what it cost; the model the settings name when the answer names none. */
function answerContext(
  session: Session<unknown>,
  answeredModel: string | undefined,
  usage: MeteredUsage | undefined,
): AnswerContext {
  const { provider, settings } = session;
  const model = answeredModel || settings.model;
  const price = priceOfAnswer(model, settings.model, settings.prices);
  if (!usage) {
    warnOnce(
      session,
      `usage:${model}`,
      `the server reported no token usage for ${provider}/${model}: costUsd is null.`,
    );
  } else if (!price) {
    warnOnce(
      session,
      `price:${model}`,
      `no price known for ${provider}/${model}: costUsd is null. Pass ${provider}({ prices: { "${model}": { inputPerMillion, outputPerMillion } } }) to record its cost.`,
    );
  }
  return {
    provider,
    model,
    usage: usage ? usage.tokens : { inputTokens: 0, outputTokens: 0 },
    costUsd: usage ? usage.costAt(price) : null,
    secrets: [session.key],
  };
}

async function generate<Client extends { baseURL: string }, Body, Answer, T>(
  session: Session<Client>,
  connection: ProviderConnection<Client>,
  wire: ProviderWire<Client, Body, Answer>,
  options: GenerateObjectOptions<T>,
): Promise<GenerateObjectResult<T>> {
  const { provider, settings } = session;
  const sdk = connect(session, connection);
  const name = schemaName(options.schemaName);
  const body = wire.body(options, name);
  const expect: ShapeExpectation = {
    provider,
    model: settings.model,
    baseURL: sdk.baseURL,
    shape: wire.shape,
    fix: connection.fix,
  };
  const retry = {
    provider,
    model: settings.model,
    secrets: [session.key],
    classify: connection.classify,
    policy: settings.policy,
    abortSignal: options.abortSignal,
  };
  const raw = await withRetries(retry, ({ signal, timeoutMs }) =>
    parsedAnswer(wire.send(sdk, body, { signal, timeout: timeoutMs, maxRetries: 0 }), expect),
  );
  const answer = checkShape(wire.answerShape, raw, expect);
  const metered = wire.meter(answer);
  const context = answerContext(session, metered.model, metered.usage);
  const reply = wire.reply(answer, context, name);
  const object =
    "text" in reply
      ? parseAnswer(context, reply.text, options.schema)
      : validateAnswer(context, reply.value, options.schema);
  return {
    object,
    usage: context.usage,
    costUsd: context.costUsd,
    model: context.model,
    provider,
  };
}

/** A `LanguageModel` that speaks `wire` over `connection`'s SDK. */
export function adapterModel<Client extends { baseURL: string }, Body, Answer>(
  connection: ProviderConnection<Client>,
  wire: ProviderWire<Client, Body, Answer>,
  settings: ResolvedSettings,
): LanguageModel {
  const session: Session<Client> = {
    provider: connection.provider,
    settings,
    client: undefined,
    key: undefined,
    warned: new Set(),
  };
  return {
    specificationVersion: "v1",
    provider: connection.provider,
    modelId: settings.model,
    generateObject<T>(options: GenerateObjectOptions<T>): Promise<GenerateObjectResult<T>> {
      return generate(session, connection, wire, options);
    },
  };
}
