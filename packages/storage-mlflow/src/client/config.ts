import { ConfigurationError } from "@converge/core";

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
  const text = raw.startsWith("mlflow+") ? raw.slice("mlflow+".length) : raw;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError("The MLflow tracking URI is not a valid URL.", {
      hint: "use http://host:port or https://host[:port][/path] (MLFLOW_TRACKING_URI)",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(
      `The MLflow tracking URI must be http or https, not "${url.protocol.replace(/:$/, "")}".`,
      {
        hint: "a local directory or database URI is not a tracking server: start `mlflow server` and use its URL",
      },
    );
  }
  const uriUser = url.username ? decodeURIComponent(url.username) : undefined;
  const uriPassword = url.password ? decodeURIComponent(url.password) : undefined;
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
