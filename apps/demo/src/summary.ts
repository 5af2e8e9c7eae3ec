/**
 * The demo's header and closing summary: what was tuned on what, how the loop
 * ended, the best iteration and its Deflated Sharpe Ratio, the cost, where
 * the log and the report are, and the `converge` commands to look further.
 */

import {
  adviceReason,
  formatLoopSummary,
  type StoreLocation,
  type Style,
  shellWord,
  storeArguments,
  summaryRow,
} from "@converge/cli";
import type { ExperimentTrajectory, GateLoopResult } from "@converge/core";
import { type Market, regimeShares } from "./market.js";
import { fixed, percent } from "./progress.js";
import type { AdvisorChoice } from "./setup.js";
import type { MomentumStrategy } from "./strategy.js";

export { adviceReason, shellWord, storeArguments };

const row = summaryRow;

function advisorText(advisor: AdvisorChoice, model: string | null): string {
  return advisor === "rule"
    ? "rule advisor (offline)"
    : `${advisor} ${model ?? ""} (LLM advisor and failure analyser; the rule advisor if it fails)`;
}

/** The lines printed before the loop starts. */
export function formatHeader(info: {
  seed: number;
  market: Market;
  location: StoreLocation;
  advisor: AdvisorChoice;
  model: string | null;
  maxIterations: number;
}): string[] {
  const shares = regimeShares(info.market.regimes);
  const prices = info.market.prices;
  const hold = (prices.at(-1) as number) / (prices[0] as number) - 1;
  const share = (x: number) => `${Math.round(x * 100)}%`;
  return [
    `Converge demo, seed ${info.seed}: tuning a momentum strategy until it passes the gate`,
    row(
      "market",
      `${prices.length} simulated trading days: trend ${share(shares.trend)}, range ${share(shares.range)}, crash ${share(shares.crash)} of days; buy and hold ${signedPercent(hold)}`,
    ),
    row(
      "gate",
      `sharpe_ratio >= 1.0, max_drawdown <= 20%, win_rate >= 50% (at most ${info.maxIterations} iterations)`,
    ),
    row("advisor", advisorText(info.advisor, info.model)),
    row("store", info.location.display),
    "",
  ];
}

function signedPercent(x: number): string {
  return `${x >= 0 ? "+" : ""}${percent(x)}`;
}

/** The closing lines. */
export function formatSummary(
  result: {
    loop: GateLoopResult<MomentumStrategy>;
    experimentId: string;
    location: StoreLocation;
    reportPath: string;
    trajectory: ExperimentTrajectory;
  },
  options: { style: Style; maxIterations: number; model: string | null },
): string[] {
  return formatLoopSummary(result, {
    style: options.style,
    maxIterations: options.maxIterations,
    command: "pnpm -s converge",
    bestMetrics: (m) =>
      `sharpe ${fixed(m.sharpe_ratio)}, max drawdown ${percent(m.max_drawdown)}, win rate ${percent(m.win_rate)}, total return ${signedPercent(m.total_return as number)}, ${fixed(m.trade_count, 0)} trades`,
  });
}
