import { ConfigurationError, redactUri, terminalSafe } from "@converge/core";

/** How to get a tracking URI this package can use, for every refusal below. */
const SERVER_FIX =
  "run a tracking server on that store (`mlflow server --backend-store-uri <that URI> --host 127.0.0.1 --port 5000`) and point trackingUri (or MLFLOW_TRACKING_URI) at it as http://HOST:PORT, e.g. http://127.0.0.1:5000";

/**
 * What `uri` is when it names a store MLflow's Python client opens itself (a
 * local directory, a database, Databricks) rather than a server; undefined
 * for anything else. These have no REST API to talk to, so they are refused
 * by name instead of failing later with a confusing connection error.
 */
function notAServer(uri: string): string | undefined {
  // MLflow's own spellings: "databricks", "databricks://PROFILE", "databricks-uc".
  if (/^databricks(?:$|[-:])/i.test(uri)) return "a Databricks profile";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || /^[A-Za-z]$/.test(scheme)) {
    // No scheme ("./mlruns", "mlruns", "/srv/mlruns") or a Windows drive letter ("C:\\mlruns").
    return "a local directory";
  }
  if (scheme === "file") return "a local directory (file:)";
  const base = scheme.split("+")[0] ?? scheme;
  if (["sqlite", "postgresql", "postgres", "mysql", "mssql"].includes(base))
    return `a database (${base}:)`;
  return undefined;
}

/** How requests authenticate: never printed. */
export type MlflowAuth =
  | { kind: "none" }
  | { kind: "bearer"; token: string }
  | { kind: "basic"; username: string; password: string };

export interface MlflowConfig {
  /** The tracking URI without credentials, e.g. `http://127.0.0.1:5000`. */
  trackingUri: string;
  auth: MlflowAuth;
}

export interface MlflowConfigOptions {
  trackingUri?: string | undefined;
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * The tracking URI and credentials from options, else from MLflow's own
 * environment variables: `MLFLOW_TRACKING_URI`, `MLFLOW_TRACKING_TOKEN`
 * (Bearer), `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD` (Basic;
 * wins over a token, as in MLflow's Python client). Credentials written into
 * the URI (`http://user:pass@host`) are taken out of it and used as Basic auth.
 * An `mlflow+` prefix (`mlflow+http://host:5000`) is accepted and dropped.
 * Anything else (a local directory, `file:`, `sqlite:`/`postgresql:`/…,
 * `databricks`) is refused with a `ConfigurationError` naming `trackingUri`,
 * its value with userinfo and query values hidden, and how to run a server.
 */
export function resolveMlflowConfig(
  options: MlflowConfigOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): MlflowConfig {
  const raw = (options.trackingUri ?? env.MLFLOW_TRACKING_URI ?? "").trim();
  if (raw === "") {
    throw new ConfigurationError("No MLflow tracking URI.", {
      hint: "pass trackingUri (e.g. http://127.0.0.1:5000) or set MLFLOW_TRACKING_URI",
    });
  }
  const field =
    options.trackingUri !== undefined ? "trackingUri" : "trackingUri (MLFLOW_TRACKING_URI)";
  const text = raw.startsWith("mlflow+") ? raw.slice("mlflow+".length) : raw;
  const refusal = notAServer(text);
  if (refusal !== undefined) {
    throw new ConfigurationError(
      `${field} "${redactUri(raw)}" is ${refusal}, not an MLflow tracking server: mlflowStore talks to \`mlflow server\` over HTTP(S) only.`,
      { hint: SERVER_FIX },
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError(`${field} "${redactUri(raw)}" is not a valid URL.`, {
      hint: `write it as http://HOST:PORT or https://HOST[:PORT][/PATH]; ${SERVER_FIX}`,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(
      `${field} "${redactUri(raw)}" must be an http or https URL, not "${terminalSafe(url.protocol.replace(/:$/, ""))}".`,
      { hint: SERVER_FIX },
    );
  }
  const uriUser = url.username ? decodeOr(url.username) : undefined;
  const uriPassword = url.password ? decodeOr(url.password) : undefined;
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  const trackingUri = url.toString().replace(/\/+$/, "");

  const username = options.username ?? uriUser ?? nonEmpty(env.MLFLOW_TRACKING_USERNAME);
  const password = options.password ?? uriPassword ?? nonEmpty(env.MLFLOW_TRACKING_PASSWORD);
  const token = options.token ?? nonEmpty(env.MLFLOW_TRACKING_TOKEN);
  let auth: MlflowAuth = { kind: "none" };
  if (username !== undefined && password !== undefined) {
    auth = { kind: "basic", username, password };
  } else if (token !== undefined) {
    auth = { kind: "bearer", token };
  } else if (username !== undefined || password !== undefined) {
    throw new ConfigurationError("MLflow Basic auth needs both a username and a password.", {
      hint: "set both MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (or neither)",
    });
  }
  return { trackingUri, auth };
}

/** A percent-decoded userinfo part; as written when its escapes are malformed (it is a credential, never shown). */
function decodeOr(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

/** The Authorization header value, or undefined. */
export function authorizationHeader(auth: MlflowAuth): string | undefined {
  if (auth.kind === "bearer") return `Bearer ${auth.token}`;
  if (auth.kind === "basic")
    return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
  return undefined;
}
