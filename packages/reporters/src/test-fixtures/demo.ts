/**
 * The demo's experiment as the demo wrote it (9 iterations of a momentum
 * strategy, every record with its code, the rule advisor's advice history),
 * with the trajectory `converge analyze --json` computed for it and the rule
 * advisor's answer: a realistic report for the layout and accessibility tests.
 * Regenerate with `node apps/demo/dist/bin.js --store jsonl:DIR --quiet`, then
 * `converge analyze <id> --json` and `converge advise <id> --json`.
 */
import { readFileSync } from "node:fs";
import {
  type Advice,
  ExperimentMetaSchema,
  parseRecord,
  type ReportExperiment,
} from "@converge/core";

const here = new URL("demo/", import.meta.url);

function json(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, here), "utf8"));
}

/** The demo's experiment with its trajectory analysis and the rule advisor's advice. */
export function demoExperiment(): ReportExperiment {
  const records = readFileSync(new URL("records.jsonl", here), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => parseRecord(JSON.parse(line)));
  const meta = ExperimentMetaSchema.parse(json("meta.json"));
  return {
    meta,
    records,
    trajectory: json("trajectory.json") as never,
    advice: json("advice.json") as Advice,
  };
}
