import type { StoreNotice } from "@converge/core";
import { ConfigurationError, toValidationIssues } from "@converge/core";
import { z } from "zod";

/**
 * How hard `append` works to put records on disk before it resolves.
 * - `"none"`: no fsync; a crash of the machine (not of the process) can lose recent records.
 * - `"batch"` (default): fdatasync every `batchSize` records, when the lock is released after
 *   an idle moment, and on `close()`.
 * - `"every"`: fdatasync after each record.
 */
export type Durability = "none" | "batch" | "every";

/** Options of `jsonlStore`. */
export interface JsonlStoreOptions {
  /** Directory holding the experiments; created on the first write. */
  dir: string;
  /** Default `"batch"`. See {@link Durability}. */
  durability?: Durability;
  /** Records between two fdatasync calls in `"batch"` mode. Default 50. */
  batchSize?: number;
  /** How long `append` waits for another process's lock before it fails. Default 30,000 ms. */
  lockTimeoutMs?: number;
  /**
   * Called for every repair, skip and finding (torn tail cut, bad line skipped in a lenient
   * read, file skipped by `list`, invalid meta, duplicate, foreign or out-of-order record,
   * inexact number).
   * What it throws is ignored; the notice is also kept in `store.notices`.
   */
  onNotice?: (notice: StoreNotice) => void;
}

const OptionsSchema = z.strictObject({
  dir: z.string().min(1, 'dir must be a non-empty path, e.g. "experiments"'),
  durability: z.enum(["none", "batch", "every"]).default("batch"),
  batchSize: z.number().int().positive().default(50),
  lockTimeoutMs: z.number().int().nonnegative().default(30_000),
  onNotice: z
    .custom<(notice: StoreNotice) => void>(
      (v) => typeof v === "function",
      "onNotice must be a function",
    )
    .optional(),
});

/** Options with every default filled in. */
export type ResolvedOptions = z.output<typeof OptionsSchema>;

/** Validates `jsonlStore` options; a bad one is a `ConfigurationError` that names it. */
export function parseOptions(options: unknown): ResolvedOptions {
  const result = OptionsSchema.safeParse(options);
  if (result.success) return result.data;
  const problems = toValidationIssues(result.error).map(
    (i) => `  - ${i.path || "options"}: ${i.message}`,
  );
  throw new ConfigurationError(`Invalid jsonlStore options:\n${problems.join("\n")}`, {
    hint: 'jsonlStore({ dir: "experiments", durability: "batch" | "every" | "none", batchSize: 50, lockTimeoutMs: 30000, onNotice })',
  });
}
