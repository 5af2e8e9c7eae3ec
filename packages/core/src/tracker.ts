import type { Advice, Advisor, Analyzer, LoopProgress, Store } from "./contracts.js";
import { ConfigurationError, ExperimentNotFoundError } from "./errors.js";
import { type GateSpec, type GateSpecInput, parseGate } from "./gate.js";
import type { JsonValue } from "./json.js";
import { type ExperimentMeta, ExperimentMetaSchema } from "./meta.js";
import { type MetricSpec, type MetricSpecInput, MetricSpecsSchema } from "./metric-spec.js";
import { ExperimentIdSchema, type ExperimentRecord, type LlmUsage } from "./record.js";
import { resolvePlugin } from "./resolve-plugin.js";
import { createRun } from "./run.js";
import type { ExperimentStatus, ExperimentSummary } from "./summary.js";
import type { ExperimentTrajectory } from "./trajectory.js";
import { parseOrThrow } from "./validate.js";

export interface TrackerSettings {
  store: Store;
  /** Run in order by `run.analyze()`; each fills the trajectory fields it owns. */
  analyzers?: readonly Analyzer[];
  advisor?: Advisor;
  /** Clock for timestamps (tests). */
  now?: () => Date;
}

export interface StartOptions {
  /** Default: `exp_YYYYMMDD_HHMMSS_xxxx` from the clock and 4 random hex digits. */
  experimentId?: string;
  directive?: string;
  /** When set, every logged iteration is scored against it. */
  gate?: GateSpecInput;
  /** Metric directions: `{ sharpe_ratio: "maximize", max_drawdown: { goal: "minimize", unit: "%" } }`. */
  metrics?: Record<string, MetricSpecInput>;
  tags?: Record<string, string>;
  /** The iteration budget, kept in the meta so that later analyses know what is left. */
  maxIterations?: number;
}

/**
 * What `run.log` takes: the record's own fields (snake_case). `metrics` is
 * required; iteration, timestamp, gate fields (when the run has a gate),
 * parameter_changes (merged with what you state), compute_time (when timed
 * with `run.time`) and cost (from `llm_usage`) are filled in.
 */
export interface LogInput {
  metrics: Record<string, number>;
  parameters?: Record<string, JsonValue>;
  strategy_name?: string;
  strategy_code?: string;
  strategy_description?: string;
  action_taken?: string;
  parameter_changes?: Record<string, JsonValue>;
  failure_classification?: string | null;
  failure_analysis?: Record<string, unknown> | null;
  compute_time?: number;
  cost?: number;
  llm_usage?: LlmUsage[];
  research_iteration?: number;
  strategy_iteration?: number;
  /** Only without a gate: the run's gate, when set, decides these. */
  gate_passed?: boolean;
  gate_score?: number | null;
  failed_criteria?: Record<string, unknown>[];
  /** Why the evaluation produced no metrics: the record then has no gate score. */
  evaluation_error?: { message: string; log_tail: string };
  /** The evaluator's stderr, capped to its tail. */
  evaluator_log?: string;
  /** Who proposed the strategy. */
  refiner?: { source: string; fallback?: string };
  /** Extra fields are stored as they are. */
  [extra: string]: unknown;
}

export interface Tracker {
  readonly store: Store;
  readonly analyzers: readonly Analyzer[];
  readonly advisor: Advisor | undefined;
  /** Starts a new experiment and writes its meta. */
  start(options?: StartOptions): Promise<Run>;
  /** Continues a stored experiment: numbering goes on after its last iteration. */
  resume(experimentId: string): Promise<Run>;
}

