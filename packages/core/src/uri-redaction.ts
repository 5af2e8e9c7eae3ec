/**
 * URIs are quoted in errors and notices so a person can see what was used,
 * but a URI can carry a secret: `user:pass@` before the host, or a
 * `?token=...` query value. Every URI Converge quotes goes through
 * `redactUri` first. It works on the text, so it also covers what `new URL`
 * cannot parse (a typo, a Windows path, a database URI with odd characters).
 */
import { terminalSafe } from "./text-safety.js";

/** What stands in for a removed secret. */
export const REDACTED = "***";

/** Longest URI quoted whole; the rest is cut (a pasted file or token is no use in a message). */
const MAX_QUOTED = 200;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:(?:\/\/)?/;

/**
 * Hides everything between the scheme and the last "@" before the query: a
 * password may itself hold "@" or "/" when typed unencoded, and hiding part
 * of a path by mistake costs nothing.
 */
function hideUserinfo(text: string): string {
  const scheme = SCHEME.exec(text)?.[0] ?? "";
  const rest = text.slice(scheme.length);
  const stop = rest.search(/[?#]/);
  const authority = stop === -1 ? rest : rest.slice(0, stop);
  const at = authority.lastIndexOf("@");
  return at === -1 ? text : `${scheme}${REDACTED}${rest.slice(at)}`;
}

/**
 * `uri` with its userinfo replaced by `***@` and every query value (and the
 * fragment) replaced by `***`, made safe to print (control characters
 * escaped) and cut to 200 characters. Names of query parameters are kept:
 * they say what was passed without saying its value.
 *
 * @example
 * redactUri("http://me:pw@host:5000/x?token=abc&a=1") // "http://***@host:5000/x?token=***&a=***"
 */
export function redactUri(uri: string): string {
  let text = hideUserinfo(uri);
  const hash = text.indexOf("#");
  if (hash !== -1) text = `${text.slice(0, hash)}#${REDACTED}`;
  const query = text.indexOf("?");
  if (query !== -1) {
    const head = text.slice(0, query);
    const tail = text.slice(query + 1);
    const end = tail.indexOf("#");
    const params = end === -1 ? tail : tail.slice(0, end);
    const fragment = end === -1 ? "" : tail.slice(end);
    const redacted = params
      .split("&")
      .map((pair) => {
        const eq = pair.indexOf("=");
        // A bare `?secret` is a value with no name: hidden whole.
        if (eq === -1) return pair === "" ? "" : REDACTED;
        return `${pair.slice(0, eq)}=${REDACTED}`;
      })
      .join("&");
    text = `${head}?${redacted}${fragment}`;
  }
  const safe = terminalSafe(text);
  return safe.length > MAX_QUOTED ? `${safe.slice(0, MAX_QUOTED)}…` : safe;
}

/**
 * `text` with every URL-looking substring redacted as `redactUri` does: for
 * messages that quote a URI someone else produced (an artifact location
 * from the server, an undici error).
 */
export function redactUrisIn(text: string): string {
  return text.replace(/\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'<>`]+/g, (uri) => redactUri(uri));
}
