/**
 * The live build of the report, served by `converge watch`: the static report
 * plus a status line (latest decision, success probability, iterations) and a
 * small script that follows the server's event stream. On each new version it
 * fetches the report again and swaps the page's content in place, keeping the
 * scroll position and the open `<details>`, so a reviewer reading iteration 3
 * is not thrown to the top when iteration 9 arrives. When the new version's
 * Content-Security-Policy differs (new inline styles), the swapped content
 * would be blocked, so the page reloads itself instead and restores the scroll
 * position from sessionStorage. `EventSource` reconnects by itself after a
 * dropped connection; the server sends its current state on every (re)connect,
 * so no version is missed. The policy adds only `connect-src 'self'`: the page
 * talks to the server that served it and to nothing else.
 */

/** Where the live page finds its server, and which version it shows. */
export interface LiveReportOptions {
  /** The version of the experiment this HTML shows; the server's state events carry the current one. */
  version: number;
  /** Server-sent events of the state, same origin. Default "/events". */
  eventsPath?: string;
  /** The current report's HTML, same origin. Default "/report". */
  reportPath?: string;
}

/**
 * The JSON each `state` event carries (`converge watch` sends it): what the
 * status line shows. Fields are null until known.
 */
export interface LiveState {
  version: number;
  experiment_id: string | null;
  /** Iterations recorded so far. */
  iterations: number;
  /** The experiment's status: RUNNING until its meta gives the final one. */
  status: string | null;
  /** The latest iteration's decision (its `action_taken`) and the advisor's, when recorded. */
  decision: string | null;
  /** P(the gate passes within `horizon` iterations), in [0, 1]. */
  probability: number | null;
  horizon: number | null;
  /** ISO time of the latest record. */
  updated_at: string | null;
  /** Why the server cannot show the experiment (yet), e.g. "waiting for exp_1 to appear". */
  message: string | null;
}

/**
 * The status line, before `.page` (so swapping the page keeps it): a labelled
 * landmark whose text is a polite live region; the script fills it from the
 * first event.
 */
export function liveBanner(options: LiveReportOptions): string {
  return `<aside class="live" id="live" aria-label="Live status" data-version="${Math.trunc(options.version)}"><span class="live-dot" aria-hidden="true"></span><span id="live-text" role="status" aria-live="polite">Live: connecting to converge watch…</span></aside>`;
}

/** Rules for the status line (added to the hashed stylesheet). */
export const LIVE_CSS = `
.live { position: sticky; top: 0; z-index: 10; display: flex; gap: 0.5rem; align-items: center; padding: 0.45rem 1rem; background: var(--surface, #f6f8fa); border-bottom: 1px solid var(--border, #d0d7de); font-size: 0.9rem; overflow-wrap: anywhere; }
.live-dot { flex: none; width: 0.6rem; height: 0.6rem; border-radius: 50%; background: #1a7f37; }
.live[data-connected="false"] .live-dot { background: #9a6700; }
`;

/** The script (hashed into `script-src`). Plain ES2017; no user string reaches it except through textContent. */
export function liveScript(options: LiveReportOptions): string {
  const events = JSON.stringify(options.eventsPath ?? "/events");
  const report = JSON.stringify(options.reportPath ?? "/report");
  return `(function () {
  "use strict";
  var banner = document.getElementById("live");
  var text = document.getElementById("live-text");
  var shown = Number(banner.getAttribute("data-version")) || 0;
  var busy = false, wanted = 0;
  var saved = sessionStorage.getItem("converge-live-scroll");
  if (saved !== null) { sessionStorage.removeItem("converge-live-scroll"); window.scrollTo(0, Number(saved) || 0); }
  function percent(p) { return p === null ? "not known" : Math.round(p * 100) + "%"; }
  function say(state) {
    var parts = [];
    parts.push(state.experiment_id ? "Live: " + state.experiment_id : "Live");
    if (state.message) parts.push(state.message);
    else {
      parts.push(state.iterations + " iteration" + (state.iterations === 1 ? "" : "s"));
      if (state.status) parts.push("status " + state.status);
      if (state.decision) parts.push("latest decision " + state.decision);
      parts.push("success probability " + percent(state.probability) + (state.horizon !== null && state.probability !== null ? " within " + state.horizon + " iterations" : ""));
    }
    text.textContent = parts.join(" · ");
    banner.setAttribute("data-status", state.status || "");
    banner.setAttribute("data-decision", state.decision || "");
    banner.setAttribute("data-probability", state.probability === null ? "" : String(state.probability));
    banner.setAttribute("data-iterations", String(state.iterations));
    banner.setAttribute("data-latest", String(state.version));
  }
  function key(d, i) { var s = d.querySelector("summary"); return (d.id || "") + "|" + (s ? s.textContent : "") + "|" + i; }
  function openKeys(root) { var out = {}; root.querySelectorAll("details").forEach(function (d, i) { if (d.open) out[key(d, i)] = true; }); return out; }
  function swap() {
    if (busy || wanted <= shown) return;
    busy = true;
    fetch(${report}, { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (html) {
      var next = new DOMParser().parseFromString(html, "text/html");
      var policy = function (d) { var m = d.querySelector('meta[http-equiv="Content-Security-Policy"]'); return m ? m.getAttribute("content") : ""; };
      if (policy(next) !== policy(document)) {
        sessionStorage.setItem("converge-live-scroll", String(window.scrollY));
        window.location.reload();
        return;
      }
      var page = document.querySelector(".page"), fresh = next.querySelector(".page");
      var open = openKeys(page), y = window.scrollY;
      page.innerHTML = fresh.innerHTML;
      page.querySelectorAll("details").forEach(function (d, i) { if (open[key(d, i)]) d.open = true; });
      document.title = next.title;
      window.scrollTo(0, y);
      var version = Number(next.getElementById("live").getAttribute("data-version")) || shown;
      shown = version;
      banner.setAttribute("data-version", String(version));
    }).catch(function () { /* the next event retries */ }).then(function () { busy = false; if (wanted > shown) swap(); });
  }
  var source = new EventSource(${events});
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    banner.setAttribute("data-connected", "true");
    say(state);
    wanted = state.version;
    swap();
  });
  source.onerror = function () { banner.setAttribute("data-connected", "false"); text.textContent = "Live: connection lost, reconnecting…"; };
})();`;
}
