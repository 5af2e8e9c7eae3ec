import type { Store } from "@converge/core";
import { jsonlStore } from "@converge/storage-jsonl";
import { openMlflowStore } from "./store-open-mlflow.js";
import type { OpenStoreOptions, StoreLocation } from "./store-uri.js";

/**
 * Opens the store a location names. Notices (torn tail cut, skipped lines) go
 * to `onNotice`. Synchronous, so it loads both stores' packages with this
 * module; the commands use `loadStore`, which loads only the one named.
 */
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
