/**
 * `pnpm bench`: build time and file size of the static HTML report at 100,
 * 1,000 and 10,000 iterations (eight parameters, six metrics, a gate, short
 * strategy code changing every 25 iterations, analysis and advice), the
 * interactive report's size, and a same-run baseline: `JSON.stringify` of the
 * records, the floor for any document that carries every record. Targets at
 * 10,000 iterations: static report under 3 s and under 5 MB. Not a test.
 */

import { reportBenchRows } from "@converge/bench-kit";
import { renderHtmlReport } from "../html/document.js";
import { generateExperiment } from "./generate.js";

const MB = 1024 * 1024;
const TARGET_SECONDS = 3;
const TARGET_BYTES = 5 * MB;

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

async function best<T>(runs: number, fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  let out = await timed(fn);
  for (let r = 1; r < runs; r++) {
    const next = await timed(fn);
    if (next.ms < out.ms) out = next;
  }
  return out;
}

const size = (bytes: number) =>
  bytes >= MB ? `${(bytes / MB).toFixed(2)} MB` : `${(bytes / 1024).toFixed(0)} KB`;

const generatedAt = new Date("2026-01-18T15:00:00Z");
// Warm up: module loading, vega's parsers and the JIT are not part of a report's cost.
await renderHtmlReport(generateExperiment({ iterations: 50 }), { generatedAt, interactive: true });

const rows: Record<string, string>[] = [];
const verdicts: string[] = [];
for (const n of [100, 1_000, 10_000]) {
  const experiment = generateExperiment({ iterations: n });
  const runs = n >= 10_000 ? 2 : 3;
  const json = await best(runs, () => JSON.stringify(experiment.records));
  const html = await best(runs, () => renderHtmlReport(experiment, { generatedAt }));
  const live = await timed(() => renderHtmlReport(experiment, { generatedAt, interactive: true }));
  const htmlBytes = Buffer.byteLength(html.value);
  const jsonBytes = Buffer.byteLength(json.value);
  rows.push({
    iterations: n.toLocaleString("en-US"),
    "static build s": (html.ms / 1000).toFixed(2),
    "static size": size(htmlBytes),
    "interactive build s": (live.ms / 1000).toFixed(2),
    "interactive size": size(Buffer.byteLength(live.value)),
    "baseline JSON.stringify ms": json.ms.toFixed(1),
    "baseline JSON size": size(jsonBytes),
    "static / JSON size": (htmlBytes / jsonBytes).toFixed(2),
  });
  if (n === 10_000) {
    const seconds = html.ms / 1000;
    verdicts.push(
      `10,000 iterations, static build time ${seconds.toFixed(2)} s < ${TARGET_SECONDS} s: ${seconds < TARGET_SECONDS ? "PASS" : "FAIL"}`,
      `10,000 iterations, static file size ${size(htmlBytes)} < 5 MB: ${htmlBytes < TARGET_BYTES ? "PASS" : "FAIL"}`,
    );
    const jsonSize = `JSON of the records: ${size(jsonBytes)}`;
    reportBenchRows([
      {
        package: "reporters",
        benchmark: "static HTML report, 10,000 iterations: build time",
        measured: seconds,
        unit: "s",
        baseline: `JSON.stringify of the records: ${json.ms.toFixed(1)} ms`,
        ratio: html.ms / json.ms,
        target: `< ${TARGET_SECONDS} s`,
        pass: seconds < TARGET_SECONDS,
      },
      {
        package: "reporters",
        benchmark: "static HTML report, 10,000 iterations: file size",
        measured: htmlBytes / MB,
        unit: "MB",
        baseline: jsonSize,
        ratio: htmlBytes / jsonBytes,
        target: "< 5 MB",
        pass: htmlBytes < TARGET_BYTES,
      },
      {
        package: "reporters",
        benchmark: "interactive HTML report, 10,000 iterations: file size",
        measured: Buffer.byteLength(live.value) / MB,
        unit: "MB",
        baseline: jsonSize,
        ratio: Buffer.byteLength(live.value) / jsonBytes,
        target: "",
        pass: null,
      },
    ]);
  }
}
console.log(
  "\nHTML report: 8 parameters, 6 metrics, 3-criterion gate, code changing every 25 iterations (best of 2-3 runs)",
);
console.table(rows);
for (const line of verdicts) console.log(line);
