/**
 * An HTTP proxy on 127.0.0.1 between a client and the MLflow server that injects faults
 * by a deterministic plan: 500s, 429 with Retry-After, connections dropped before the
 * server sees the request, responses lost after the server applied the request (the case
 * that makes naive retries duplicate runs), and delayed responses.
 */

import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "@converge/core";
import { compile, type FaultKind, type FaultPlan } from "./fault-plan.js";

export type {
  FaultAction,
  FaultKind,
  FaultPlan,
  RequestInfo,
  SeededFaultPlan,
  SequenceFaultPlan,
} from "./fault-plan.js";

export interface FaultLogEntry {
  index: number;
  method: string;
  path: string;
  action: FaultKind | "pass";
  /** Delay applied (ms), for `delay` faults and jitter. */
  delayMs?: number;
  /** Status sent to the client (absent when the connection was dropped). */
  status?: number;
  /** Status the server answered (absent when not forwarded or the server was unreachable). */
  upstreamStatus?: number;
}

export interface FaultProxyStats {
  /** Requests received from the client. */
  requests: number;
  /** Requests that reached the server (pass, dropAfter, delay). */
  forwarded: number;
  /** Requests the server could not be reached for (answered per `onUpstreamError`). */
  upstreamErrors: number;
  faultsInjected: number;
  byKind: Record<FaultKind, number>;
  log: FaultLogEntry[];
}

export interface FaultProxyOptions {
  /**
   * When the server cannot be reached: `"drop"` destroys the client's connection (as a dead
   * server would look without the proxy; default) or `"502"` answers 502 Bad Gateway.
   */
  onUpstreamError?: "drop" | "502";
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: point the client here instead of at the server. */
  readonly url: string;
  readonly port: number;
  /** Live counters (the same object throughout; `log` grows). */
  readonly stats: FaultProxyStats;
  /** Replace the plan; the sequence position and random stream restart. */
  setPlan(plan: FaultPlan): void;
  stop(): Promise<void>;
}

/** Core's seeded PRNG (mulberry32), re-exported for plans built in tests. */
export { seededRandom };

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "content-length",
]);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(key.toLowerCase())) out[key] = value;
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts the proxy on a free port of 127.0.0.1, forwarding to `targetUrl`
 * (e.g. `server.url`). Default plan: forward everything.
 */
export async function startFaultProxy(
  targetUrl: string,
  plan: FaultPlan = { sequence: [] },
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const onUpstreamError = options.onUpstreamError ?? "drop";
  let decide = compile(plan);
  const timers = new Set<NodeJS.Timeout>();
  const stats: FaultProxyStats = {
    requests: 0,
    forwarded: 0,
    upstreamErrors: 0,
    faultsInjected: 0,
    byKind: { error500: 0, rateLimit: 0, dropBefore: 0, dropAfter: 0, delay: 0 },
    log: [],
  };

  const wait = (ms: number) =>
    new Promise<void>((resolveWait) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolveWait();
      }, ms);
      timers.add(timer);
    });

  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: OutgoingHttpHeaders; body: Buffer } | Error> =>
    new Promise((resolveForward) => {
      const headers = endToEnd(req.headers);
      headers.host = target.host; // MLflow 3.x checks Host
      if (body.length > 0 || req.headers["content-length"] !== undefined) {
        headers["content-length"] = body.length;
      }
      const upstream = httpRequest(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
        },
        (response) => {
          readBody(response).then(
            (responseBody) =>
              resolveForward({
                status: response.statusCode ?? 502,
                headers: endToEnd(response.headers),
                body: responseBody,
              }),
            (error: Error) => resolveForward(error),
          );
        },
      );
      upstream.on("error", (error) => resolveForward(error));
      upstream.end(body);
    });

  const send = (
    res: ServerResponse,
    entry: FaultLogEntry,
    status: number,
    headers: OutgoingHttpHeaders,
    body: Buffer | string,
  ) => {
    const buffer = typeof body === "string" ? Buffer.from(body) : body;
    entry.status = status;
    res.writeHead(status, { ...headers, "content-length": buffer.length });
    res.end(buffer);
  };

  const server = createServer(async (req, res) => {
    const index = stats.requests++;
    const entry: FaultLogEntry = {
      index,
      method: req.method ?? "GET",
      path: req.url ?? "/",
      action: "pass",
    };
    stats.log.push(entry);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      return; // the client went away
    }
    const { action, jitterMs } = decide({
      index,
      method: entry.method,
      path: entry.path,
      body: body.toString("utf8"),
    });
    entry.action = action.kind;
    if (action.kind !== "pass") {
      stats.faultsInjected++;
      stats.byKind[action.kind]++;
    }
    switch (action.kind) {
      case "error500":
        send(
          res,
          entry,
          500,
          { "content-type": "application/json" },
          JSON.stringify({ error_code: "INTERNAL_ERROR", message: "fault-proxy: injected 500" }),
        );
        return;
      case "rateLimit":
        send(
          res,
          entry,
          429,
          {
            "content-type": "application/json",
            "retry-after": String(action.retryAfterSeconds ?? 1),
          },
          JSON.stringify({
            error_code: "REQUEST_LIMIT_EXCEEDED",
            message: "fault-proxy: injected 429",
          }),
        );
        return;
      case "dropBefore":
        req.socket.destroy();
        return;
      default:
        break;
    }
    stats.forwarded++;
    const result = await forward(req, body);
    if (result instanceof Error) {
      stats.upstreamErrors++;
      if (onUpstreamError === "502") {
        send(
          res,
          entry,
          502,
          { "content-type": "text/plain" },
          `fault-proxy: upstream unreachable: ${result.message}`,
        );
      } else {
        req.socket.destroy();
      }
      return;
    }
    entry.upstreamStatus = result.status;
    if (action.kind === "dropAfter") {
      req.socket.destroy();
      return;
    }
    const delay = action.kind === "delay" ? action.ms : jitterMs;
    if (delay !== undefined && delay > 0) {
      entry.delayMs = delay; // a "pass" with a delay is jitter, not a fault
      await wait(delay);
    }
    if (!res.destroyed) send(res, entry, result.status, result.headers, result.body);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    setPlan(next) {
      decide = compile(next);
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}
