import { join, resolve } from "node:path";
import {
  createTracker,
  type GateLoopResult,
  type GateSpecInput,
  runGateLoop,
} from "@converge/core";
import { jsonlStore } from "@converge/storage-jsonl";
import { formatIteration, formatSummary } from "./progress.js";
import { refineStrategy, strategyCode } from "./refine.js";
import {
  DEFAULT_SEED,
  INITIAL_PARAMETERS,
  type MomentumStrategy,
  toyBacktest,
} from "./toy-backtest.js";

/** The demo's quality gate. */
export const DEMO_GATE: GateSpecInput = {
  criteria: [
    { metric: "sharpe_ratio", op: ">=", threshold: 1.0 },
    { metric: "max_drawdown", op: "<=", threshold: 0.2 },
    { metric: "win_rate", op: ">=", threshold: 0.5 },
  ],
};

/** What the demo asks of the loop. */
export const DEMO_DIRECTIVE =
  "Tune an AAPL momentum strategy to Sharpe >= 1.0, max drawdown <= 20% and win rate >= 50%.";

/** Options of `runDemo`; every one has a default. */
export interface DemoOptions {
  /** Store directory. Default: $CONVERGE_DEMO_DIR, else ./experiments under the working directory. */
  dir?: string;
  /** Default 8. */
  maxIterations?: number;
  /** Seed of the toy backtest's pseudo-noise. */
  seed?: number;
  /** Where progress lines go. Default: console.log. */
  write?: (line: string) => void;
  /** Default: a fresh id from the clock (core's default). */
  experimentId?: string;
  /** Environment and working directory used to find the default directory. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** What `runDemo` returns. */
export interface DemoResult {
  loop: GateLoopResult<MomentumStrategy>;
  experimentId: string;
  /** Absolute store directory. */
  dir: string;
  /** The experiment's JSONL file. */
  file: string;
}

/** The store directory the demo uses: option, then $CONVERGE_DEMO_DIR, then ./experiments. */
export function demoDir(options: Pick<DemoOptions, "dir" | "env" | "cwd"> = {}): string {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  return resolve(cwd, options.dir ?? (env.CONVERGE_DEMO_DIR || "experiments"));
}

/**
 * Runs the gate loop on the toy momentum backtest, logging every iteration to
 * a JSONL store and printing it as it is logged, then prints the summary and
 * how to inspect the log with `converge show`.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const dir = demoDir(options);
  const maxIterations = options.maxIterations ?? 8;
  const seed = options.seed ?? DEFAULT_SEED;
  const write = options.write ?? ((line: string) => console.log(line));
  const store = jsonlStore({ dir, onNotice: (n) => write(`warning: ${n.message}`) });
  const tracker = createTracker({ store });
  const strategy: MomentumStrategy = {
    name: "AAPL_Momentum_v1",
    description: "Long AAPL on strong momentum (RSI above a threshold), with a stop loss.",
    parameters: { ...INITIAL_PARAMETERS },
    code: strategyCode(INITIAL_PARAMETERS),
  };
  write(`Converge demo: ${DEMO_DIRECTIVE}`);
  const criteria = DEMO_GATE.criteria.map((c) => `${c.metric} ${c.op} ${String(c.threshold)}`);
  write(`Gate: ${criteria.join(", ")} (at most ${maxIterations} iterations)`);
  write("");
  try {
    const loop = await runGateLoop<MomentumStrategy>({
      tracker,
      gate: DEMO_GATE,
      strategy,
      backtest: (s) => toyBacktest(s.parameters, seed),
      refine: refineStrategy,
      maxIterations,
      directive: DEMO_DIRECTIVE,
      metrics: { sharpe_ratio: "maximize", max_drawdown: "minimize", win_rate: "maximize" },
      ...(options.experimentId !== undefined && { experimentId: options.experimentId }),
      onIteration: (record) => write(formatIteration(record, maxIterations)),
      onWarning: (message) => write(`warning: ${message}`),
    });
    const file = join(dir, `${loop.experimentId}.jsonl`);
    const info = { file, dir, experimentId: loop.experimentId, maxIterations };
    for (const line of formatSummary(loop.summary, info)) write(line);
    return { loop, experimentId: loop.experimentId, dir, file };
  } finally {
    await store.close();
  }
}
