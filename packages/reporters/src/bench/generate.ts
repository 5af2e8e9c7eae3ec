/**
 * Deterministic synthetic experiments for the report benchmark and the
 * large-report tests: eight parameters (one categorical, one boolean), six
 * metrics, a three-criterion gate, short strategy code that changes now and
 * then, and an analysis-shaped trajectory and advice. The trajectory's numbers
 * are plausible placeholders with the analyzer's field shapes, not statistics.
 */
import {
  type Advice,
  type ExperimentMeta,
  ExperimentMetaSchema,
  type ExperimentRecord,
  evaluateGate,
  parseRecord,
  type ReportExperiment,
  seededRandom,
} from "@converge/core";

/** Options of {@link generateExperiment}. */
export interface GenerateOptions {
  iterations: number;
  /** PRNG seed (default 7). */
  seed?: number;
  /** Experiment id (default `bench_<iterations>`). */
  id?: string;
  /** Iterations between code changes (default 25). */
  codeEvery?: number;
}

const GATE = {
  criteria: [
    { metric: "sharpe_ratio", op: ">=" as const, threshold: 1.2 },
    { metric: "max_drawdown", op: "<=" as const, threshold: 0.15 },
    { metric: "win_rate", op: ">=" as const, threshold: 0.55 },
  ],
};

const METRICS = {
  sharpe_ratio: { goal: "maximize" as const },
  max_drawdown: { goal: "minimize" as const, unit: "fraction" },
  win_rate: { goal: "maximize" as const },
  profit_factor: { goal: "maximize" as const },
  volatility: { goal: "minimize" as const },
  turnover: { goal: "minimize" as const },
};

function code(version: number, lookback: number): string {
  return [
    `# momentum strategy, revision ${version}`,
    "def signal(prices, params):",
    `    window = params["lookback"]  # started at ${lookback}`,
    "    z = (prices - prices.rolling(window).mean()) / prices.rolling(window).std()",
    version % 3 === 0 ? "    z = z.clip(-4, 4)" : "    z = z.fillna(0)",
    `    return (z > params["entry_z"]).astype(int) - (z < -params["exit_z"]).astype(int)`,
    ...(version % 2 === 0
      ? ["", "def size(signal, params):", '    return signal * params["position_size"]']
      : []),
  ].join("\n");
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function records(options: Required<GenerateOptions>): ExperimentRecord[] {
  const rand = seededRandom(options.seed);
  const n = options.iterations;
  const params: Record<string, number | string | boolean> = {
    lookback: 20,
    entry_z: 1.5,
    exit_z: 0.5,
    stop_loss: 0.1,
    take_profit: 0.2,
    position_size: 0.1,
    rebalance: "weekly",
    use_volume_filter: false,
  };
  const out: ExperimentRecord[] = [];
  const start = Date.parse("2026-01-18T09:00:00Z");
  let version = 1;
  let previous: Record<string, unknown> = {};
  for (let i = 1; i <= n; i++) {
    if (i > 1) {
      const keys = Object.keys(params);
      const changes = 1 + Math.floor(rand() * 2);
      for (let c = 0; c < changes; c++) {
        const key = keys[Math.floor(rand() * keys.length)] as string;
        const v = params[key];
        if (typeof v === "number")
          params[key] = round(v * (0.9 + rand() * 0.25), key === "lookback" ? 0 : 4);
        else if (typeof v === "boolean") params[key] = !v;
        else params[key] = v === "weekly" ? "daily" : "weekly";
      }
      if (i % options.codeEvery === 0) version++;
    }
    const progress = 1 - Math.exp((-3 * i) / n);
    const noise = () => (rand() - 0.5) * 0.1;
    const metrics = {
      sharpe_ratio: round(0.6 + 0.75 * progress + noise()),
      max_drawdown: round(0.26 - 0.13 * progress + noise() / 4),
      win_rate: round(0.47 + 0.1 * progress + noise() / 5),
      profit_factor: round(1.05 + 0.5 * progress + noise()),
      volatility: round(0.22 - 0.05 * progress + noise() / 5),
      turnover: round(3 + rand() * 2, 3),
    };
    const gate = evaluateGate(metrics, GATE);
    const parameter_changes: Record<string, { from?: unknown; to?: unknown }> = {};
    for (const [k, v] of Object.entries(params)) {
      if (i > 1 && previous[k] !== v) parameter_changes[k] = { from: previous[k], to: v };
    }
    out.push(
      parseRecord({
        experiment_id: options.id,
        iteration: i,
        timestamp: new Date(start + i * 300_000).toISOString(),
        strategy_name: `momentum_v${version}`,
        strategy_code: code(version, 20),
        strategy_description: `Momentum with z-score entry, revision ${version}`,
        parameters: { ...params },
        metrics,
        gate_passed: gate.passed,
        gate_score: round(gate.score, 6),
        failed_criteria: gate.failed_criteria,
        action_taken: gate.passed ? "SUCCESS" : "TUNE_PARAMETERS",
        parameter_changes,
        failure_classification: gate.passed ? null : "PARAMETER_ISSUE",
        compute_time: round(30 + rand() * 30, 2),
        cost: round(0.002 + rand() * 0.008, 5),
      }),
    );
    previous = { ...params };
  }
  return out;
}

function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** Per-metric histories, slopes and synthetic trend verdicts. */
function metricSeries(recs: readonly ExperimentRecord[]) {
  const history: Record<string, number[]> = {};
  const rates: Record<string, number> = {};
  const trends: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(METRICS)) {
    const ys = recs.map((r) => r.metrics[name] ?? Number.NaN);
    history[name] = ys;
    const s = slope(ys);
    rates[name] = s;
    const better = spec.goal === "minimize" ? -s : s;
    trends[name] = {
      goal: spec.goal,
      n: ys.length,
      ols_slope: s,
      theil_sen: { slope: s, low: s * 0.8, high: s * 1.2, method: "sampled" },
      mann_kendall: { s: 0, z: null, p: 0.001, exact: false },
      improvement_rate: better,
      status: better > 0 ? "CONVERGING" : "STAGNANT",
      reason: `synthetic trend over ${ys.length} points`,
    };
  }
  return { history, rates, trends };
}

