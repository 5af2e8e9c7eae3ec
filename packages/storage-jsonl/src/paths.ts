import { join } from "node:path";
import { ExperimentIdSchema, parseOrThrow } from "@converge/core";

/** File name suffixes of the layout; an experiment id never contains a `/`. */
export const RECORDS_SUFFIX = ".jsonl";
export const META_SUFFIX = ".meta.json";

/** `<dir>/<id>.jsonl`: one record a line. */
export function recordsPath(dir: string, experimentId: string): string {
  return join(dir, `${experimentId}${RECORDS_SUFFIX}`);
}

/** `<dir>/<id>.meta.json`: the experiment's meta, replaced atomically. */
export function metaPath(dir: string, experimentId: string): string {
  return join(dir, `${experimentId}${META_SUFFIX}`);
}

/** `<dir>/<id>.jsonl.lock`: held by the one process appending to the experiment. */
export function lockPath(dir: string, experimentId: string): string {
  return join(dir, `${experimentId}${RECORDS_SUFFIX}.lock`);
}

/**
 * `<dir>/<id>.jsonl.torn-<time>-<pid>`: the bytes of a torn last line cut on
 * open, kept so nothing is lost. The pid keeps two repairs in one millisecond apart.
 */
export function tornPath(dir: string, experimentId: string, at: Date): string {
  const stamp = at.toISOString().replace(/[:.]/g, "-");
  return join(dir, `${experimentId}${RECORDS_SUFFIX}.torn-${stamp}-${process.pid}`);
}

/**
 * Experiment ids become file names, so they are checked before any path is
 * built from them (no `..`, no `/`).
 */
export function checkExperimentId(experimentId: unknown): string {
  return parseOrThrow(ExperimentIdSchema, experimentId, "experimentId");
}

/** The experiment id a directory entry belongs to, or undefined for other files. */
export function experimentIdOf(fileName: string): string | undefined {
  let id: string | undefined;
  if (fileName.endsWith(META_SUFFIX)) id = fileName.slice(0, -META_SUFFIX.length);
  else if (fileName.endsWith(RECORDS_SUFFIX)) id = fileName.slice(0, -RECORDS_SUFFIX.length);
  return id !== undefined && ExperimentIdSchema.safeParse(id).success ? id : undefined;
}
