/**
 * One load measurement in a fresh process (run with --expose-gc), so peak RSS
 * belongs to this load alone. Prints one JSON line: { ms, records, peakRssDelta }.
 *
 *   node --expose-gc dist-bench/bench/load-child.js <floor|store|iterate> <dir> <experimentId>
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jsonlStore } from "../index.js";

const [mode, dir, id] = process.argv.slice(2) as [string, string, string];
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

gc();
gc();
// maxRSS is the process's peak resident set so far (KiB): its growth is the load's peak.
const rssBefore = process.resourceUsage().maxRSS * 1024;
const start = performance.now();
let records = 0;
let keep: unknown[] = [];
if (mode === "floor") {
  const text = readFileSync(join(dir, `${id}.jsonl`), "utf8");
  for (const line of text.split("\n")) if (line) keep.push(JSON.parse(line));
  records = keep.length;
} else if (mode === "store") {
  keep = await jsonlStore({ dir }).read(id);
  records = keep.length;
} else if (mode === "iterate") {
  for await (const record of jsonlStore({ dir }).iterate(id)) if (record.iteration > 0) records++;
} else {
  throw new Error(`unknown mode ${mode}`);
}
const ms = performance.now() - start;
const peakRssDelta = process.resourceUsage().maxRSS * 1024 - rssBefore;
process.stdout.write(`${JSON.stringify({ ms, records, peakRssDelta, kept: keep.length })}\n`);
