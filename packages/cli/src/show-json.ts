/** `converge show --json`, written in chunks: a million records do not fit in one string. */
import { type ExperimentRecord, serializeRecord } from "@converge/core";
import type { CommandContext } from "./context.js";
import { toJson } from "./format.js";
import type { LoadedExperiment } from "./load-experiment.js";

/** Records per write: about 1 MB of text for records of a few fields. */
const BATCH = 2000;

// JSON.stringify({ records: batch }, null, 2) indents each record as it sits in
// the whole document ({ "records": [ {...} ] }); these are the text around them.
const BATCH_HEAD = '{\n  "records": [\n';
const BATCH_TAIL = "\n  ]\n}";

/**
 * A record in the wire format, as `JSON.parse(serializeRecord(record))`: the
 * record itself unless a metric is non-finite (then the wire form, with
 * "NaN", "Infinity", "-Infinity"), which saves a parse per record.
 */
function wireRecord(record: ExperimentRecord): unknown {
  for (const name in record.metrics) {
    if (!Number.isFinite(record.metrics[name])) return JSON.parse(serializeRecord(record));
  }
  return record;
}

/**
 * Writes `{ meta, records, summary }` to stdout, the same text as
 * `toJson({ meta, records, summary })` plus a newline, without ever holding
 * it whole: a pretty-printed million records pass V8's largest string (about
 * 512 MB). Records are in the wire format (`serializeRecord`). Waits for
 * stdout to drain between chunks.
 */
export async function writeShowJson(ctx: CommandContext, loaded: LoadedExperiment): Promise<void> {
  const { records } = loaded;
  let head = `{\n  "meta": ${toJson(loaded.meta, "  ")},\n  "records": [`;
  if (records.length === 0) head += "]";
  await ctx.json(head);
  for (let at = 0; at < records.length; at += BATCH) {
    const batch = records.slice(at, at + BATCH).map(wireRecord);
    const text = JSON.stringify({ records: batch }, null, 2);
    const inner = text.slice(BATCH_HEAD.length, text.length - BATCH_TAIL.length);
    await ctx.json(`${at === 0 ? "\n" : ",\n"}${inner}`);
  }
  const tail = records.length > 0 ? "\n  ]" : "";
  await ctx.json(`${tail},\n  "summary": ${toJson(loaded.summary, "  ")}\n}\n`);
}