function iterationsToSuccess(passing: boolean): Record<string, unknown> {
  return passing
    ? {
        estimate: 0,
        low: 0,
        high: 0,
        level: 0.8,
        horizon: 0,
        model: null,
        reason: "the last iteration passes the gate",
      }
    : {
        estimate: 12,
        low: 8,
        high: 30,
        level: 0.8,
        horizon: 50,
        model: "predictive",
        reason: "synthetic estimate",
      };
}

function parameterEffects(recs: readonly ExperimentRecord[]): Record<string, unknown> {
  return {
    parameters: {
      entry_z: {
        kind: "numeric",
        impact: 0.04,
        stderr: 0.01,
        importance: 0.31,
        changes: 40,
        direction: "INCREASE",
      },
      stop_loss: {
        kind: "numeric",
        impact: -0.2,
        stderr: 0.15,
        importance: 0.12,
        changes: 35,
        direction: "UNCLEAR",
      },
      lookback: {
        kind: "numeric",
        impact: 0.001,
        stderr: 0.0004,
        importance: 0.2,
        changes: 38,
        direction: "INCREASE",
      },
      rebalance: {
        kind: "categorical",
        impact: 0.01,
        stderr: null,
        importance: 0.05,
        changes: 30,
        direction: "UNCLEAR",
        current: "weekly",
        best: "daily",
      },
    },
    skipped: { use_volume_filter: "changed by the same step in every scored transition" },
    method: "ridge",
    lambda: 0.1,
    drift: 0.002,
    observations: Math.max(0, recs.length - 1),
  };
}

/** The running best of the gate scores, and the final best. */
function bestSoFar(scores: readonly number[]): { best: number[]; top: number } {
  const best: number[] = [];
  let top = Number.NEGATIVE_INFINITY;
  for (const s of scores) {
    top = Math.max(top, s);
    best.push(top);
  }
  return { best, top };
}

/** Best-so-far, cost and change-point figures over the gate scores. */
function efficiency(
  recs: readonly ExperimentRecord[],
  scores: readonly number[],
): Record<string, unknown> {
  const { best, top } = bestSoFar(scores);
  const mid = recs[Math.floor(recs.length / 3)]?.iteration ?? 1;
  return {
    improvement_per_iteration: slope(scores),
    improvement_per_cost: 1.4,
    best_so_far: best,
    best_iteration: recs[scores.indexOf(top)]?.iteration ?? null,
    iterations_since_best: recs.length - 1 - scores.indexOf(top),
    total_cost: recs.reduce((s, r) => s + r.cost, 0),
    change_points:
      recs.length > 10
        ? [{ after_iteration: mid, mean_before: 0.7, mean_after: 0.86, p: 0.003 }]
        : [],
  };
}

