import { existsSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { type Store, type StoreNotice, terminalSafe } from "@converge/core";
import {
  AVAILABLE_STORES,
  MLFLOW_BACKEND_WORDS,
  mlflowWordNotADirectory,
  notAnMlflowServer,
  type StoreUriSource,
  shownUri,
  unknownScheme,
} from "./store-uri-refusal.js";
import { UsageError } from "./usage-error.js";

export {
  AVAILABLE_STORES,
  type StoreUriOrigin,
  type StoreUriSource,
  SUPPORTED_SCHEMES,
} from "./store-uri-refusal.js";
export {
  LLM_SECRET_ENVS,
  MLFLOW_SECRET_ENVS,
  redactSecrets,
  redactUri,
  redactUrisIn,
} from "./uri-redaction.js";

/** The store used when neither `--store`, `CONVERGE_STORE` nor `MLFLOW_TRACKING_URI` says otherwise. */
export const DEFAULT_STORE_URI = "jsonl:./experiments";

/** The environment variable that sets the default store. */
export const STORE_ENV = "CONVERGE_STORE";

/** MLflow's own variable: used as `mlflow+<value>` when neither `--store` nor `CONVERGE_STORE` is set. */
export const MLFLOW_URI_ENV = "MLFLOW_TRACKING_URI";

/** MLflow's own variable naming the experiment, used when `--mlflow-experiment` is not given. */
export const MLFLOW_EXPERIMENT_ENV = "MLFLOW_EXPERIMENT_NAME";

/** The MLflow experiment Converge logs into when nothing names another. */
export const DEFAULT_MLFLOW_EXPERIMENT = "converge";

/**
 * A parsed `--store` value. A discriminated union so that a later store
 * (e.g. `mlflow+http`) is one more member and one more case in `openStore`.
 */
export type StoreLocation =
  | {
      kind: "jsonl";
      /** Absolute directory holding `<id>.jsonl` and `<id>.meta.json` files. */
      dir: string;
      /** How to name the store in messages, e.g. `jsonl:/home/me/experiments`. */
      display: string;
    }
  | {
      kind: "mlflow";
      /** The tracking server, e.g. `http://127.0.0.1:5000` (never with credentials). */
      trackingUri: string;
      /** The MLflow experiment the Converge experiments live in. */
      experimentName: string;
      /** e.g. `mlflow+http://127.0.0.1:5000 (experiment "converge")`. */
      display: string;
    };

/** Options naming a store, as every store-reading command takes them. */
export interface StoreOptions {
  store?: string;
  mlflowExperiment?: string;
}

// A scheme is letters then letters, digits, '+', '-', '.', then ':'. A single
// letter followed by ":\" or ":/" is a Windows drive, not a scheme.
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/** What `parseStoreUri` is given besides the URI. */
export interface ParseStoreUriOptions {
  /** The MLflow experiment of an `mlflow+` store (default "converge"). */
  mlflowExperiment?: string;
  /** Where the URI came from, named in errors: `--store`, `--to`, `$CONVERGE_STORE`... */
  origin?: string;
}

/**
 * Parses a store URI: `jsonl:DIR`, a plain directory path (read as jsonl), or
 * `mlflow+http(s)://HOST:PORT[/PATH]` (an MLflow tracking server; the
 * experiment is `options.mlflowExperiment`, default "converge"). Relative
 * directories are resolved against `cwd`.
 *
 * @throws UsageError naming `options.origin` and the fix, with the URI
 *   redacted, for: any other scheme (`s3://x`, `foo:bar`: the supported ones
 *   are named), an MLflow tracking URI that is no HTTP(S) server
 *   (`mlflow+databricks`, `mlflow+./mlruns`, `sqlite:///x.db`), a bare
 *   `databricks` / `uc` that is no existing directory, credentials, a query
 *   or a fragment in an MLflow URL, and a query string on a directory that
 *   does not exist.
 */
export function parseStoreUri(
  uri: string,
  cwd: string = process.cwd(),
  options: ParseStoreUriOptions = {},
): StoreLocation {
  const origin = options.origin ?? "the store URI";
  const text = uri.trim();
  if (text === "") {
    throw new UsageError(
      `The store URI (from ${origin}) is empty. Use one of: ${AVAILABLE_STORES.join(", ")}.`,
    );
  }
  // Before the scheme test: `mlflow+databricks` and `mlflow+./mlruns` have no ':'.
  if (/^mlflow\+/i.test(text)) {
    return mlflowLocation(text, origin, options.mlflowExperiment ?? DEFAULT_MLFLOW_EXPERIMENT);
  }
  const scheme = WINDOWS_DRIVE.test(text) ? undefined : SCHEME.exec(text)?.[1];
  if (scheme === undefined) {
    if (MLFLOW_BACKEND_WORDS.has(text.toLowerCase()) && !isDirectory(resolve(cwd, text))) {
      throw mlflowWordNotADirectory(text, origin);
    }
    return jsonlLocation(text, cwd, origin);
  }
  if (scheme.toLowerCase() === "jsonl") {
    // Accept both jsonl:DIR and jsonl://DIR (an absolute path keeps its slash).
    let dir = text.slice(scheme.length + 1);
    if (dir.startsWith("//")) dir = dir.slice(2);
    if (dir === "") {
      throw new UsageError(
        `The store URI "${shownUri(text)}" (from ${origin}) names no directory. Example: --store jsonl:./experiments`,
      );
    }
    return jsonlLocation(dir, cwd, origin);
  }
  throw unknownScheme(text, scheme, origin);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function jsonlLocation(dir: string, cwd: string, origin: string): StoreLocation {
  const abs = isAbsolute(dir) ? resolve(dir) : resolve(cwd, dir);
  // `./runs?token=...` is a URI habit, not a folder name; a folder that really
  // has a '?' in its name exists already and is taken as it is.
  if (/[?#]/.test(dir) && !existsSync(abs)) {
    throw new UsageError(
      `The store "${shownUri(dir)}" (from ${origin}) has a query string or fragment, and a JSONL store is a directory path only. ` +
        "Drop everything from the '?' or '#' on (a JSONL store takes no options or credentials).",
    );
  }
  return { kind: "jsonl", dir: abs, display: `jsonl:${abs}` };
}

function mlflowLocation(text: string, origin: string, experimentName: string): StoreLocation {
  const inner = text.slice("mlflow+".length);
  const transport = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(inner)?.[1]?.toLowerCase();
  if (transport !== "http" && transport !== "https") throw notAnMlflowServer(text, origin);
  let url: URL;
  try {
    url = new URL(inner);
  } catch {
    throw new UsageError(
      `The store "${shownUri(text)}" (from ${origin}) is not a valid URL. Example: --store mlflow+http://127.0.0.1:5000`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError(
      `The store "${shownUri(text)}" (from ${origin}) carries credentials in the URL. Remove them and set ` +
        "MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, in the environment instead.",
    );
  }
  if (url.search !== "" || url.hash !== "" || /[?#]/.test(inner)) {
    throw new UsageError(
      `The store "${shownUri(text)}" (from ${origin}) has a query or fragment; give the server only, ` +
        "e.g. mlflow+http://127.0.0.1:5000, the experiment with --mlflow-experiment NAME, and a token in MLFLOW_TRACKING_TOKEN.",
    );
  }
  if (experimentName.trim() === "") {
    throw new UsageError("--mlflow-experiment needs a name, e.g. --mlflow-experiment converge.");
  }
  const path = url.pathname.replace(/\/+$/, "");
  const trackingUri = `${url.protocol}//${url.host}${path}`;
  return {
    kind: "mlflow",
    trackingUri,
    experimentName,
    display: `mlflow+${trackingUri} (experiment "${terminalSafe(experimentName)}")`,
  };
}

/**
 * The store URI to use and where it came from: the option (named
 * `optionName`, default `--store`), else `$CONVERGE_STORE`, else
 * `mlflow+$MLFLOW_TRACKING_URI`, else `jsonl:./experiments`.
 *
 * @throws UsageError when `$MLFLOW_TRACKING_URI` is set (and decides) but is
 *   no HTTP(S) tracking server: `databricks`, `databricks://profile`, `uc:...`,
 *   `./mlruns`, `file:...`, `sqlite:///x.db`, `postgresql://...`
 */
export function storeUriSource(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
  optionName = "--store",
): StoreUriSource {
  if (option !== undefined) return { uri: option, origin: optionName };
  const fromEnv = env[STORE_ENV];
  if (fromEnv) return { uri: fromEnv, origin: `$${STORE_ENV}` };
  const mlflow = env[MLFLOW_URI_ENV]?.trim();
  if (mlflow) {
    const origin = `$${MLFLOW_URI_ENV}`;
    const server = mlflow.replace(/^mlflow\+/i, "");
    if (!/^https?:\/\//i.test(server)) throw notAnMlflowServer(mlflow, origin);
    return { uri: `mlflow+${server}`, origin };
  }
  return { uri: DEFAULT_STORE_URI, origin: "the default" };
}

/**
 * The store URI to use: the `--store` value, else `$CONVERGE_STORE`, else
 * `mlflow+$MLFLOW_TRACKING_URI`, else `jsonl:./experiments`.
 *
 * @throws UsageError when `$MLFLOW_TRACKING_URI` decides and is no HTTP(S)
 *   tracking server (see {@link storeUriSource})
 */
export function storeUriFrom(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return storeUriSource(option, env).uri;
}

/** The MLflow experiment name: `--mlflow-experiment`, else `$MLFLOW_EXPERIMENT_NAME`, else "converge". */
export function mlflowExperimentFrom(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? (env[MLFLOW_EXPERIMENT_ENV] || DEFAULT_MLFLOW_EXPERIMENT);
}

/**
 * The location a command's `--store` / `--mlflow-experiment` (or the
 * environment) names; a `UsageError` when it cannot be used.
 */
export function resolveStoreLocation(
  options: StoreOptions,
  io: { env: NodeJS.ProcessEnv; cwd: string },
  optionName = "--store",
): StoreLocation {
  const { uri, origin } = storeUriSource(options.store, io.env, optionName);
  return parseStoreUri(uri, io.cwd, {
    mlflowExperiment: mlflowExperimentFrom(options.mlflowExperiment, io.env),
    origin,
  });
}

/** What `openStore` is given besides the location. */
export interface OpenStoreOptions {
  /** Notices (torn tail cut, skipped lines, records spooled) go here. */
  onNotice?: (notice: StoreNotice) => void;
  /** Where MLflow credentials are read from (MLFLOW_TRACKING_TOKEN / _USERNAME / _PASSWORD); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The MLflow store's offline spool directory (default: the library's, ./.converge-spool). */
  spoolDir?: string;
}

/** The MLflow credentials in an environment, as `mlflowStore` options (empty values ignored). */
export function mlflowCredentials(env: NodeJS.ProcessEnv): {
  token?: string;
  username?: string;
  password?: string;
} {
  const out: { token?: string; username?: string; password?: string } = {};
  if (env.MLFLOW_TRACKING_TOKEN) out.token = env.MLFLOW_TRACKING_TOKEN;
  if (env.MLFLOW_TRACKING_USERNAME) out.username = env.MLFLOW_TRACKING_USERNAME;
  if (env.MLFLOW_TRACKING_PASSWORD) out.password = env.MLFLOW_TRACKING_PASSWORD;
  return out;
}

/**
 * Opens the store a location names, loading only that store's package (the
 * MLflow store brings its HTTP client): what the commands use, so that
 * `converge list` on a JSONL directory never loads the MLflow store. The
 * synchronous `openStore` (store-open.ts) is the library's.
 */
export async function loadStore(
  location: StoreLocation,
  options: OpenStoreOptions = {},
): Promise<Store> {
  if (location.kind === "jsonl") {
    const { jsonlStore } = await import("@converge/storage-jsonl");
    // Reading needs no fsync; "none" avoids any durability work on close.
    return jsonlStore({
      dir: location.dir,
      durability: "none",
      ...(options.onNotice && { onNotice: options.onNotice }),
    });
  }
  const { openMlflowStore } = await import("./store-open-mlflow.js");
  return openMlflowStore(location, options);
}
