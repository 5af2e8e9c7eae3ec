/**
 * The HTTP side of `converge watch`: serves the live report on 127.0.0.1 only
 * and pushes each new state as a server-sent event. Requests whose Host is not
 * this loopback address (a page elsewhere reaching in by DNS rebinding) are
 * refused; nothing is fetched from or sent to any other address.
 *
 * Routes: `/` and `/report` the current report (a waiting page that refreshes
 * itself until there is one), `/events` the `state` event stream (the current
 * state on every connect, then each change), `/state` the same state as JSON.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ConvergeError } from "@converge/core";
import type { LiveState } from "@converge/reporters";

/** What the server is to show: the state, and the report's HTML when there is a new one. */
export interface WatchView {
  /** Omitted: the report shown so far stays (a failed look changes only the status line). */
  html?: string;
  state: LiveState;
}

/** A running watch server. */
export interface WatchServer {
  /** e.g. `http://127.0.0.1:8377/` */
  readonly url: string;
  /** Replaces what is shown and tells every open page. */
  publish(view: WatchView): void;
  /** Ends every event stream and stops listening. */
  close(): Promise<void>;
}

/** Seconds between the comments that keep idle event streams open through proxies and timeouts. */
const HEARTBEAT_MS = 15_000;

const COMMON_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
};

/**
 * Starts the server on 127.0.0.1:`port` (0: any free port).
 *
 * @throws ConvergeError when the port is taken or cannot be used, naming the fix
 */
export async function startWatchServer(port: number, initial: WatchView): Promise<WatchServer> {
  let html: string | null = initial.html ?? null;
  let state = initial.state;
  const streams = new Set<ServerResponse>();
  let allowedHosts = new Set<string>();

  const server = createServer((req, res) => {
    if (!allowedHosts.has(req.headers.host ?? "")) {
      send(res, 421, "text/plain", "This server answers only at its own loopback address.\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      send(res, 405, "text/plain", "Only GET and HEAD.\n");
      return;
    }
    route(req, res);
  });

  function route(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (path === "/" || path === "/report") {
      send(res, 200, "text/html; charset=utf-8", html ?? waitingPage(state));
    } else if (path === "/state") {
      send(res, 200, "application/json", `${JSON.stringify(state)}\n`);
    } else if (path === "/events") {
      openStream(req, res);
    } else {
      send(res, 404, "text/plain", "Not found: / is the report, /events its updates.\n");
    }
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...COMMON_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      connection: "keep-alive",
    });
    res.write(`retry: 1000\n${event(state)}`);
    streams.add(res);
    req.on("close", () => streams.delete(res));
  }

  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(": ping\n\n");
  }, HEARTBEAT_MS);
  heartbeat.unref();

  await listen(server, port);
  const address = server.address() as AddressInfo;
  allowedHosts = new Set([`127.0.0.1:${address.port}`, `localhost:${address.port}`]);

  return {
    url: `http://127.0.0.1:${address.port}/`,
    publish(next) {
      if (next.html !== undefined) html = next.html;
      state = next.state;
      const text = event(state);
      for (const res of streams) res.write(text);
    },
    close() {
      clearInterval(heartbeat);
      for (const res of streams) res.end();
      streams.clear();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function event(state: LiveState): string {
  return `event: state\ndata: ${JSON.stringify(state)}\n\n`;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    "content-type": type,
    "content-length": Buffer.byteLength(body),
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const fix =
        error.code === "EADDRINUSE"
          ? `port ${port} is already in use on 127.0.0.1`
          : `cannot listen on 127.0.0.1:${port} (${error.code ?? error.message})`;
      reject(
        new ConvergeError(`converge watch: ${fix}.`, {
          hint: "give another port with --port <n>, or --port 0 for any free one",
        }),
      );
    });
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

/** The page shown before the experiment has a report: says why, and looks again every 2 s. */
function waitingPage(state: LiveState): string {
  const text = escapeHtml(state.message ?? "Waiting for the first iteration…");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; base-uri 'none'; form-action 'none'">
<meta http-equiv="refresh" content="2">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>converge watch</title>
</head>
<body>
<main><h1>converge watch</h1><p role="status">${text}</p><p>This page looks again every 2 seconds.</p></main>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