export interface Run {
  readonly experimentId: string;
  /** The experiment's meta as stored; frozen. */
  readonly meta: ExperimentMeta;
  readonly gate: GateSpec | null;
  readonly metrics: Readonly<Record<string, MetricSpec>>;
  /** Every record of the run so far, in order. */
  readonly records: readonly ExperimentRecord[];
  /** Validates, completes and appends one iteration. */
  log(input: LogInput): Promise<ExperimentRecord>;
  /** Runs `fn` and adds its duration to the next logged iteration's `compute_time`. */
  time<T>(fn: () => T | Promise<T>): Promise<T>;
  /**
   * Runs the tracker's analyzers over the records; `loop` tells them where a
   * running loop stands against its budget.
   */
  analyze(options?: { loop?: LoopProgress }): Promise<ExperimentTrajectory>;
  /**
   * Asks the advisor (the tracker's, or the one given) about a trajectory;
   * `loop` tells it how much of a running loop's budget is left.
   */
  advise(
    trajectory?: ExperimentTrajectory,
    advisor?: Advisor,
    options?: { loop?: LoopProgress },
  ): Promise<Advice>;
  /** The summary of the records so far. */
  summary(status?: ExperimentStatus): ExperimentSummary;
  /** Writes the status and summary into the experiment's meta. */
  finish(status?: ExperimentStatus, extra?: Partial<ExperimentSummary>): Promise<ExperimentSummary>;
}

/** Creates a tracker from plugins. Its configuration is frozen from here on. */
export function createTracker(settings: TrackerSettings): Tracker {
  if (!settings || typeof settings !== "object" || !settings.store) {
    throw new ConfigurationError("createTracker needs a store.", {
      hint: 'createTracker({ store: jsonlStore({ dir: "experiments" }) })',
    });
  }
  resolvePlugin("store", settings.store, { example: 'jsonlStore({ dir: "experiments" })' });
  for (const a of settings.analyzers ?? []) resolvePlugin("analyzer", a);
  resolvePlugin("advisor", settings.advisor);
  const now = settings.now ?? (() => new Date());
  const tracker: Tracker = Object.freeze({
    store: settings.store,
    analyzers: Object.freeze([...(settings.analyzers ?? [])]),
    advisor: settings.advisor,
    async start(options: StartOptions = {}) {
      const experimentId =
        options.experimentId === undefined
          ? defaultExperimentId(now())
          : parseOrThrow(ExperimentIdSchema, options.experimentId, "experimentId");
      const gate = options.gate === undefined ? null : parseGate(options.gate);
      const metrics = parseOrThrow(MetricSpecsSchema, options.metrics ?? {}, "metrics");
      const maxIterations =
        options.maxIterations === undefined
          ? null
          : parseOrThrow(
              ExperimentMetaSchema.shape.max_iterations,
              options.maxIterations,
              "maxIterations",
            );
      const existing = await settings.store.readMeta(experimentId);
      const existingRecords = existing ? [] : await readIfAny(settings.store, experimentId);
      if (existing || existingRecords.length > 0) {
        throw new ConfigurationError(
          `Experiment "${experimentId}" already exists in ${settings.store.name}.`,
          {
            hint: `continue it with tracker.resume("${experimentId}"), or start with another experimentId`,
          },
        );
      }
      const stamp = now().toISOString();
      const meta = ExperimentMetaSchema.parse({
        experiment_id: experimentId,
        directive: options.directive ?? "",
        gate,
        metrics,
        status: "IN_PROGRESS",
        created_at: stamp,
        updated_at: stamp,
        tags: options.tags ?? {},
        max_iterations: maxIterations,
      });
      await settings.store.writeMeta(meta);
      return createRun(tracker, meta, [], now);
    },
    async resume(experimentId: string) {
      parseOrThrow(ExperimentIdSchema, experimentId, "experimentId");
      const stored = await settings.store.readMeta(experimentId);
      const records = await readIfAny(settings.store, experimentId);
      if (!stored && records.length === 0)
        throw new ExperimentNotFoundError({ experimentId, where: settings.store.name });
      // A log written by the Python logger has records but no meta.
      const meta =
        stored ??
        ExperimentMetaSchema.parse({
          experiment_id: experimentId,
          directive: records[0]?.research_directive ?? "",
          created_at: records[0]?.timestamp ?? null,
          updated_at: records.at(-1)?.timestamp ?? null,
        });
      return createRun(tracker, meta, records, now);
    },
  });
  return tracker;
}

async function readIfAny(store: Store, experimentId: string): Promise<ExperimentRecord[]> {
  try {
    return await store.read(experimentId);
  } catch (error) {
    if (ExperimentNotFoundError.isInstance(error)) return [];
    throw error;
  }
}

function defaultExperimentId(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}_${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
  const suffix = Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, "0");
  return `exp_${stamp}_${suffix}`;
}
