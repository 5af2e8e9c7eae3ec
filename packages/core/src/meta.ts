import { z } from "zod";
import { GateSpecSchema } from "./gate.js";
import { MetricSpecSchema } from "./metric-spec.js";
import { nameMapSchema } from "./names.js";
import { ExperimentIdSchema, SCHEMA_VERSION, TimestampSchema } from "./record.js";
import { ExperimentStatusSchema, ExperimentSummarySchema } from "./summary.js";

/**
 * Experiment-level facts, kept beside the records (`<id>.meta.json` in the
 * JSONL store). Fields this version does not know are kept.
 */
export const ExperimentMetaSchema = z.looseObject({
  schema_version: z.number().int().default(SCHEMA_VERSION),
  experiment_id: ExperimentIdSchema,
  /** The research directive: what the loop is trying to achieve. */
  directive: z.string().default(""),
  gate: GateSpecSchema.nullable().default(null),
  /** Metric name → spec; an object without a prototype, so every name is data. */
  metrics: nameMapSchema(MetricSpecSchema).default(() => Object.create(null)),
  status: ExperimentStatusSchema.default("IN_PROGRESS"),
  created_at: TimestampSchema.nullable().default(null),
  updated_at: TimestampSchema.nullable().default(null),
  summary: ExperimentSummarySchema.nullable().default(null),
  /**
   * The iteration budget: the experiment stops after this many iterations
   * (set by `runGateLoop` from `maxIterations`); null when none was given.
   */
  max_iterations: z.number().int().positive().nullable().default(null),
  /** Free-form labels (team, dataset, ...). */
  tags: nameMapSchema(z.string()).default(() => Object.create(null)),
});
export type ExperimentMeta = z.output<typeof ExperimentMetaSchema>;
export type ExperimentMetaInput = z.input<typeof ExperimentMetaSchema>;
