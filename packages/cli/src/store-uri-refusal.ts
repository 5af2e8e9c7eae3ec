/**
 * The store URIs converge refuses, and how it says so. MLflow's own tracking
 * URIs (`databricks`, `uc:`, `./mlruns`, `file:`, `sqlite:`, `postgresql:`)
 * name backends converge cannot talk to: it speaks MLflow's REST API over
 * HTTP(S) only. Each refusal names where the value came from and the fix;
 * the value itself is shown redacted and terminal-safe.
 */
import { terminalSafe } from "@converge/core";
import { redactUri } from "./uri-redaction.js";
import { UsageError } from "./usage-error.js";

/** The store URI forms this version understands, for help and error texts. */
export const AVAILABLE_STORES: readonly string[] = [
  "jsonl:DIR",
  "DIR (a plain directory path)",
  "mlflow+http://HOST:PORT",
  "mlflow+https://HOST[:PORT][/PATH]",
];

/** The schemes `--store` accepts, for messages. */
export const SUPPORTED_SCHEMES: readonly string[] = ["jsonl:", "mlflow+http://", "mlflow+https://"];

/**
 * Where a store URI came from, as messages name it: `--store`, `--to`,
 * `--from`, `<to-store>`, `$CONVERGE_STORE`, `$MLFLOW_TRACKING_URI`...
 */
export type StoreUriOrigin = string;

/** A store URI and where it came from. */
export interface StoreUriSource {
  uri: string;
  /** e.g. `--store`, `$CONVERGE_STORE`, `$MLFLOW_TRACKING_URI`, or `the default` */
  origin: StoreUriOrigin;
}

// Schemes of MLflow tracking URIs that are no HTTP server (MLflow's own
// list: Databricks workspaces and Unity Catalog, local files, SQLAlchemy databases).
const MLFLOW_BACKEND_SCHEMES = new Set([
  "databricks",
  "databricks-uc",
  "uc",
  "file",
  "sqlite",
  "postgresql",
  "postgres",
  "mysql",
  "mssql",
]);

/** Bare words MLflow reads as a Databricks / Unity Catalog tracking URI. */
export const MLFLOW_BACKEND_WORDS: ReadonlySet<string> = new Set([
  "databricks",
  "databricks-uc",
  "uc",
]);

/** Whether a scheme (without ':', any case) is one of MLflow's non-HTTP backends. */
export function isMlflowBackendScheme(scheme: string): boolean {
  const s = scheme.toLowerCase();
  if (MLFLOW_BACKEND_SCHEMES.has(s)) return true;
  // SQLAlchemy dialects: postgresql+psycopg2, mysql+pymysql...
  for (const backend of MLFLOW_BACKEND_SCHEMES) if (s.startsWith(`${backend}+`)) return true;
  return false;
}

/** The value as a message shows it: redacted and with control characters made visible. */
export function shownUri(value: string): string {
  return terminalSafe(redactUri(value));
}

const MLFLOW_FIX =
  "Fix: run `mlflow server` (with that backend if you need it) and use --store mlflow+http://HOST:PORT " +
  "(or MLFLOW_TRACKING_URI=http://HOST:PORT), or pass --store jsonl:DIR to keep experiments in a local folder.";

/**
 * The refusal of an MLflow tracking URI that is no HTTP(S) server:
 * `databricks`, `uc:...`, `./mlruns`, `file:...`, `sqlite:///x.db`, ...
 */
export function notAnMlflowServer(value: string, origin: StoreUriOrigin): UsageError {
  return new UsageError(
    `${origin} is "${shownUri(value)}", which names no HTTP tracking server: ` +
      "converge talks to MLflow over HTTP(S) only, not to Databricks, Unity Catalog, a local mlruns folder or a database. " +
      MLFLOW_FIX,
  );
}

/** The refusal of a scheme converge does not have (`foo:bar`, `s3://x`). */
export function unknownScheme(value: string, scheme: string, origin: StoreUriOrigin): UsageError {
  const lower = scheme.toLowerCase();
  if (isMlflowBackendScheme(lower)) return notAnMlflowServer(value, origin);
  const hint =
    lower === "http" || lower === "https"
      ? ` For an MLflow tracking server write mlflow+${shownUri(value)}.`
      : "";
  return new UsageError(
    `The store "${shownUri(value)}" (scheme "${terminalSafe(scheme)}", from ${origin}) is not available in this version of converge. ` +
      `Supported schemes: ${SUPPORTED_SCHEMES.join(", ")}; available: ${AVAILABLE_STORES.join(", ")}.${hint}`,
  );
}

/** The refusal of a bare word MLflow would read as Databricks (`databricks`, `uc`) that is no directory here. */
export function mlflowWordNotADirectory(value: string, origin: StoreUriOrigin): UsageError {
  return new UsageError(
    `${origin} is "${shownUri(value)}": MLflow reads that as a Databricks tracking URI, and there is no directory of that name here. ` +
      `converge talks to MLflow over HTTP(S) only. ${MLFLOW_FIX} ` +
      `To mean a new folder named "${shownUri(value)}", write --store jsonl:./${shownUri(value)}.`,
  );
}