function overfitting(
  recs: readonly ExperimentRecord[],
  scores: readonly number[],
): Record<string, unknown> {
  const { top } = bestSoFar(scores);
  return {
    metric: "sharpe_ratio",
    best_iteration: recs[scores.indexOf(top)]?.iteration ?? 1,
    sharpe: 1.3,
    sharpe_per_period: 0.082,
    trials: recs.length,
    observations: 252,
    psr: 0.97,
    sr0: 0.07,
    dsr: 0.61,
    risk: "MEDIUM",
    assumptions: ["252 daily observations per backtest (not recorded)"],
  };
}

function trajectory(
  meta: ExperimentMeta,
  recs: readonly ExperimentRecord[],
): Record<string, unknown> {
  const { history, rates, trends } = metricSeries(recs);
  const scores = recs.map((r) => r.gate_score ?? Number.NaN);
  const last = recs.at(-1);
  const lastGate = last ? evaluateGate(last.metrics, GATE) : null;
  const distance = Object.fromEntries(lastGate?.criteria.map((c) => [c.metric, c.distance]) ?? []);
  const passing = last?.gate_passed === true;
  return {
    experiment_id: meta.experiment_id,
    total_iterations: recs.length,
    metric_history: history,
    improvement_rates: rates,
    convergence_status: "CONVERGING",
    gradient_direction: "ASCENDING",
    distance_to_goal: passing ? 0 : 0.05,
    estimated_iterations_to_success: passing ? 0 : 12,
    parameter_impact: { entry_z: 0.04, stop_loss: -0.2, lookback: 0.001 },
    metric_trends: trends,
    score_trend: {
      source: "gate_score",
      history: scores,
      status: "CONVERGING",
      reason: "synthetic: the gate score rises steadily",
      slope: slope(scores),
      slope_low: slope(scores) * 0.8,
      slope_high: slope(scores) * 1.2,
      p: 0.0004,
    },
    distance_by_criterion: distance,
    iterations_to_success: iterationsToSuccess(passing),
    success_probability: {
      probability: passing ? 1 : 0.42,
      horizon: 20,
      horizon_source: "default",
      basis: "criteria",
      by_criterion: passing ? {} : Object.fromEntries(Object.keys(distance).map((m) => [m, 0.6])),
      reason: "synthetic probability",
    },
    parameter_effects: parameterEffects(recs),
    efficiency: efficiency(recs, scores),
    overfitting: overfitting(recs, scores),
  };
}

/** A synthetic experiment of `iterations` iterations, the same for the same options. */
export function generateExperiment(options: GenerateOptions): ReportExperiment {
  const full: Required<GenerateOptions> = {
    seed: 7,
    id: `bench_${options.iterations}`,
    codeEvery: 25,
    ...options,
  };
  const recs = records(full);
  const passed = recs.some((r) => r.gate_passed);
  const meta = ExperimentMetaSchema.parse({
    experiment_id: full.id,
    directive:
      "Find a momentum strategy on large-cap equities with Sharpe ≥ 1.2, drawdown ≤ 15% and win rate ≥ 55%",
    gate: GATE,
    metrics: METRICS,
    status: passed ? "SUCCESS" : "IN_PROGRESS",
  });
  const advice: Advice = {
    source: "rule",
    assessment: {
      convergence_assessment: "CONVERGING",
      gradient_effectiveness: "EFFECTIVE",
      likelihood_of_success: "HIGH",
      estimated_iterations_needed: passed ? 0 : 12,
      key_findings: ["The gate score rises steadily", "entry_z has the largest effect"],
      parameter_recommendations: { entry_z: "INCREASE - positively related to the gate score" },
      next_action: "CONTINUE",
      specific_recommendations: ["Keep tuning entry_z upward in small steps"],
      confidence: 0.8,
      reasoning: "Synthetic advice for the benchmark.",
    },
  };
  return { meta, records: recs, trajectory: trajectory(meta, recs) as never, advice };
}
