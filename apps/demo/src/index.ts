/**
 * @converge/demo: a short gate loop on a deterministic toy backtest of a
 * momentum strategy, logged to the JSONL store. Run it with `npm run demo`
 * from the repository root, or `node dist/index.js`.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runDemo } from "./demo.js";

export {
  DEMO_DIRECTIVE,
  DEMO_GATE,
  type DemoOptions,
  type DemoResult,
  demoDir,
  runDemo,
} from "./demo.js";
export { hashSeed, mulberry32 } from "./prng.js";
export { describeChanges, formatIteration, formatSummary } from "./progress.js";
export { PLAYBOOK, refineStrategy, strategyCode } from "./refine.js";
export {
  DEFAULT_SEED,
  INITIAL_PARAMETERS,
  type MomentumParameters,
  type MomentumStrategy,
  type ToyMetrics,
  toyBacktest,
} from "./toy-backtest.js";

/** Runs the demo as a program: exit code 0 when the gate passed, 1 otherwise. */
export async function main(): Promise<number> {
  try {
    const { loop } = await runDemo();
    return loop.passed ? 0 : 1;
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.CONVERGE_DEBUG === "1") console.error(error);
    return 1;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

// Run only when executed (node dist/index.js), not when imported.
if (isEntryPoint()) process.exitCode = await main();
