import type { FakeReply, FakeUsage, RecordedRequest } from "./fake-provider-server.js";

/** The scripted replies that produce a model answer (HTTP 200). */
export type ContentReply = Extract<
  FakeReply,
  { kind: "object" | "text" | "refusal" | "truncated" }
>;

/** A JSON object: what every request body the fakes accept must be. */
export type JsonObject = Record<string, unknown>;

/** An error answer before it is put into the provider's error format. */
export interface WireError {
  status: number;
  message: string;
  /** OpenAI's `error.param`; Anthropic ignores it. */
  param?: string;
  /** OpenAI's `error.code`; Anthropic ignores it. */
  code?: string;
}

/** What one endpoint does with a request that passed routing and authentication. */
export interface Endpoint {
  /** The 400 to answer, or undefined when the body is acceptable. */
  validate(body: JsonObject): WireError | undefined;
  /** The 200 body for a scripted model answer. */
  render(reply: ContentReply, context: RenderContext): unknown;
}

export interface RenderContext {
  body: JsonObject;
  /** The model to report: the fake's `model` option, else the request's `model`. */
  model: string;
  /** A per-server sequence number, for deterministic ids. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The reply's own usage, or the deterministic estimate for this request and output text. */
  usage(reply: ContentReply, outputText: string): FakeUsage;
}

/** One provider's wire format, as the shared HTTP server needs it. */
export interface WireFormat {
  /** The path the SDK's baseURL must carry (its SDK appends the rest). */
  basePath: string;
  /** Endpoints by exact pathname (POST only). */
  endpoints: ReadonlyMap<string, Endpoint>;
  /** Response header that carries the request id (`x-request-id`, `request-id`). */
  requestIdHeader: string;
  isAuthorized(headers: RecordedRequest["headers"], apiKey: string): boolean;
  /** The 401, which never contains the credential that was sent. */
  unauthorized(headers: RecordedRequest["headers"]): WireError;
  notFound(method: string, path: string): WireError;
  invalidJson(): WireError;
  /** The provider's JSON error body. */
  errorBody(error: WireError, requestId: string): unknown;
}

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The model's output text for a scripted answer (an object is its JSON). */
export function outputText(reply: ContentReply): string {
  switch (reply.kind) {
    case "object":
      return JSON.stringify(reply.value) ?? "null";
    case "refusal":
      return reply.message;
    default:
      return reply.text;
  }
}

/** The fakes' token estimate: a quarter of the characters, rounded up. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

export const badRequest = (message: string, param?: string, code?: string): WireError => ({
  status: 400,
  message,
  ...(param === undefined ? {} : { param }),
  ...(code === undefined ? {} : { code }),
});

export const header = (headers: RecordedRequest["headers"], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};
