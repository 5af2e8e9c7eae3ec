/**
 * The demo's header and closing summary: what was tuned on what, how the loop
 * ended, the best iteration and its Deflated Sharpe Ratio, the cost, where
 * the log and the report are, and the `converge` commands to look further.
 */

import { join } from "node:path";
import type { TrajectoryAnalysis } from "@converge/analyzers";
import type { StoreLocation, Style } from "@converge/cli";
import type { Advice, ExperimentTrajectory, GateLoopResult } from "@converge/core";
import { type Market, regimeShares } from "./market.js";
import { fixed, percent } from "./progress.js";
import type { AdvisorChoice } from "./setup.js";
import type { MomentumStrategy } from "./strategy.js";

const row = (label: string, value: string) => `  ${label.padEnd(16)}${value}`;

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

/** A word for a shell: quoted when it holds anything a shell would read. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:+@=,-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** The `--store ...` arguments that name the same store for `converge`. */
export function storeArguments(location: StoreLocation): string {
  if (location.kind === "jsonl") return `--store ${shellWord(`jsonl:${location.dir}`)}`;
  const experiment =
    location.experimentName === "converge"
      ? ""
      : ` --mlflow-experiment ${shellWord(location.experimentName)}`;
  return `--store ${shellWord(`mlflow+${location.trackingUri}`)}${experiment}`;
}

function statusText(loop: GateLoopResult<MomentumStrategy>): string {
  const s = loop.summary;
  switch (s.status) {
    case "SUCCESS":
      return `the gate passed at iteration ${s.total_iterations}`;
    case "PIVOT_TO_RESEARCH":
    case "ABANDONED":
      return `the advisor said ${loop.advice?.assessment.next_action ?? "stop"} after iteration ${s.total_iterations}`;
    case "MAX_ITERATIONS":
      return `no pass within ${s.total_iterations} iterations`;
    case "BUDGET_EXHAUSTED":
      return "the cost budget is spent";
    default:
      return `stopped after iteration ${s.total_iterations}`;
  }
}

/** The rule that decided ("R6: the success probability is below 0.16 → PIVOT"), else the reasoning's first sentence. */
export function adviceReason(advice: Advice): string {
  const text = advice.assessment.reasoning;
  const rule = /^Rule (R\d+) \((.*?)\) decided/.exec(text);
  const reason = rule ? `${rule[1]}: ${rule[2]}` : (text.split(/(?<=\.)\s/)[0] ?? "");
  return reason.length > 160 ? `${reason.slice(0, 157)}...` : reason;
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
  const { loop, experimentId, location, reportPath } = result;
  const { style } = options;
  const s = loop.summary;
  const m = s.best_metrics;
  const status = s.status === "SUCCESS" ? style.green(s.status) : style.red(s.status);
  const lines = ["", style.bold("Summary"), row("status", `${status}: ${statusText(loop)}`)];
  if (s.status !== "SUCCESS" && loop.advice) lines.push(row("why", adviceReason(loop.advice)));
  lines.push(row("iterations", `${s.total_iterations} of at most ${options.maxIterations}`));
  const best = loop.summary.best_iteration;
  if (best !== null) {
    lines.push(row("best iteration", `${best}, gate score ${fixed(s.best_gate_score, 3)}`));
    lines.push(
      row(
        "",
        `sharpe ${fixed(m.sharpe_ratio)}, max drawdown ${percent(m.max_drawdown)}, win rate ${percent(m.win_rate)}, total return ${signedPercent(m.total_return as number)}, ${fixed(m.trade_count, 0)} trades`,
      ),
    );
  }
  const overfitting = (result.trajectory as Partial<TrajectoryAnalysis>).overfitting ?? null;
  lines.push(
    row(
      "deflated sharpe",
      overfitting?.dsr === null || overfitting?.dsr === undefined
        ? "n/a (no Sharpe ratio to judge)"
        : `${fixed(overfitting.dsr)} for the best Sharpe (iteration ${overfitting.best_iteration}) after ${overfitting.trials} trials; PSR ${fixed(overfitting.psr)}, overfitting risk ${overfitting.risk}`,
    ),
  );
  lines.push(row("total cost", `$${s.total_cost.toFixed(4)}`));
  lines.push(row("experiment", experimentId));
  lines.push(
    row(
      "log",
      location.kind === "jsonl" ? join(location.dir, `${experimentId}.jsonl`) : location.display,
    ),
  );
  lines.push(row("report", reportPath));
  const store = storeArguments(location);
  lines.push(
    "",
    "Look further:",
    `  pnpm -s converge show ${experimentId} ${store}`,
    `  pnpm -s converge analyze ${experimentId} ${store}`,
    `  pnpm -s converge report ${experimentId} ${store} -o review.html`,
  );
  return lines;
}
