/**
 * A model's code change, as a unified diff, applied to the strategy's code
 * with the `diff` package: exactly (no fuzz), or not at all with one line
 * saying why, so the re-ask can quote it.
 */
import { applyPatch, parsePatch, type StructuredPatch, type StructuredPatchHunk } from "diff";
import { oneLine } from "../prompt-format.js";

/** The patched code, or why the diff did not apply. */
export type DiffOutcome = { ok: true; code: string } | { ok: false; reason: string };

function hunkHeader(h: StructuredPatchHunk): string {
  return `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`;
}

/** The first line a hunk expects in the code (context or removed) that is not there. */
function missingLine(code: string, hunk: StructuredPatchHunk): string | undefined {
  const lines = new Set(code.split(/\r?\n/));
  for (const line of hunk.lines) {
    if ((line.startsWith(" ") || line.startsWith("-")) && !lines.has(line.slice(1))) {
      return line.slice(1);
    }
  }
  return undefined;
}

function whyNot(code: string, patch: StructuredPatch): string {
  for (const [i, hunk] of patch.hunks.entries()) {
    if (applyPatch(code, { ...patch, hunks: [hunk] }) !== false) continue;
    const missing = missingLine(code, hunk);
    const detail =
      missing !== undefined
        ? `the line ${JSON.stringify(oneLine(missing, 120))} it expects is not in the code`
        : "its context and removed lines are not found together, in that order, in the code";
    return `hunk ${i + 1} (${hunkHeader(hunk)}) does not match the code: ${detail}`;
  }
  return "each hunk matches somewhere alone, but not in order one after another: hunks overlap or are out of order";
}

/**
 * Applies a unified diff to `code`. A diff that does not parse, has no hunk,
 * patches more than one file or does not fit the code exactly gives
 * `{ ok: false, reason }`, the reason naming the hunk and the line that did
 * not match. Headers (`--- a/x`, `+++ b/x`) are optional.
 */
export function applyUnifiedDiff(code: string, diff: string): DiffOutcome {
  let patches: StructuredPatch[];
  try {
    patches = parsePatch(diff);
  } catch (error) {
    return { ok: false, reason: `the diff does not parse: ${oneLine((error as Error).message)}` };
  }
  const withHunks = patches.filter((p) => p.hunks.length > 0);
  if (withHunks.length === 0) {
    return { ok: false, reason: "the diff has no hunk (no line starting with @@ -l,n +l,n @@)" };
  }
  if (withHunks.length > 1) {
    return {
      ok: false,
      reason: `the diff patches ${withHunks.length} files; answer one diff against the strategy's code only`,
    };
  }
  const patch = withHunks[0] as StructuredPatch;
  let result: string | false;
  try {
    result = applyPatch(code, patch);
  } catch (error) {
    return {
      ok: false,
      reason: `the diff cannot be applied: ${oneLine((error as Error).message)}`,
    };
  }
  return result === false ? { ok: false, reason: whyNot(code, patch) } : { ok: true, code: result };
}
