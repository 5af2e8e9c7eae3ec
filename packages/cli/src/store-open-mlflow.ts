import { type MlflowStore, type MlflowStoreNotice, mlflowStore } from "@converge/storage-mlflow";
import { mlflowCredentials, type OpenStoreOptions, type StoreLocation } from "./store-uri.js";

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
