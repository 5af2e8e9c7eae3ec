/** Realistic records for the benchmark: ~10 parameters, ~8 metrics, a few hundred bytes of code. */
import { type ExperimentRecord, parseRecord, seededRandom } from "@converge/core";

/** Every run writes the same file. */
const random = seededRandom;

const CODE_LINES = [
  "def strategy(data, params):",
  "    fast = data.close.rolling(params['fast_window']).mean()",
  "    slow = data.close.rolling(params['slow_window']).mean()",
  "    rsi = compute_rsi(data.close, params['rsi_period'])",
  "    entry = (fast > slow) & (rsi < params['rsi_threshold'])",
  "    exit = (fast < slow) | (rsi > 100 - params['rsi_threshold'])",
  "    return Signals(entry=entry, exit=exit, size=params['position_size'])",
];

/** Validated records 1..count of one experiment, as the tracker would hand them to a store. */
export function benchRecords(experimentId: string, count: number): ExperimentRecord[] {
  const rnd = random(42);
  const out: ExperimentRecord[] = [];
  let previous: Record<string, number | string | boolean> | undefined;
  for (let i = 1; i <= count; i++) {
    const parameters = {
      position_size: Math.round(rnd() * 100) / 100,
      rsi_threshold: 60 + Math.floor(rnd() * 30),
      rsi_period: 7 + Math.floor(rnd() * 14),
      fast_window: 5 + Math.floor(rnd() * 20),
      slow_window: 30 + Math.floor(rnd() * 100),
      stop_loss: Math.round(rnd() * 30) / 100,
      take_profit: Math.round(rnd() * 60) / 100,
      universe: "AAPL",
      use_trailing_stop: rnd() < 0.5,
      fees_bps: 5,
    };
    const changes: Record<
      string,
      { from: number | string | boolean; to: number | string | boolean }
    > = {};
    if (previous) {
      for (const [k, v] of Object.entries(parameters)) {
        if (previous[k] !== v) changes[k] = { from: previous[k] as number, to: v };
      }
    }
    previous = parameters;
    const sharpe = rnd() * 2 - 0.3;
    out.push(
      parseRecord({
        experiment_id: experimentId,
        iteration: i,
        timestamp: new Date(Date.UTC(2026, 0, 18) + i * 60_000).toISOString(),
        research_directive: "AAPL momentum with Sharpe >= 1 and drawdown <= 20%",
        strategy_name: `AAPL_Momentum_v${i}`,
        strategy_code: CODE_LINES.slice(0, 3 + (i % 5)).join("\n"),
        strategy_description: "moving-average crossover filtered by RSI",
        parameters,
        metrics: {
          sharpe_ratio: sharpe,
          sortino_ratio: sharpe * 1.3,
          max_drawdown: rnd() * 0.4,
          win_rate: 0.35 + rnd() * 0.3,
          total_return: rnd() * 0.8 - 0.2,
          volatility: 0.1 + rnd() * 0.2,
          profit_factor: 0.8 + rnd(),
          num_trades: Math.floor(rnd() * 400),
        },
        gate_passed: sharpe >= 1,
        gate_score: Math.min(1, Math.max(0, sharpe)),
        failed_criteria:
          sharpe >= 1 ? [] : [{ metric: "sharpe_ratio", op: ">=", threshold: 1, value: sharpe }],
        action_taken: sharpe >= 1 ? "SUCCESS" : "TUNE_PARAMETERS",
        parameter_changes: changes,
        compute_time: 30 + rnd() * 30,
        cost: Math.round(rnd() * 100) / 10_000,
      }),
    );
  }
  return out;
}

/** Records the size of the Python logger's sample lines: 3 parameters, 3 metrics, no code (~600 bytes). */
export function sampleSizedRecords(experimentId: string, count: number): ExperimentRecord[] {
  const rnd = random(7);
  const out: ExperimentRecord[] = [];
  for (let i = 1; i <= count; i++) {
    const sharpe = rnd() * 1.5;
    out.push(
      parseRecord({
        experiment_id: experimentId,
        iteration: i,
        timestamp: new Date(Date.UTC(2026, 0, 18) + i * 60_000).toISOString(),
        strategy_name: `AAPL_Momentum_v${i}`,
        parameters: {
          position_size: Math.round(rnd() * 100) / 100,
          rsi_threshold: 60 + Math.floor(rnd() * 30),
          stop_loss: Math.round(rnd() * 30) / 100,
        },
        metrics: { sharpe_ratio: sharpe, max_drawdown: rnd() * 0.4, win_rate: 0.35 + rnd() * 0.3 },
        gate_passed: sharpe >= 1,
        gate_score: Math.min(1, sharpe),
        action_taken: sharpe >= 1 ? "SUCCESS" : "TUNE_PARAMETERS",
        compute_time: 30 + rnd() * 30,
      }),
    );
  }
  return out;
}
