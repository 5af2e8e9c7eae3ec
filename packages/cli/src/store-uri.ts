import { isAbsolute, resolve } from "node:path";
import type { Store, StoreNotice } from "@converge/core";
import { jsonlStore } from "@converge/storage-jsonl";
import { type MlflowStore, type MlflowStoreNotice, mlflowStore } from "@converge/storage-mlflow";
import { UsageError } from "./usage-error.js";

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

/** The variables holding MLflow credentials: read from the environment only, never printed. */
export const MLFLOW_SECRET_ENVS: readonly string[] = [
  "MLFLOW_TRACKING_TOKEN",
  "MLFLOW_TRACKING_PASSWORD",
];

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

/** The store URI forms this version understands, for help and error texts. */
export const AVAILABLE_STORES: readonly string[] = [
  "jsonl:DIR",
  "DIR (a plain directory path)",
  "mlflow+http://HOST:PORT",
  "mlflow+https://HOST[:PORT][/PATH]",
];

/** Options naming a store, as every store-reading command takes them. */
export interface StoreOptions {
  store?: string;
  mlflowExperiment?: string;
}

// A scheme is letters then letters, digits, '+', '-', '.', then ':'. A single
// letter followed by ":\" or ":/" is a Windows drive, not a scheme.
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/**
 * Parses a store URI: `jsonl:DIR`, a plain directory path (read as jsonl), or
 * `mlflow+http(s)://HOST:PORT[/PATH]` (an MLflow tracking server; the
 * experiment is `options.mlflowExperiment`, default "converge"). Relative
 * directories are resolved against `cwd`. Any other scheme is a `UsageError`
 * naming the forms that are available.
 */
export function parseStoreUri(
  uri: string,
  cwd: string = process.cwd(),
  options: { mlflowExperiment?: string } = {},
): StoreLocation {
  const text = uri.trim();
  if (text === "") {
    throw new UsageError(`The store URI is empty. Use one of: ${AVAILABLE_STORES.join(", ")}.`);
  }
  const scheme = WINDOWS_DRIVE.test(text) ? undefined : SCHEME.exec(text)?.[1];
  if (scheme === undefined) return jsonlLocation(text, cwd);
  if (scheme.toLowerCase() === "jsonl") {
    // Accept both jsonl:DIR and jsonl://DIR (an absolute path keeps its slash).
    let dir = text.slice(scheme.length + 1);
    if (dir.startsWith("//")) dir = dir.slice(2);
    if (dir === "") {
      throw new UsageError(
        `The store URI "${text}" names no directory. Example: --store jsonl:./experiments`,
      );
    }
    return jsonlLocation(dir, cwd);
  }
  if (scheme.toLowerCase().startsWith("mlflow+")) {
    return mlflowLocation(text, scheme, options.mlflowExperiment ?? DEFAULT_MLFLOW_EXPERIMENT);
  }
  throw new UsageError(
    `The store "${redactUri(text)}" (scheme "${scheme}") is not available in this version of converge. ` +
      `Available: ${AVAILABLE_STORES.join(", ")}.`,
  );
}

function jsonlLocation(dir: string, cwd: string): StoreLocation {
  const abs = isAbsolute(dir) ? resolve(dir) : resolve(cwd, dir);
  return { kind: "jsonl", dir: abs, display: `jsonl:${abs}` };
}

function mlflowLocation(text: string, scheme: string, experimentName: string): StoreLocation {
  const inner = text.slice("mlflow+".length);
  const transport = scheme.slice("mlflow+".length).toLowerCase();
  if (transport !== "http" && transport !== "https") {
    throw new UsageError(
      `The store "${redactUri(text)}" names no HTTP tracking server: an MLflow store is ` +
        "mlflow+http://HOST:PORT or mlflow+https://HOST[:PORT][/PATH] (MLFLOW_TRACKING_URI must then be http:// or https://).",
    );
  }
  let url: URL;
  try {
    url = new URL(inner);
  } catch {
    throw new UsageError(
      `The store "${redactUri(text)}" is not a valid URL. Example: --store mlflow+http://127.0.0.1:5000`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new UsageError(
      `The store "${redactUri(text)}" carries credentials in the URL. Remove them and set ` +
        "MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, in the environment instead.",
    );
  }
  if (url.search !== "" || url.hash !== "") {
    throw new UsageError(
      `The store "${redactUri(text)}" has a query or fragment; give the server only, ` +
        "e.g. mlflow+http://127.0.0.1:5000, and the experiment with --mlflow-experiment NAME.",
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
    display: `mlflow+${trackingUri} (experiment "${experimentName}")`,
  };
}

/**
 * A URI with any `user:password@` replaced by `***@`, for messages: a store
 * given with credentials must not echo them.
 */
export function redactUri(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, "$1***@");
}

/** The variables holding LLM provider keys (`converge advise --provider`): environment only, never printed. */
export const LLM_SECRET_ENVS: readonly string[] = [
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
];

/** The text with the value of every MLflow credential or LLM key variable replaced by `***`. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv): string {
  let out = text;
  const hide = (value: string | undefined, min: number) => {
    // Short values would blank out ordinary words; the libraries never print them anyway.
    if (value !== undefined && value.length >= min) out = out.split(value).join("***");
  };
  for (const name of [...MLFLOW_SECRET_ENVS, "MLFLOW_TRACKING_USERNAME"]) hide(env[name], 4);
  // Placeholder keys of local servers ("local", "ollama") are not secrets; real keys are long.
  for (const name of LLM_SECRET_ENVS) hide(env[name], 8);
  return out;
}

/**
 * The store URI to use: the `--store` value, else `$CONVERGE_STORE`, else
 * `mlflow+$MLFLOW_TRACKING_URI`, else `jsonl:./experiments`.
 */
export function storeUriFrom(option: string | undefined, env: NodeJS.ProcessEnv): string {
  if (option !== undefined) return option;
  if (env[STORE_ENV]) return env[STORE_ENV];
  const mlflow = env[MLFLOW_URI_ENV]?.trim();
  if (mlflow) return /^mlflow\+/i.test(mlflow) ? mlflow : `mlflow+${mlflow}`;
  return DEFAULT_STORE_URI;
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
): StoreLocation {
  return parseStoreUri(storeUriFrom(options.store, io.env), io.cwd, {
    mlflowExperiment: mlflowExperimentFrom(options.mlflowExperiment, io.env),
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

/** Opens an MLflow location with its spool, sync and pending (for import and sync). */
export function openMlflowStore(
  location: Extract<StoreLocation, { kind: "mlflow" }>,
  options: OpenStoreOptions = {},
): MlflowStore {
  return mlflowStore({
    trackingUri: location.trackingUri,
    experimentName: location.experimentName,
    ...mlflowCredentials(options.env ?? process.env),
    ...(options.spoolDir !== undefined && { spoolDir: options.spoolDir }),
    // The MLflow store adds "spooled" / "synced" / "sync-failed" to core's notice kinds.
    ...(options.onNotice && {
      onNotice: options.onNotice as unknown as (n: MlflowStoreNotice) => void,
    }),
  });
}

/** Opens the store a location names. Notices (torn tail cut, skipped lines) go to `onNotice`. */
export function openStore(location: StoreLocation, options: OpenStoreOptions = {}): Store {
  switch (location.kind) {
    case "jsonl":
      // Reading needs no fsync; "none" avoids any durability work on close.
      return jsonlStore({
        dir: location.dir,
        durability: "none",
        ...(options.onNotice && { onNotice: options.onNotice }),
      });
    case "mlflow":
      return openMlflowStore(location, options);
  }
}
