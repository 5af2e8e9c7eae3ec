/**
 * The counterfactual of an advisor's stop: what a seed would have done had
 * the loop not stopped when the advisor said PIVOT or ABANDON.
 *
 * The advisor cannot simply be left out of the counterfactual run: its
 * `parameter_recommendations` steer the tuner, so a run without it is a
 * different run from the first iteration on. `watchAdvisor` keeps asking it
 * after every iteration, passes its advice on unchanged, and only turns
 * PIVOT / ABANDON into CONTINUE, so the loop runs on to its budget. Until the
 * first stop the overridden run is the plain run record for record; after
 * it, it shows whether (and at which iteration) the gate would have passed.
 *
 * `runSeed` is the demo's loop for one seed (the market, tuner, gate, metrics,
 * directive and budget `runDemo` uses, the tracker from `createDemoTracker`
 * with the offline rule advisor) without the printing and the report, so
 * many seeds can be run quickly (the demo's bench runs seeds 1–100 twice).
 */
import type {
  Advice,
  Advisor,
  AdvisorInput,
  ExperimentRecord,
  ExperimentStatus,
  NextAction,
} from "@converge/core";
import { ConfigurationError, runGateLoop } from "@converge/core";
import { createDemoTracker, DEFAULT_MAX_ITERATIONS, demoLoop } from "./demo.js";
import { resolveStore } from "./setup.js";
import type { MomentumStrategy } from "./strategy.js";

/** A PIVOT or ABANDON the advisor said. */
export interface AdvisorStop {
  /** The iteration after which the advisor said it. */
  afterIteration: number;
  /** What it said: PIVOT ends a plain run as PIVOT_TO_RESEARCH, ABANDON as ABANDONED. */
  action: Exclude<NextAction, "CONTINUE">;
  /** True when it was turned into CONTINUE, so the loop went on. */
  overridden: boolean;
}

/** An advisor wrapped to count its answers and, optionally, to override its stops. */
export interface AdvisorWatch {
  /** The wrapper: hand it to `runGateLoop` as its `advisor`. */
  readonly advisor: Advisor;
  /** How many times the wrapped advisor was asked (its answers, passed on or overridden). */
  readonly asked: number;
  /** Every PIVOT / ABANDON it said, in order. */
  readonly stops: readonly AdvisorStop[];
}

/** What `watchAdvisor` does with the advice. */
export interface WatchOptions {
  /**
   * Turn PIVOT / ABANDON into CONTINUE. Nothing else of the advice changes:
   * the recommendations that steer the tuner stay as the advisor gave them.
   */
  overrideStops: boolean;
}

const isStop = (action: NextAction): action is AdvisorStop["action"] =>
  action === "PIVOT" || action === "ABANDON";

/**
 * Wraps `inner` so that every call is counted and every stop noted; with
 * `overrideStops` the stops become CONTINUE. The wrapper asks `inner` on
 * every call, so the advice that reaches the tuner is the advisor's own.
 */
export function watchAdvisor(inner: Advisor, options: WatchOptions): AdvisorWatch {
  let asked = 0;
  const stops: AdvisorStop[] = [];
  const advisor: Advisor = {
    specificationVersion: "v1",
    // Only warnings name the advisor; they should say that its stops were not obeyed.
    name: options.overrideStops ? `${inner.name} (stops overridden)` : inner.name,
    async advise(input: AdvisorInput): Promise<Advice> {
      const advice = await inner.advise(input);
      asked += 1;
      const action = advice.assessment.next_action;
      if (!isStop(action)) return advice;
      const afterIteration =
        input.loop?.iteration ?? input.records.at(-1)?.iteration ?? input.records.length;
      stops.push({ afterIteration, action, overridden: options.overrideStops });
      if (!options.overrideStops) return advice;
      return { ...advice, assessment: { ...advice.assessment, next_action: "CONTINUE" } };
    },
  };
  return {
    advisor,
    get asked() {
      return asked;
    },
    get stops() {
      return stops;
    },
  };
}

/** One seed of the demo's loop. */
export interface SeedRunOptions {
  /** The market's and the tuner's seed, as the demo's `--seed`. */
  seed: number;
  /**
   * The JSONL directory the run is logged to. The experiment id is fixed per
   * seed and variant, so use a fresh directory per run of the same seed and
   * variant (a second one in the same directory is refused by the tracker).
   */
  dir: string;
  /** Default 15, the demo's. */
  maxIterations?: number;
  /** Run on through the advisor's PIVOT / ABANDON (the counterfactual). Default false. */
  overrideStops?: boolean;
  /**
   * Who advises; default the demo's offline rule advisor (the tracker's). Tests
   * pass one that stops on cue, to see the override work whatever the rules say.
   */
  advisor?: Advisor;
}

/** How one seed's loop ended, with what it logged and what the advisor said. */
export interface SeedRun {
  /** The market's and the tuner's seed. */
  seed: number;
  /** `counterfactual_seed<seed>_plain` or `…_override`, in the run's JSONL directory. */
  experimentId: string;
  /** How the loop ended: SUCCESS, PIVOT_TO_RESEARCH, ABANDONED, MAX_ITERATIONS, … */
  status: ExperimentStatus;
  /** Whether the gate passed (status SUCCESS). */
  passed: boolean;
  /** Iterations run. */
  iterations: number;
  /** The iteration whose strategy passed the gate; null when none did. */
  passedAt: number | null;
  /** How many times the advisor was asked (after every failed iteration from the second on). */
  asked: number;
  /** The advisor's PIVOT / ABANDON, overridden or not. */
  stops: readonly AdvisorStop[];
  /** The records logged, in iteration order. */
  records: readonly ExperimentRecord[];
  /**
   * What the loop reported without stopping (a failing advisor, …). Empty in a
   * faithful run: a run with warnings is not the demo's run, whatever its status.
   */
  warnings: readonly string[];
}

/**
 * Runs the demo's loop on one seed, offline and silent: the same market,
 * tuner, gate, metrics, directive and budget as `runDemo`, the tracker from
 * `createDemoTracker` (JSONL store, default analyzers, rule advisor), with
 * the advisor watched and, with `overrideStops`, its stops overridden.
 */
export async function runSeed(options: SeedRunOptions): Promise<SeedRun> {
  const { seed } = options;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const overrideStops = options.overrideStops === true;
  const location = resolveStore(`jsonl:${options.dir}`, {}, options.dir);
  const { tracker } = createDemoTracker({ location, advisor: "rule", model: null });
  const inner = options.advisor ?? tracker.advisor;
  if (inner === undefined) throw new ConfigurationError("the demo's tracker has no advisor");
  const watch = watchAdvisor(inner, { overrideStops });
  const experimentId = `counterfactual_seed${seed}_${overrideStops ? "override" : "plain"}`;
  const { options: loopOptions } = demoLoop(seed, { tracker, experimentId, maxIterations });
  const records: ExperimentRecord[] = [];
  const warnings: string[] = [];
  try {
    const loop = await runGateLoop<MomentumStrategy>({
      ...loopOptions,
      advisor: watch.advisor,
      // The logged record, as the store holds it: no need to read the file back.
      onIteration: (record) => {
        records.push(record);
      },
      onWarning: (message) => {
        warnings.push(message);
      },
    });
    return {
      seed,
      experimentId,
      status: loop.summary.status,
      passed: loop.passed,
      iterations: loop.summary.total_iterations,
      passedAt: records.find((r) => r.gate_passed)?.iteration ?? null,
      asked: watch.asked,
      stops: watch.stops,
      records,
      warnings,
    };
  } finally {
    await tracker.store.close();
  }
}
