/**
 * What `converge analyze` and `converge advise` share: resolving the command
 * line's targets (ids, .jsonl files, directories), reading a `--gate` file,
 * metric directions from `--maximize` / `--minimize`, and loading the
 * experiments ready for `analyzeTrajectory`.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import {
  ConvergeError,
  type ExperimentMeta,
  ExperimentMetaSchema,
  ExperimentNotFoundError,
  type ExperimentRecord,
  evaluateGate,
  type GateSpec,
  type MetricSpec,
  terminalSafe,
} from "@converge/core";
import { InvalidArgumentError } from "commander";
import type { CommandContext } from "./context.js";
import { type ForeignOptions, type ForeignTarget, foreignMode } from "./foreign-options.js";
import { readGateOption } from "./gate-option.js";
import { loadExperiment } from "./load-experiment.js";
import { metricSpecs, type ObjectiveOptions } from "./objective.js";
import { resolveShowTarget } from "./show-command.js";
import { loadStore, parseStoreUri, type StoreLocation, type StoreOptions } from "./store-uri.js";
import { noticeGate } from "./strict-notices.js";
import { UsageError } from "./usage-error.js";

export { collect, metricSpecs } from "./objective.js";

/** One experiment to read: where, and which. */
export interface AnalysisTarget {
  location: StoreLocation;
  /** The Converge experiment id; with `foreign`, the MLflow experiment's name. */
  experimentId: string;
  /** Set by `--runs` / `--history`: an MLflow experiment of ordinary runs. */
  foreign?: ForeignTarget;
}

/** An experiment ready to analyse. */
export interface PreparedExperiment {
  experimentId: string;
  /** The stored meta, or one made up for a log without a meta file; gate and metrics as used. */
  meta: ExperimentMeta;
  hasMeta: boolean;
  /** The records; re-scored against the `--gate` gate when one was given. */
  records: ExperimentRecord[];
  gate: GateSpec | null;
  /** Where the gate came from, for the text output. */
  gateSource: "option" | "meta" | "none";
  metrics: Record<string, MetricSpec>;
  location: StoreLocation;
  /** Where the iterations came from, when they are not a Converge experiment's (`--runs`, `--history`). */
  source?: string;
}

/** Options analyze, advise and report take. */
export interface LoadOptions extends ObjectiveOptions, ForeignOptions {
  store?: string;
  mlflowExperiment?: string;
  gate?: string;
  lenient?: boolean;
  /** Integrity notices (duplicate, out-of-order, foreign, missing iterations) fail the experiment. */
  strict?: boolean;
}

/** Commander parser for a positive whole number. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("expected a whole number >= 1, e.g. 8");
  }
  return n;
}

const isPathLike = (arg: string) =>
  arg.endsWith(".jsonl") || arg.includes("/") || arg.includes("\\") || arg === "." || arg === "..";

/**
 * Expands the command line's arguments into experiments. A directory (any
 * existing one, or a path like `./runs`) means every experiment in it; a
 * `.jsonl` file is read as `converge show` reads it; anything else is an id in
 * the `--store` store. Duplicates are dropped, the order kept.
 */
