import { TrajectoryAssessmentSchema } from "./assessment.js";
import { baseTrajectory } from "./base-trajectory.js";
import type { Advice, Advisor, Analyzer, LoopProgress, Store } from "./contracts.js";
import {
  ConfigurationError,
  ConvergeError,
  ExperimentNotFoundError,
  IterationConflictError,
  PluginError,
} from "./errors.js";
import { evaluateGate, type GateSpec, type GateSpecInput, parseGate } from "./gate.js";
import { canonicalJson, type JsonValue } from "./json.js";
import { type ExperimentMeta, ExperimentMetaSchema } from "./meta.js";
import { type MetricSpec, type MetricSpecInput, MetricSpecsSchema } from "./metric-spec.js";
import {
  ExperimentIdSchema,
  type ExperimentRecord,
  type LlmUsage,
  MetricsSchema,
  type ParameterChange,
  parseRecord,
} from "./record.js";
import { type ExperimentStatus, type ExperimentSummary, summarize } from "./summary.js";
import { type ExperimentTrajectory, ExperimentTrajectorySchema } from "./trajectory.js";
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

const MAX_CONFLICT_RETRIES = 5;

/** Throws a ConfigurationError unless `plugin` (when given) implements specification v1. */
export function checkPlugin(
  kind: string,
  plugin: { specificationVersion?: unknown; name?: unknown } | undefined,
): void {
  if (plugin === undefined) return;
  if (plugin === null || typeof plugin !== "object") {
    throw new ConfigurationError(`The ${kind} is not a plugin object.`, {
      hint: `pass a ${kind} created by its factory, e.g. jsonlStore({ dir: "experiments" })`,
    });
  }
  if (plugin.specificationVersion !== "v1") {
    throw new ConfigurationError(
      `The ${kind} ${JSON.stringify(plugin.name ?? "")} implements specification ${String(plugin.specificationVersion)}; this @converge/core supports v1.`,
      {
        hint: `use versions of @converge/core and the ${kind} package that were released together`,
      },
    );
  }
}

