import { isAbsolute, resolve } from "node:path";
import type { Store, StoreNotice } from "@converge/core";
import { jsonlStore } from "@converge/storage-jsonl";
import { UsageError } from "./usage-error.js";

/** The store used when neither `--store` nor `CONVERGE_STORE` says otherwise. */
export const DEFAULT_STORE_URI = "jsonl:./experiments";

/** The environment variable that sets the default store. */
export const STORE_ENV = "CONVERGE_STORE";

/**
 * A parsed `--store` value. A discriminated union so that a later store
 * (e.g. `mlflow+http`) is one more member and one more case in `openStore`.
 */
export type StoreLocation = {
  kind: "jsonl";
  /** Absolute directory holding `<id>.jsonl` and `<id>.meta.json` files. */
  dir: string;
  /** How to name the store in messages, e.g. `jsonl:/home/me/experiments`. */
  display: string;
};

/** The store URI forms this version understands, for help and error texts. */
export const AVAILABLE_STORES: readonly string[] = ["jsonl:DIR", "DIR (a plain directory path)"];

// A scheme is letters then letters, digits, '+', '-', '.', then ':'. A single
// letter followed by ":\" or ":/" is a Windows drive, not a scheme.
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

/**
 * Parses a store URI: `jsonl:DIR`, or a plain directory path (read as jsonl).
 * Relative directories are resolved against `cwd`. Any other scheme is a
 * `UsageError` naming the forms that are available.
 */
export function parseStoreUri(uri: string, cwd: string = process.cwd()): StoreLocation {
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
  throw new UsageError(
    `The store "${text}" (scheme "${scheme}") is not available in this version of converge. ` +
      `Available: ${AVAILABLE_STORES.join(", ")}.`,
  );
}

function jsonlLocation(dir: string, cwd: string): StoreLocation {
  const abs = isAbsolute(dir) ? resolve(dir) : resolve(cwd, dir);
  return { kind: "jsonl", dir: abs, display: `jsonl:${abs}` };
}

/**
 * The store URI to use: the `--store` value, else `$CONVERGE_STORE`, else
 * `jsonl:./experiments`.
 */
export function storeUriFrom(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? (env[STORE_ENV] || DEFAULT_STORE_URI);
}

/** Opens the store a location names. Notices (torn tail cut, skipped lines) go to `onNotice`. */
export function openStore(
  location: StoreLocation,
  options: { onNotice?: (notice: StoreNotice) => void } = {},
): Store {
  switch (location.kind) {
    case "jsonl":
      // Reading needs no fsync; "none" avoids any durability work on close.
      return jsonlStore({
        dir: location.dir,
        durability: "none",
        ...(options.onNotice && { onNotice: options.onNotice }),
      });
  }
}
