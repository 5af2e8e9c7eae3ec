/**
 * `list()`: the experiments of a store directory. A directory is anyone's to
 * write into, so every entry is looked at without trusting it: one that is
 * not a regular file (a FIFO would block a read forever) or whose name is not
 * an experiment id is skipped and reported, and a meta file that cannot be
 * read lists its experiment without meta instead of failing the whole list.
 */
import { type Dirent, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  type ExperimentListing,
  hiddenCharacters,
  StoreError,
  type StoreNotice,
  terminalSafe,
} from "@converge/core";
import { fileTypeOf } from "./file-safety.js";
import { readMetaFile } from "./meta-file.js";
import { experimentIdOf, META_SUFFIX, RECORDS_SUFFIX } from "./paths.js";
import { errorCode, errorMessage } from "./sys-error.js";

/** What an entry is when it cannot be read as a store file; undefined for a readable one. */
function unusableType(entry: Dirent, file: string): string | undefined {
  if (entry.isFile()) return undefined;
  if (entry.isSymbolicLink()) {
    // Reading through a link is allowed (writing is not): its target decides.
    try {
      const target = statSync(file);
      return target.isFile() ? undefined : `a symbolic link to ${fileTypeOf(target)}`;
    } catch {
      return "a symbolic link to nothing (its target is missing)";
    }
  }
  if (entry.isDirectory()) return "a directory";
  if (entry.isFIFO()) return "a FIFO (named pipe)";
  if (entry.isCharacterDevice()) return "a character device";
  if (entry.isBlockDevice()) return "a block device";
  if (entry.isSocket()) return "a socket";
  return "not a regular file";
}

/** The listing of `root`, reporting every skipped file and unreadable meta through `notify`. */
export function listExperiments(
  root: string,
  notify: (notice: StoreNotice) => void,
): ExperimentListing[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === "ENOENT") return [];
    throw new StoreError(`Could not list ${root}: ${errorMessage(error)}`, {
      code: errorCode(error),
      cause: error,
      hint: "check that the store directory is readable",
    });
  }
  // Sorted so notices come in the same order on every file system.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ids = new Set<string>();
  const withMeta = new Set<string>();
  for (const entry of entries) {
    const name = entry.name;
    const isMeta = name.endsWith(META_SUFFIX);
    if (!isMeta && !name.endsWith(RECORDS_SUFFIX)) continue; // locks, temp and torn files
    const file = join(root, name);
    const id = experimentIdOf(name);
    if (id === undefined) {
      notify({ kind: "skipped-file", experimentId: "", file, message: badNameMessage(root, name) });
      continue;
    }
    const unusable = unusableType(entry, file);
    if (unusable !== undefined) {
      notify({
        kind: "skipped-file",
        experimentId: id,
        file,
        message: `skipped ${file}: it is ${unusable}, not a regular file, so it was not read (move it out of the store directory)`,
      });
      continue;
    }
    ids.add(id);
    if (isMeta) withMeta.add(id);
  }
  const sorted = Array.from(ids).sort();
  return sorted.map((id) => ({
    experiment_id: id,
    meta: withMeta.has(id) ? metaOrNull(root, id, notify) : null,
  }));
}

function metaOrNull(root: string, id: string, notify: (notice: StoreNotice) => void) {
  try {
    return readMetaFile(root, id);
  } catch (error) {
    if (!StoreError.isInstance(error)) throw error;
    const file = join(root, `${id}${META_SUFFIX}`);
    notify({
      kind: "invalid-meta",
      experimentId: id,
      file,
      message: `${withoutHint(error)}; "${id}" is listed without meta (fix: ${error.hint ?? `repair or delete ${file}`})`,
    });
    return null;
  }
}

/** The message of `error` without the "\nFix: ..." line its hint added: a notice is one line. */
function withoutHint(error: StoreError): string {
  const fix = error.hint === undefined ? "" : `\nFix: ${error.hint}`;
  const text =
    fix && error.message.endsWith(fix) ? error.message.slice(0, -fix.length) : error.message;
  return text.replace(/\.$/, "");
}

function badNameMessage(root: string, name: string): string {
  const hidden = hiddenCharacters(name);
  const why = hidden.length > 0 ? ` (it holds the invisible characters ${hidden.join(", ")})` : "";
  return `skipped "${terminalSafe(name)}" in ${root}: its name is not a valid experiment id${why}; an id is 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit (rename the file to list it)`;
}
