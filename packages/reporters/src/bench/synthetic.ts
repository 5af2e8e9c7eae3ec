/**
 * A generated experiment of any length, for benchmarks and tests: a loop
 * tuning a trading strategy whose gate score climbs and levels off, with a
 * pivot halfway, three gated metrics (one "between"), numeric and
 * categorical parameters, and (optionally) a trajectory analysis shaped like
 * the analyzer's.
 */
import {
  baseTrajectory,
  ExperimentMetaSchema,
  type ExperimentRecord,
  evaluateGate,
  parseRecord,
  type ReportExperiment,
  seededRandom,
} from "@converge/core";

export interface SyntheticOptions {
  /** Random seed (default 1). */
  seed?: number;
  /** Attach an analysis (best so far, change point, ETA, success probability, parameter effects); default true. */
  analysis?: boolean;
  /** Experiment id (default "synthetic"). */
  experimentId?: string;
}

/** The gate of generated experiments. */
export const SYNTHETIC_GATE = {
  criteria: [
    { metric: "sharpe_ratio", op: ">=" as const, threshold: 1.5 },
    { metric: "max_drawdown", op: "<=" as const, threshold: 0.12 },
    { metric: "win_rate", op: "between" as const, threshold: [0.5, 0.7] as [number, number] },
  ],
};

/**
 * An experiment of `n` iterations with records validated by core.
 *
 * @param n how many iterations
 * @param options seed, id and whether to attach an analysis
 * @returns meta, records and (by default) a trajectory with analysis fields
 */
export function syntheticExperiment(n: number, options: SyntheticOptions = {}): ReportExperiment {
  const rnd = seededRandom(options.seed ?? 1);
  const id = options.experimentId ?? "synthetic";
  const meta = ExperimentMetaSchema.parse({
    experiment_id: id,
    directive: "Tune a momentum strategy until it passes the gate",
    gate: SYNTHETIC_GATE,
    metrics: { sharpe_ratio: { goal: "maximize" }, max_drawdown: { goal: "minimize", unit: "%" } },
  });
  const records: ExperimentRecord[] = [];
  let size = 0.1;
  let rsi = 70;
  let signal = "sma";
  const pivot = Math.floor(n / 2);
  for (let i = 1; i <= n; i++) {
    size = Math.min(0.5, Math.max(0.01, size + (rnd() - 0.45) * 0.02));
    if (rnd() < 0.2) rsi = Math.round(Math.min(90, Math.max(50, rsi + (rnd() - 0.5) * 6)));
    if (i === pivot + 1) signal = "ema";
    const progress = 1 - Math.exp(-i / Math.max(3, n / 4));
    const lift = i > pivot ? 0.15 : 0;
    const noise = () => (rnd() - 0.5) * 0.1;
    const metrics = {
      sharpe_ratio: 0.45 + 0.8 * progress + lift + noise(),
      max_drawdown: 0.3 - 0.15 * progress - lift / 5 + noise() / 3,
      win_rate: 0.42 + 0.12 * progress + noise() / 2,
    };
    const gate = evaluateGate(metrics, SYNTHETIC_GATE);
    records.push(
      parseRecord({
        experiment_id: id,
        iteration: i,
        strategy_name: `momentum_v${i}`,
        parameters: { position_size: size, rsi_threshold: rsi, signal },
        metrics,
        gate_passed: gate.passed,
        gate_score: gate.score,
        action_taken: gate.passed ? "SUCCESS" : "TUNE_PARAMETERS",
        compute_time: 40 + rnd() * 10,
        cost: 0.002,
      }),
    );
  }
  if (options.analysis === false) return { meta, records };
  return { meta, records, trajectory: syntheticAnalysis(records, meta, pivot) };
}

type Trajectory = NonNullable<ReportExperiment["trajectory"]>;

function syntheticAnalysis(
  records: ExperimentRecord[],
  meta: ReportExperiment["meta"],
  pivot: number,
): Trajectory {
  const scores = records.map((r) => r.gate_score ?? Number.NaN);
  const last = scores.at(-1) ?? 0;
  const passing = records.at(-1)?.gate_passed === true;
  return {
    ...baseTrajectory(records, meta),
    convergence_status: "CONVERGING",
    gradient_direction: "ASCENDING",
    score_trend: { source: "gate_score", status: "CONVERGING", reason: "synthetic" },
    iterations_to_success: syntheticEta(passing, last),
    success_probability: syntheticChance(passing, last),
    efficiency: syntheticEfficiency(records, scores, pivot),
    parameter_effects: syntheticEffects(records),
  };
}

function syntheticEta(
  passing: boolean,
  last: number,
): NonNullable<Trajectory["iterations_to_success"]> {
  return passing
    ? { estimate: 0, low: 0, high: 0, level: 0.8, horizon: 0, model: null, reason: "passing" }
    : {
        estimate: Math.max(1, Math.round((1 - last) * 40)),
        low: Math.max(1, Math.round((1 - last) * 25)),
        high: Math.max(2, Math.round((1 - last) * 70)),
        level: 0.8,
        horizon: 50,
        model: "predictive",
        reason: "synthetic",
      };
}

function syntheticChance(
  passing: boolean,
  last: number,
): NonNullable<Trajectory["success_probability"]> {
  // A made-up chance that rises with the last score: two decimals, so reports show it exactly.
  const chance = Math.round(Math.min(0.95, Math.max(0.02, last ** 4)) * 100) / 100;
  // As if no budget were known: the analyzers then look 20 iterations ahead.
  return {
    probability: passing ? 1 : chance,
    horizon: 20,
    horizon_source: "default",
    basis: "criteria",
    by_criterion: passing
      ? {}
      : Object.fromEntries(
          SYNTHETIC_GATE.criteria.map((c, k) => [
            c.metric,
            Math.min(1, Math.round((chance + 0.1 * k) * 100) / 100),
          ]),
        ),
    reason: "synthetic",
  };
}

function syntheticEfficiency(
  records: ExperimentRecord[],
  scores: number[],
  pivot: number,
): NonNullable<Trajectory["efficiency"]> {
  const best: number[] = [];
  let top = Number.NaN;
  for (const s of scores) {
    if (Number.isNaN(top) || s > top) top = s;
    best.push(top);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  return {
    best_so_far: best,
    best_iteration: records[best.lastIndexOf(top)]?.iteration ?? null,
    change_points:
      records.length >= 6
        ? [
            {
              after_iteration: pivot,
              mean_before: mean(scores.slice(0, pivot)),
              mean_after: mean(scores.slice(pivot)),
              p: 0.001,
            },
          ]
        : [],
  };
}

function syntheticEffects(
  records: ExperimentRecord[],
): NonNullable<Trajectory["parameter_effects"]> {
  return {
    method: "ols",
    skipped: {},
    parameters: {
      position_size: {
        kind: "numeric",
        impact: 0.8,
        stderr: 0.2,
        importance: 0.4,
        changes: records.length - 1,
        direction: "INCREASE",
      },
      rsi_threshold: {
        kind: "numeric",
        impact: -0.004,
        stderr: 0.003,
        importance: 0.05,
        changes: Math.floor(records.length / 5),
        direction: "UNCLEAR",
      },
      signal: {
        kind: "categorical",
        impact: 0.12,
        stderr: 0.03,
        importance: 0.3,
        changes: 1,
        direction: "INCREASE",
        current: "ema",
        best: "ema",
      },
    },
  };
}
