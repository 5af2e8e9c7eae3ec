/**
 * Plugin contracts. Each carries a `specificationVersion` so it can evolve
 * without breaking plugins written against an older one; core checks it when
 * a plugin is handed over.
 */
import type { z } from "zod";
import type { Advice, LlmCallUsage } from "./advice.js";
import type { GateResult, GateSpec } from "./gate.js";
import type { ExperimentMeta } from "./meta.js";
import type { MetricSpec } from "./metric-spec.js";
import type { ExperimentRecord } from "./record.js";
import type { ExperimentSummary } from "./summary.js";
import type { ExperimentTrajectory } from "./trajectory.js";

export type { Advice, LlmCallUsage } from "./advice.js";

/** An experiment as `Store.list` sees it. */
export interface ExperimentListing {
  experiment_id: string;
  /** null when the store holds records but no meta (e.g. a log written by the Python logger). */
  meta: ExperimentMeta | null;
}

/**
 * Kinds of notice that mean the stored data contradicts itself (a record that
 * is not where it claims to be). `--strict` readers treat them as errors.
 */
export const INTEGRITY_NOTICE_KINDS = [
  "duplicate-iteration",
  "out-of-order",
  "foreign-record",
  "missing-iteration",
] as const;

/** One of {@link INTEGRITY_NOTICE_KINDS}. */
export type IntegrityNoticeKind = (typeof INTEGRITY_NOTICE_KINDS)[number];

/**
 * What a notice is about. The built-in kinds are listed; a plugin may use its
 * own, namespaced like "mlflow:sync-failed" or a plain word.
 *
 * - `torn-tail`: a torn last line was cut (and kept aside).
 * - `skipped-line`: a line that is not a valid record was skipped (lenient reads).
 * - `skipped-file`: a file in the store was not read (not a regular file, or its name is not a valid id).
 * - `invalid-meta`: an experiment's meta could not be read; it is listed without one.
 * - `inexact-number`: a number literal that JavaScript cannot hold exactly (beyond 2^53, `-0`, underflow).
 * - the {@link IntegrityNoticeKind}s: duplicate, out-of-order, foreign or missing iterations.
 */
export type StoreNoticeKind =
  | "torn-tail"
  | "skipped-line"
  | "skipped-file"
  | "invalid-meta"
  | "inexact-number"
  | IntegrityNoticeKind
  | (string & {});

/** True for the notices `--strict` readers treat as errors. */
export function isIntegrityNotice(notice: StoreNotice): boolean {
  return (INTEGRITY_NOTICE_KINDS as readonly string[]).includes(notice.kind);
}

/** Something a store noticed and repaired or skipped while reading or opening. */
export interface StoreNotice {
  kind: StoreNoticeKind;
  experimentId: string;
  /** Human-readable, e.g. "cut a torn last line of 812 bytes at line 4001 (kept in exp.jsonl.torn-...)". */
  message: string;
  file?: string;
  line?: number;
}

export interface ReadOptions {
  /** Skip lines that are not valid records (each one reported as a notice) instead of throwing. */
  lenient?: boolean;
}

/**
 * Where records and experiment meta live. Implementations: `jsonlStore`
 * (embedded default), `mlflowStore`.
 *
 * Contract: `append` is durable to the degree the store documents before it
 * resolves, rejects a record whose iteration is not after the last stored one
 * with `IterationConflictError`, and leaves no partial record behind when it
 * fails. Appending a record identical to the one stored at its iteration
 * stores nothing new: a store may resolve (an idempotent retry after a lost
 * answer, as `mlflowStore` does) or reject with `IterationConflictError` (as
 * `memoryStore` and `jsonlStore` do). `describeStoreContract` in the private
 * test-kit package checks all of this.
 */
export interface Store {
  readonly specificationVersion: "v1";
  /** Short name for messages, e.g. "jsonl:./experiments". */
  readonly name: string;
  /** Appends one validated record to its experiment. */
  append(record: ExperimentRecord): Promise<void>;
  /** All records of an experiment in iteration order; `ExperimentNotFoundError` if it has none and no meta. */
  read(experimentId: string, options?: ReadOptions): Promise<ExperimentRecord[]>;
  /** Writes an experiment's meta, replacing the previous one atomically. */
  writeMeta(meta: ExperimentMeta): Promise<void>;
  /** An experiment's meta, or null when none was written. */
  readMeta(experimentId: string): Promise<ExperimentMeta | null>;
  /** Every experiment the store holds. */
  list(): Promise<ExperimentListing[]>;
  /** Flushes and releases what the store holds open (files, locks, connections). */
  close(): Promise<void>;
  /** Repairs and skips are reported here (also kept for `notices`). */
  onNotice?: ((notice: StoreNotice) => void) | undefined;
}

