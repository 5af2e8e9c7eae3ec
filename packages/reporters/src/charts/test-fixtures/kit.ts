/**
 * Test helpers for the chart specs: schema validation, the Python logger's sample
 * experiment, and counting what a rendered SVG draws.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  ExperimentMetaSchema,
  type ExperimentRecord,
  type GateSpecInput,
  parseRecord,
  type ReportExperiment,
} from "@converge/core";
import { sampleLogLines } from "@converge/test-kit";
import { Ajv, type ValidateFunction } from "ajv";
import type { TopLevelSpec } from "vega-lite";

let validator: ValidateFunction | undefined;

/** Vega-Lite's JSON schema (draft-07), compiled once. */
function schemaValidator(): ValidateFunction {
  if (!validator) {
    const path = createRequire(import.meta.url).resolve("vega-lite/vega-lite-schema.json");
    const schema = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false, allErrors: true });
    // The formats the schema names (ajv knows none without ajv-formats); colours are checked.
    ajv.addFormat("color-hex", /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i);
    ajv.addFormat("uri", true);
    ajv.addFormat("uri-reference", true);
    validator = ajv.compile(schema);
  }
  return validator;
}

/**
 * The schema errors of a spec as it would be serialised (JSON round trip:
 * what a notebook or the interactive report receives), [] when valid.
 */
export function schemaErrors(spec: TopLevelSpec): string[] {
  const validate = schemaValidator();
  const json = JSON.parse(JSON.stringify(spec)) as unknown;
  if (validate(json)) return [];
  return (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath} ${e.message}`);
}

/** The lines of @converge/test-kit's sample log, verbatim. */
export const SAMPLE_LINES: string[] = sampleLogLines();

/** The sample log's gate, as its example implies: iteration 3 passes, 1 and 2 fail. */
export const SAMPLE_GATE: GateSpecInput = {
  criteria: [
    { metric: "sharpe_ratio", op: ">=", threshold: 1.0 },
    { metric: "max_drawdown", op: "<=", threshold: 0.2 },
    { metric: "win_rate", op: ">=", threshold: 0.5 },
  ],
};

/** The sample log's three records with its gate, and no analysis. */
export function sampleExperiment(): ReportExperiment {
  const records: ExperimentRecord[] = SAMPLE_LINES.map((line) => parseRecord(JSON.parse(line)));
  const meta = ExperimentMetaSchema.parse({
    experiment_id: "exp_20260118_143022",
    gate: SAMPLE_GATE,
    metrics: {},
  });
  return { meta, records };
}

/** How many times `needle` occurs in `text`. */
export function count(text: string, needle: string | RegExp): number {
  if (typeof needle === "string") return text.split(needle).length - 1;
  return [...text.matchAll(new RegExp(needle.source, `${needle.flags.replace("g", "")}g`))].length;
}

/** The `<g>` groups of a (non-group) mark named `name`, e.g. "gate_score_marks". */
export function markGroups(svg: string, name: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<g class="mark-[a-z]+ role-mark ${name}"`, "g");
  for (const m of svg.matchAll(re)) {
    // Mark groups of lines, rules, symbols, areas and text hold no nested group.
    const start = m.index ?? 0;
    const end = svg.indexOf("</g>", start);
    out.push(svg.slice(start, end < 0 ? undefined : end));
  }
  return out;
}

/** The vertex count of each path drawn by a line mark's group. */
export function lineVertexCounts(group: string): number[] {
  return [...group.matchAll(/<path[^>]* d="([^"]*)"/g)].map(
    (m) => (m[1]?.match(/[ML]/g) ?? []).length,
  );
}

/** The (x, y) vertices of the first path of a line mark group, in pixels. */
export function lineVertices(group: string): [number, number][] {
  const d = /<path[^>]* d="([^"]*)"/.exec(group)?.[1] ?? "";
  return [...d.matchAll(/[ML](-?[\d.e-]+),(-?[\d.e-]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}
