/**
 * A started experiment: numbering, validation and the gate on every logged
 * iteration, the analyzers and advisor on request, and the meta at the end.
 */
import { TrajectoryAssessmentSchema } from "./assessment.js";
import { baseTrajectory } from "./base-trajectory.js";
import type { Advice, Advisor, LoopProgress } from "./contracts.js";
import {
  ConfigurationError,
  ConvergeError,
  IterationConflictError,
  PluginError,
} from "./errors.js";
import { evaluateGate } from "./gate.js";
import { inIterationOrder } from "./iteration-order.js";
import { canonicalJson, type JsonValue } from "./json.js";
import { type ExperimentMeta, ExperimentMetaSchema } from "./meta.js";
import { ownValue, setName } from "./names.js";
import {
  type ExperimentRecord,
  MetricsSchema,
  type ParameterChange,
  parseRecord,
} from "./record.js";
import { resolvePlugin } from "./resolve-plugin.js";
import { type ExperimentStatus, type ExperimentSummary, summarize } from "./summary.js";
import type { LogInput, Run, Tracker } from "./tracker.js";
import { type ExperimentTrajectory, ExperimentTrajectorySchema } from "./trajectory.js";
import { parseOrThrow } from "./validate.js";

const MAX_CONFLICT_RETRIES = 5;

export function deepFreeze<T>(value: T): T {
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
  // A plain object (it becomes the record's `parameter_changes`); setName keeps "__proto__" an entry.
  const changes: Record<string, ParameterChange> = {};
  const keys = new Set(Object.keys(previous));
  for (const key of Object.keys(current)) keys.add(key);
  for (const key of keys) {
    const before = ownValue(previous, key);
    const after = ownValue(current, key);
    if (!Object.hasOwn(previous, key)) setName(changes, key, { to: after as JsonValue });
    else if (!Object.hasOwn(current, key)) setName(changes, key, { from: before as JsonValue });
    else if (canonicalJson(before) !== canonicalJson(after)) {
      setName(changes, key, { from: before as JsonValue, to: after as JsonValue });
    }
  }
  return changes;
}

