/**
 * A local HTTP server that speaks the OpenAI and Anthropic wire formats, so the adapters' tests can
 * point the real SDKs at it by `baseURL`. Each server answers from a script of replies, one per
 * request that passes routing, authentication and validation; it records every request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { anthropicWire } from "./anthropic-wire.js";
import { openAIWire } from "./openai-wire.js";
import {
  type ContentReply,
  estimateTokens,
  isJsonObject,
  type WireError,
  type WireFormat,
} from "./wire-common.js";

export interface FakeUsage {
  input: number;
  output: number;
}

export type FakeReply =
  /** A valid structured answer: JSON.stringify(value) as the output (Anthropic tool mode: a tool_use block). */
  | { kind: "object"; value: unknown; usage?: FakeUsage }
  /** Raw model text, e.g. invalid JSON or prose. */
  | { kind: "text"; text: string; usage?: FakeUsage }
  /** The model refuses (OpenAI `refusal` fields; Anthropic stop_reason "refusal"). */
  | { kind: "refusal"; message: string; usage?: FakeUsage }
  /** Output cut off at the token limit. */
  | { kind: "truncated"; text: string; usage?: FakeUsage }
  /** An error in the provider's JSON error format, with a Retry-After header when given. */
  | { kind: "http-error"; status: number; retryAfter?: string; message?: string }
  /** Accept the request and never answer (until the client aborts or the server closes). */
  | { kind: "hang" }
  /** Destroy the socket without answering. */
  | { kind: "drop" }
  /**
   * Any body as it is, 200 by default: what a wrong `baseURL` answers (an HTML page, `{}`,
   * `{"choices": []}`, `[1,2]`). `contentType` defaults to application/json.
   */
  | { kind: "raw"; body: string; status?: number; contentType?: string };

export interface RecordedRequest {
  method: string;
  /** The request target as sent, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased names, as node:http gives them (credentials included, as sent). */
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary request fields without casts
  body: any;
  /** Arrival time, ms since the server started. */
  at: number;
}

export interface FakeProviderServer {
  /** The SDK's baseURL: `http://127.0.0.1:PORT/v1` for OpenAI, `http://127.0.0.1:PORT` for Anthropic. */
  baseURL: string;
  /** Every request, in arrival order, including those answered with errors. */
  requests: RecordedRequest[];
  /** Destroys every open socket (hung requests too) and stops listening. Idempotent. */
  close(): Promise<void>;
}

export interface FakeProviderOptions {
  /**
   * Consumed in order, one per accepted request on any endpoint (requests answered 404, 401 or 400
   * by the fake itself consume none); a function is asked each time, with the recorded request and
   * the 0-based count of replies consumed before it.
   */
  replies: FakeReply[] | ((request: RecordedRequest, index: number) => FakeReply);
  /** When set, requests without this key are answered 401. */
  apiKey?: string;
  /** When set, the model reported in answers (e.g. a dated snapshot); else the request's `model`. */
  model?: string;
}

/** A fake OpenAI API: POST /v1/chat/completions and POST /v1/responses. */
export function startFakeOpenAI(options: FakeProviderOptions): Promise<FakeProviderServer> {
  return startFakeServer(openAIWire, options);
}

/** A fake Anthropic API: POST /v1/messages. */
export function startFakeAnthropic(options: FakeProviderOptions): Promise<FakeProviderServer> {
  return startFakeServer(anthropicWire, options);
}

const EXHAUSTED = "fake server: script exhausted";
const NO_STREAMING = "fake server: streaming (stream: true) is not supported by this fake";

async function startFakeServer(
  wire: WireFormat,
  options: FakeProviderOptions,
): Promise<FakeProviderServer> {
  const startedAt = performance.now();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const script = options.replies;
  let consumed = 0;
  let sequence = 0;

  const nextReply = (request: RecordedRequest): FakeReply | undefined => {
    const index = consumed++;
    return typeof script === "function" ? script(request, index) : script[index];
  };

  const handle = (
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    raw: string,
  ) => {
    const id = String(++sequence).padStart(6, "0");
    const requestId = `req_fake${id}`;
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(payload);
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
        [wire.requestIdHeader]: requestId,
        ...headers,
      });
      res.end(text);
    };
    const fail = (error: WireError, headers?: Record<string, string>) =>
      send(error.status, wire.errorBody(error, requestId), headers);

    let parsed: unknown;
    let parsedOk = true;
    try {
      parsed = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      parsed = raw;
      parsedOk = false;
    }
    record.body = parsed;

    const pathname = new URL(record.path, "http://127.0.0.1").pathname;
    const endpoint = record.method === "POST" ? wire.endpoints.get(pathname) : undefined;
    if (!endpoint) return fail(wire.notFound(record.method, pathname));
    if (options.apiKey !== undefined && !wire.isAuthorized(record.headers, options.apiKey)) {
      return fail(wire.unauthorized(record.headers));
    }
    if (!parsedOk || !isJsonObject(parsed)) return fail(wire.invalidJson());
    if (parsed.stream === true)
      return fail({ status: 400, message: NO_STREAMING, param: "stream" });
    const invalid = endpoint.validate(parsed);
    if (invalid) return fail(invalid);

    let reply: FakeReply | undefined;
    try {
      reply = nextReply(record);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return fail({ status: 500, message: `fake server: the reply function threw: ${reason}` });
    }
    if (reply === undefined) return fail({ status: 500, message: EXHAUSTED });

    switch (reply.kind) {
      case "http-error": {
        const message = reply.message ?? `fake server: scripted HTTP ${reply.status}`;
        const headers: Record<string, string> = {};
        if (reply.retryAfter !== undefined) headers["retry-after"] = reply.retryAfter;
        return fail({ status: reply.status, message }, headers);
      }
      case "hang":
        return; // never answered: the client's abort or close() ends the socket
      case "drop":
        req.socket.destroy();
        return;
      case "raw":
        res.writeHead(reply.status ?? 200, {
          "content-type": reply.contentType ?? "application/json",
          "content-length": Buffer.byteLength(reply.body),
          [wire.requestIdHeader]: requestId,
        });
        res.end(reply.body);
        return;
      default: {
        const content: ContentReply = reply;
        const inputTokens = estimateTokens(raw);
        const model = options.model ?? (typeof parsed.model === "string" ? parsed.model : "");
        return send(
          200,
          endpoint.render(content, {
            body: parsed,
            model,
            id,
            created: Math.floor(Date.now() / 1000),
            usage: (r, text) => r.usage ?? { input: inputTokens, output: estimateTokens(text) },
          }),
        );
      }
    }
  };

  const server = createServer((req, res) => {
    const record: RecordedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      headers: { ...req.headers },
      body: undefined,
      at: performance.now() - startedAt,
    };
    requests.push(record);
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("error", () => {}); // a client that aborts mid-body: nothing to answer
    req.on("end", () => {
      try {
        handle(req, res, record, Buffer.concat(chunks).toString("utf8"));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: { message: `fake server: ${reason}` } }));
        } else res.destroy();
      }
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    baseURL: `http://127.0.0.1:${port}${wire.basePath}`,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}
