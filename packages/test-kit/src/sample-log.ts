/**
 * The sample log every package's tests read: three iterations of one
 * experiment in the JSONL record format of the original Python logger (no
 * meta, only the fields that logger wrote). One file, so a fix to it reaches
 * every test at once.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type ExperimentRecord, parseRecord } from "@converge/core";

/** The experiment id the sample log's records carry, and its file name without `.jsonl`. */
export const SAMPLE_EXPERIMENT_ID = "exp_20260118_143022";

/**
 * Absolute path of the sample log. The file is named after its experiment, as
 * the JSONL store names files, so tests can copy it into a store directory or
 * hand it to the CLI as it is. Resolved from this module, so it is the same
 * path from the sources and from `dist`.
 */
export const SAMPLE_LOG_PATH: string = fileURLToPath(
  new URL(`../fixtures/${SAMPLE_EXPERIMENT_ID}.jsonl`, import.meta.url),
);

/** The sample log's non-empty lines, exactly as written. */
export function sampleLogLines(): string[] {
  return readFileSync(SAMPLE_LOG_PATH, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
}

/** The sample log's three records, parsed by core's `parseRecord` (defaults filled in). */
export function sampleLogRecords(): ExperimentRecord[] {
  return sampleLogLines().map((line) => parseRecord(JSON.parse(line)));
}