/** Creates a tracker from plugins. Its configuration is frozen from here on. */
export function createTracker(settings: TrackerSettings): Tracker {
  if (!settings || typeof settings !== "object" || !settings.store) {
    throw new ConfigurationError("createTracker needs a store.", {
      hint: 'createTracker({ store: jsonlStore({ dir: "experiments" }) })',
    });
  }
  checkPlugin("store", settings.store);
  for (const a of settings.analyzers ?? []) checkPlugin("analyzer", a);
  checkPlugin("advisor", settings.advisor);
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
        throw new ExperimentNotFoundError(experimentId, settings.store.name);
      // A log written by the seed's Python logger has records but no meta.
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

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** `{name: {from, to}}` for every parameter that differs between two iterations. */
export function deriveParameterChanges(
  previous: Readonly<Record<string, JsonValue>> | undefined,
  current: Readonly<Record<string, JsonValue>>,
): Record<string, ParameterChange> {
  if (previous === undefined) return {};
  const changes: Record<string, ParameterChange> = {};
  for (const key of new Set([...Object.keys(previous), ...Object.keys(current)])) {
    const inPrev = Object.hasOwn(previous, key);
    const inCurr = Object.hasOwn(current, key);
    if (!inPrev) changes[key] = { to: current[key] as JsonValue };
    else if (!inCurr) changes[key] = { from: previous[key] as JsonValue };
    else if (canonicalJson(previous[key]) !== canonicalJson(current[key])) {
      changes[key] = { from: previous[key] as JsonValue, to: current[key] as JsonValue };
    }
  }
  return changes;
}

function createRun(
  tracker: Tracker,
  initialMeta: ExperimentMeta,
  initial: ExperimentRecord[],
  now: () => Date,
): Run {
  const store = tracker.store;
  const records: ExperimentRecord[] = [...initial];
  let meta = deepFreeze(initialMeta);
  const gate = meta.gate;
  let pendingSeconds = 0;
  // Serialises log() calls of this run so two concurrent calls never share a number.
  let queue: Promise<unknown> = Promise.resolve();

  function build(input: LogInput, previous: ExperimentRecord | undefined): ExperimentRecord {
    const { metrics: rawMetrics, parameters = {}, parameter_changes: stated = {}, ...rest } = input;
    const metrics = parseOrThrow(MetricsSchema, rawMetrics, "record.metrics");
    const draft: Record<string, unknown> = {
      ...rest,
      experiment_id: meta.experiment_id,
      iteration: (previous?.iteration ?? 0) + 1,
      timestamp: now().toISOString(),
      research_directive: input.research_directive ?? meta.directive,
      parameters,
      metrics,
      parameter_changes: { ...deriveParameterChanges(previous?.parameters, parameters), ...stated },
    };
    if (gate) {
      const result = evaluateGate(metrics, gate);
      draft.gate_passed = result.passed;
      draft.gate_score = result.score;
      draft.failed_criteria = result.failed_criteria;
    }
    if (input.compute_time === undefined && pendingSeconds > 0) draft.compute_time = pendingSeconds;
    if (input.cost === undefined && input.llm_usage?.length) {
      draft.cost = input.llm_usage.reduce((sum, u) => sum + (u.cost_usd ?? 0), 0);
    }
    return parseRecord(draft);
  }

  async function logNow(input: LogInput): Promise<ExperimentRecord> {
    for (let attempt = 0; ; attempt++) {
      const record = build(input, records.at(-1));
      try {
        await store.append(record);
      } catch (error) {
        if (IterationConflictError.isInstance(error) && attempt < MAX_CONFLICT_RETRIES) {
          // Another writer appended: take its records and number after them.
          const stored = await store.read(meta.experiment_id);
          records.splice(0, records.length, ...stored);
          continue;
        }
        throw error;
      }
      pendingSeconds = 0;
      records.push(record);
      return record;
    }
  }

  const run: Run = {
    experimentId: meta.experiment_id,
    get meta() {
      return meta;
    },
    gate,
    metrics: meta.metrics,
    records,
    log(input: LogInput) {
      if (!input || typeof input !== "object") {
        return Promise.reject(
          new ConvergeError("run.log needs an object with at least `metrics`.", {
            hint: "run.log({ parameters: { position_size: 0.1 }, metrics: { sharpe_ratio: 0.75 } })",
          }),
        );
      }
      const next = queue.then(() => logNow(input));
      queue = next.catch(() => undefined);
      return next;
    },
    async time<T>(fn: () => T | Promise<T>): Promise<T> {
      const start = performance.now();
      try {
        return await fn();
      } finally {
        pendingSeconds += (performance.now() - start) / 1000;
      }
    },
    async analyze(options: { loop?: LoopProgress } = {}) {
      let trajectory: ExperimentTrajectory = baseTrajectory(records, meta);
      for (const analyzer of tracker.analyzers) {
        let part: Partial<ExperimentTrajectory>;
        try {
          part = await analyzer.analyze({
            records,
            meta,
            gate,
            metrics: meta.metrics,
            ...(options.loop && { loop: { ...options.loop } }),
          });
        } catch (error) {
          throw new PluginError(`analyzer "${analyzer.name}"`, error);
        }
        trajectory = { ...trajectory, ...part };
      }
      return parseOrThrow(ExperimentTrajectorySchema, trajectory, "trajectory");
    },
    async advise(
      trajectory?: ExperimentTrajectory,
      advisor: Advisor | undefined = tracker.advisor,
      options: { loop?: LoopProgress } = {},
    ) {
      if (!advisor) {
        throw new ConfigurationError("This tracker has no advisor.", {
          hint: "createTracker({ store, advisor: ruleAdvisor() }) or pass one to run.advise(trajectory, advisor)",
        });
      }
      checkPlugin("advisor", advisor);
      const t = trajectory ?? (await run.analyze());
      let advice: Advice;
      try {
        advice = await advisor.advise({
          records,
          trajectory: t,
          meta,
          ...(options.loop && { loop: { ...options.loop } }),
        });
      } catch (error) {
        throw new PluginError(`advisor "${advisor.name}"`, error);
      }
      const assessment = parseOrThrow(
        TrajectoryAssessmentSchema,
        advice?.assessment,
        "assessment",
        `advisor "${advisor.name}" must return { assessment, source }`,
      );
      return { ...advice, assessment };
    },
    summary(status?: ExperimentStatus) {
      return summarize(records, status, meta.experiment_id);
    },
    async finish(status?: ExperimentStatus, extra: Partial<ExperimentSummary> = {}) {
      await queue;
      const summary = { ...summarize(records, status, meta.experiment_id), ...extra };
      const next = ExperimentMetaSchema.parse({
        ...meta,
        status: summary.status,
        summary,
        updated_at: now().toISOString(),
      });
      await store.writeMeta(next);
      meta = deepFreeze(next);
      return summary;
    },
  };
  return run;
}