/** The record of the next iteration after `previous`: numbered, timed, scored by the gate and validated. */
function buildRecord(
  input: LogInput,
  previous: ExperimentRecord | undefined,
  meta: ExperimentMeta,
  gate: ExperimentMeta["gate"],
  pendingSeconds: number,
  now: () => Date,
): ExperimentRecord {
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
  if (gate && input.evaluation_error != null) {
    // Nothing was measured: the iteration failed, but it has no score.
    draft.gate_passed = false;
    draft.gate_score = null;
    draft.failed_criteria = [];
  } else if (gate) {
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

/** The base trajectory with each of the tracker's analyzers' parts laid over it, in order. */
async function analyzeRecords(
  tracker: Tracker,
  records: readonly ExperimentRecord[],
  meta: ExperimentMeta,
  gate: ExperimentMeta["gate"],
  options: { loop?: LoopProgress },
): Promise<ExperimentTrajectory> {
  const ordered = inIterationOrder(records);
  let trajectory: ExperimentTrajectory = baseTrajectory(ordered, meta);
  for (const analyzer of tracker.analyzers) {
    let part: Partial<ExperimentTrajectory>;
    try {
      part = await analyzer.analyze({
        records: ordered,
        meta,
        gate,
        metrics: meta.metrics,
        ...(options.loop && { loop: { ...options.loop } }),
      });
    } catch (error) {
      throw new PluginError({ source: `analyzer "${analyzer.name}"`, cause: error });
    }
    trajectory = { ...trajectory, ...part };
  }
  return parseOrThrow(ExperimentTrajectorySchema, trajectory, "trajectory");
}

/** The advisor's advice on the trajectory (analysed first when not given), its assessment validated. */
async function askAdvisor(
  advisor: Advisor | undefined,
  records: readonly ExperimentRecord[],
  trajectory: ExperimentTrajectory | (() => Promise<ExperimentTrajectory>),
  meta: ExperimentMeta,
  options: { loop?: LoopProgress },
): Promise<Advice> {
  if (!advisor) {
    throw new ConfigurationError("This tracker has no advisor.", {
      hint: "createTracker({ store, advisor: ruleAdvisor() }) or pass one to run.advise(trajectory, advisor)",
    });
  }
  resolvePlugin("advisor", advisor);
  const t = typeof trajectory === "function" ? await trajectory() : trajectory;
  let advice: Advice;
  try {
    advice = await advisor.advise({
      records: inIterationOrder(records),
      trajectory: t,
      meta,
      ...(options.loop && { loop: { ...options.loop } }),
    });
  } catch (error) {
    throw new PluginError({ source: `advisor "${advisor.name}"`, cause: error });
  }
  const assessment = parseOrThrow(
    TrajectoryAssessmentSchema,
    advice?.assessment,
    "assessment",
    `advisor "${advisor.name}" must return { assessment, source }`,
  );
  return { ...advice, assessment };
}

/** One run's mutable state, shared by the functions behind its methods. */
interface RunState {
  tracker: Tracker;
  now: () => Date;
  /** In iteration order; `run.records` is this very array. */
  records: ExperimentRecord[];
  meta: ExperimentMeta;
  gate: ExperimentMeta["gate"];
  /** Seconds timed by `run.time` since the last logged iteration. */
  pendingSeconds: number;
  /** Serialises log() calls of this run so two concurrent calls never share a number. */
  queue: Promise<unknown>;
}

async function logNow(state: RunState, input: LogInput): Promise<ExperimentRecord> {
  const { store } = state.tracker;
  const { records } = state;
  for (let attempt = 0; ; attempt++) {
    const record = buildRecord(
      input,
      records.at(-1),
      state.meta,
      state.gate,
      state.pendingSeconds,
      state.now,
    );
    try {
      await store.append(record);
    } catch (error) {
      if (IterationConflictError.isInstance(error) && attempt < MAX_CONFLICT_RETRIES) {
        // Another writer appended: take its records and number after them.
        const stored = inIterationOrder(await store.read(state.meta.experiment_id));
        // Replaced in place (run.records is this array) with a loop: no spread of a data-sized array.
        records.length = 0;
        for (const r of stored) records.push(r);
        continue;
      }
      throw error;
    }
    state.pendingSeconds = 0;
    records.push(record);
    return record;
  }
}

function logQueued(state: RunState, input: LogInput): Promise<ExperimentRecord> {
  if (!input || typeof input !== "object") {
    return Promise.reject(
      new ConvergeError("run.log needs an object with at least `metrics`.", {
        hint: "run.log({ parameters: { position_size: 0.1 }, metrics: { sharpe_ratio: 0.75 } })",
      }),
    );
  }
  const next = state.queue.then(() => logNow(state, input));
  state.queue = next.catch(() => undefined);
  return next;
}

async function timed<T>(state: RunState, fn: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    state.pendingSeconds += (performance.now() - start) / 1000;
  }
}

async function finishRun(
  state: RunState,
  status: ExperimentStatus | undefined,
  extra: Partial<ExperimentSummary>,
): Promise<ExperimentSummary> {
  await state.queue;
  const { meta } = state;
  const summary = { ...summarize(state.records, status, meta.experiment_id), ...extra };
  const next = ExperimentMetaSchema.parse({
    ...meta,
    status: summary.status,
    summary,
    updated_at: state.now().toISOString(),
  });
  await state.tracker.store.writeMeta(next);
  state.meta = deepFreeze(next);
  return summary;
}

export function createRun(
  tracker: Tracker,
  initialMeta: ExperimentMeta,
  initial: ExperimentRecord[],
  now: () => Date,
): Run {
  const meta = deepFreeze(initialMeta);
  const state: RunState = {
    tracker,
    now,
    // In iteration order whatever the store returned: numbering goes on after the last iteration.
    records: inIterationOrder(initial).slice(),
    meta,
    gate: meta.gate,
    pendingSeconds: 0,
    queue: Promise.resolve(),
  };
  const { records, gate } = state;
  const run: Run = {
    experimentId: meta.experiment_id,
    get meta() {
      return state.meta;
    },
    gate,
    metrics: meta.metrics,
    records,
    log: (input: LogInput) => logQueued(state, input),
    time: <T>(fn: () => T | Promise<T>) => timed(state, fn),
    analyze(options: { loop?: LoopProgress } = {}) {
      return analyzeRecords(tracker, records, state.meta, gate, options);
    },
    async advise(
      trajectory?: ExperimentTrajectory,
      advisor: Advisor | undefined = tracker.advisor,
      options: { loop?: LoopProgress } = {},
    ) {
      return askAdvisor(advisor, records, trajectory ?? (() => run.analyze()), state.meta, options);
    },
    summary(status?: ExperimentStatus) {
      return summarize(records, status, meta.experiment_id);
    },
    finish: (status?: ExperimentStatus, extra: Partial<ExperimentSummary> = {}) =>
      finishRun(state, status, extra),
  };
  return run;
}