export async function resolveTargets(
  args: readonly string[],
  storeOpt: StoreOptions & ForeignOptions,
  ctx: CommandContext,
): Promise<AnalysisTarget[]> {
  const mode = foreignMode(storeOpt);
  if (mode !== undefined) {
    // The MLflow reader loads only for --runs / --history.
    const { resolveForeignTargets } = await import("./foreign-targets.js");
    return resolveForeignTargets(args, storeOpt, mode, ctx);
  }
  const out: AnalysisTarget[] = [];
  const seen = new Set<string>();
  const add = (t: AnalysisTarget) => {
    const key = `${t.location.display}\u0000${t.experimentId}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  };
  for (const arg of args) {
    const abs = resolve(ctx.io.cwd, arg);
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      for (const t of await experimentsIn(abs)) add(t);
      continue;
    }
    if (isPathLike(arg) && !arg.endsWith(".jsonl") && !existsSync(abs)) {
      throw new ConvergeError(`No such file or directory: ${terminalSafe(abs)}`, {
        hint: "give a directory of experiments, an <experiment_id>.jsonl file, or an experiment id with --store",
      });
    }
    const { location, experimentId } = resolveShowTarget(arg, storeOpt, ctx);
    add({ location, experimentId });
  }
  return out;
}

async function experimentsIn(dir: string): Promise<AnalysisTarget[]> {
  const location = parseStoreUri(`jsonl:${dir}`);
  const store = await loadStore(location);
  try {
    const listings = await store.list();
    if (listings.length === 0) {
      throw new ConvergeError(`No experiments found in ${terminalSafe(location.display)}.`, {
        hint: "a directory argument must hold <experiment_id>.jsonl files (and their .meta.json)",
      });
    }
    return listings.map((l) => ({ location, experimentId: l.experiment_id }));
  } finally {
    await store.close();
  }
}

/** The records scored against another gate: gate_passed, gate_score and failed_criteria replaced. */
function rescore(records: readonly ExperimentRecord[], gate: GateSpec): ExperimentRecord[] {
  return records.map((r) => {
    const result = evaluateGate(r.metrics, gate);
    return {
      ...r,
      gate_passed: result.passed,
      gate_score: result.score,
      failed_criteria: result.failed_criteria,
    };
  });
}

/**
 * Loads each target and prepares it for analysis. With one target an error is
 * thrown as it is; with several, each failure is printed and the rest go on
 * (`failed` counts them). With `strict`, an experiment whose records have
 * integrity problems fails (`IntegrityProblemsError`, listing each).
 */
export async function loadTargets(
  targets: readonly AnalysisTarget[],
  options: LoadOptions,
  ctx: CommandContext,
): Promise<{ experiments: PreparedExperiment[]; failed: number }> {
  const gateOption =
    options.gate === undefined ? undefined : readGateOption(options.gate, ctx.io.cwd);
  metricSpecs({}, options); // usage errors before any I/O
  const experiments: PreparedExperiment[] = [];
  let failed = 0;
  for (const target of targets) {
    try {
      experiments.push(await prepare(target, gateOption, options, ctx));
    } catch (error) {
      // A usage error (no objective for --runs, a metric the runs lack) is the command line's: stop.
      if (targets.length === 1 || UsageError.isInstance(error)) throw error;
      failed++;
      ctx.err(`error: ${terminalSafe(target.experimentId)}: ${(error as Error).message}`);
    }
  }
  return { experiments, failed };
}

async function prepare(
  target: AnalysisTarget,
  gateOption: GateSpec | undefined,
  options: LoadOptions,
  ctx: CommandContext,
): Promise<PreparedExperiment> {
  if (target.foreign !== undefined && target.location.kind === "mlflow") {
    const foreign = { ...target, foreign: target.foreign, location: target.location };
    const { prepareForeign } = await import("./foreign-targets.js");
    return prepareForeign(foreign, gateOption, options, ctx);
  }
  const notices = noticeGate(ctx, options.strict);
  const store = await loadStore(target.location, { onNotice: notices.onNotice });
  let loaded: Awaited<ReturnType<typeof loadExperiment>>;
  try {
    loaded = await loadExperiment(store, target.experimentId, {
      lenient: options.lenient === true,
    });
  } catch (error) {
    if (!ExperimentNotFoundError.isInstance(error) || target.location.kind !== "mlflow")
      throw error;
    // The id may be the name of an MLflow experiment of ordinary runs: say how to read it.
    const { mlflowExperimentHint } = await import("./mlflow-experiment-hint.js");
    throw await mlflowExperimentHint(error, target.experimentId, target.location, ctx);
  } finally {
    await store.close();
  }
  notices.check();
  const stored =
    loaded.meta ??
    ExperimentMetaSchema.parse({
      experiment_id: target.experimentId,
      directive: loaded.directive,
    });
  const gate = gateOption ?? stored.gate;
  const metrics = metricSpecs(stored.metrics, options);
  return {
    experimentId: target.experimentId,
    meta: { ...stored, gate, metrics },
    hasMeta: loaded.meta !== null,
    records: gateOption ? rescore(loaded.records, gateOption) : loaded.records,
    gate,
    gateSource: gateOption ? "option" : gate ? "meta" : "none",
    metrics,
    location: target.location,
  };
}
