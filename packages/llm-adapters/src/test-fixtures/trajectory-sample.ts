/**
 * The recorded trajectory sample (trajectory-sample.json: 10 records of a
 * momentum/RSI loop analysed once with @converge/analyzers) as an
 * `AdvisorInput`. Each call returns fresh objects, so tests may edit them.
 */
import { readFileSync } from "node:fs";
import {
  type AdvisorInput,
  ExperimentMetaSchema,
  type ExperimentTrajectory,
  parseRecord,
} from "@converge/core";

const raw = readFileSync(new URL("./trajectory-sample.json", import.meta.url), "utf8");

export function sampleAdvisorInput(): AdvisorInput {
  const data = JSON.parse(raw) as { meta: unknown; records: unknown[]; trajectory: unknown };
  return {
    meta: ExperimentMetaSchema.parse(data.meta),
    records: data.records.map(parseRecord),
    trajectory: data.trajectory as ExperimentTrajectory,
  };
}