/** What an analyzer is given. */
export interface AnalyzerInput {
  records: readonly ExperimentRecord[];
  meta: ExperimentMeta;
  gate: GateSpec | null;
  metrics: Readonly<Record<string, MetricSpec>>;
  /**
   * Present when a running loop asks: where it stands against its budget, so
   * an analyzer can look as far ahead as the iterations left.
   */
  loop?: LoopProgress;
}

/**
 * Computes part of the trajectory. Analyzers run in order; each returns the
 * fields it owns, merged over the previous ones.
 */
export interface Analyzer {
  readonly specificationVersion: "v1";
  readonly name: string;
  analyze(
    input: AnalyzerInput,
  ): Partial<ExperimentTrajectory> | Promise<Partial<ExperimentTrajectory>>;
}

/** Where a running loop stands against its budget (given by `runGateLoop`). */
export interface LoopProgress {
  /** The iteration just logged (1-based within this loop). */
  iteration: number;
  maxIterations: number;
  /** USD spent by the iterations logged so far (not yet this advice). */
  costSpentUsd: number;
  /** The loop's cost budget in USD; null without one. */
  costBudgetUsd: number | null;
  elapsedSeconds: number;
  /** The loop's wall-time budget; null without one. */
  wallTimeBudgetSeconds: number | null;
}

export interface AdvisorInput {
  records: readonly ExperimentRecord[];
  trajectory: ExperimentTrajectory;
  meta: ExperimentMeta;
  /** Present when a loop asks: how much of its budget is left. */
  loop?: LoopProgress;
}

/** Reads the trajectory and decides CONTINUE, PIVOT or ABANDON. */
export interface Advisor {
  readonly specificationVersion: "v1";
  readonly name: string;
  advise(input: AdvisorInput): Promise<Advice>;
}

export interface FailureAnalysisInput {
  strategy: StrategyLike;
  metrics: Readonly<Record<string, number>>;
  gate: GateResult;
  records: readonly ExperimentRecord[];
  iteration: number;
  maxIterations: number;
}

/** Why an iteration failed and what to do next (the failure analysis of docs/record-format.md). */
export interface FailureAnalysis {
  /** e.g. "PARAMETER_ISSUE", "ALGORITHM_BUG", "DESIGN_FLAW". */
  classification: string;
  /** e.g. "TUNE_PARAMETERS", "FIX_BUG", "REFINE_RESEARCH", "ABANDON"; becomes the record's `action_taken`. */
  recommendation: string;
  root_cause?: string;
  /** Anything else worth keeping; stored in the record's `failure_analysis`. */
  details?: Record<string, unknown>;
  usage?: LlmCallUsage[];
}

export interface FailureAnalyzer {
  readonly specificationVersion: "v1";
  readonly name: string;
  analyze(input: FailureAnalysisInput): Promise<FailureAnalysis>;
}

export interface GenerateObjectOptions<T> {
  schema: z.ZodType<T>;
  /** Name of the schema for providers that want one. */
  schemaName?: string;
  system?: string;
  prompt: string;
  abortSignal?: AbortSignal;
}

export interface GenerateObjectResult<T> {
  object: T;
  usage: { inputTokens: number; outputTokens: number };
  /** null when the model's price is unknown (never a guessed number). */
  costUsd: number | null;
  model: string;
  provider: string;
}

/** A language model that answers with an object matching a zod schema. */
export interface LanguageModel {
  readonly specificationVersion: "v1";
  readonly provider: string;
  readonly modelId: string;
  generateObject<T>(options: GenerateObjectOptions<T>): Promise<GenerateObjectResult<T>>;
}

/** One experiment with everything a report shows. */
export interface ReportExperiment {
  meta: ExperimentMeta;
  records: readonly ExperimentRecord[];
  trajectory?: ExperimentTrajectory;
  advice?: Advice;
  summary?: ExperimentSummary;
}

export interface ReportOutput {
  /** The main document's text (HTML, Markdown, ...). */
  body: string;
  contentType: string;
  /** Files written beside the document (e.g. SVG charts for Markdown), by relative path. */
  attachments?: Record<string, string | Uint8Array>;
}

/** Renders one or more experiments into a document. */
export interface Reporter {
  readonly specificationVersion: "v1";
  readonly name: string;
  render(input: { experiments: readonly ReportExperiment[] }): Promise<ReportOutput>;
}

/** The strategy a loop evolves: code and parameters. */
export interface StrategyLike {
  name: string;
  code?: string;
  description?: string;
  parameters: Record<string, unknown>;
}
