/**
 * `@converge/storage-jsonl`: the embedded default store of Converge. One
 * append-only JSONL file per experiment plus an atomically replaced meta file,
 * safe under crashes and concurrent writers.
 */
export { type JsonlStore, jsonlStore } from "./jsonl-store.js";
export type { Durability, JsonlStoreOptions } from "./options.js";
