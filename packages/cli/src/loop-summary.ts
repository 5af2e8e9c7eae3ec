/**
 * The closing summary of a gate loop (`converge loop` and the demo): how the
 * loop ended, the best iteration and its Deflated Sharpe Ratio, the cost,
 * where the log and the report are, and the `converge` commands to look
 * further.
 */

import { join } from "node:path";
import type {
  Advice,
  ExperimentTrajectory,
  GateLoopResult,
  StrategyLike,
  TrajectoryAnalysis,
} from "@converge/core";
import { terminalSafe } from "@converge/core";
import { formatMetric } from "./format.js";
import { fixed } from "./loop-progress.js";
import type { StoreLocation } from "./store-uri.js";
import type { Style } from "./style.js";

/** A summary row: the label padded to 16 columns. */
export const summaryRow = (label: string, value: string) => `  ${label.padEnd(16)}${value}`;

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

function statusText(loop: GateLoopResult<StrategyLike>): string {
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

/** What the summary is about. */
export interface LoopSummaryResult {
  loop: GateLoopResult<StrategyLike>;
  experimentId: string;
  location: StoreLocation;
  reportPath: string;
  trajectory: ExperimentTrajectory;
}

/** How the summary is written. */
export interface LoopSummaryOptions {
  style: Style;
  maxIterations: number;
  /** The best iteration's metrics as text, on the row under it. */
  bestMetrics: (metrics: Readonly<Record<string, unknown>>) => string;
  /** How to run `converge` in the "Look further" lines, e.g. "converge" or "pnpm -s converge". */
  command: string;
  /** Replaces the status's explanation (e.g. "interrupted (Ctrl-C) after iteration 3"). */
  statusNote?: string;
  /** Why the loop stopped, when it was no advice (an evaluation error): the "why" row. */
  why?: string;
}

/** The closing lines. */
export function formatLoopSummary(
  result: LoopSummaryResult,
  options: LoopSummaryOptions,
): string[] {
  const { loop, experimentId, location, reportPath } = result;
  const { style } = options;
  const s = loop.summary;
  const status = s.status === "SUCCESS" ? style.green(s.status) : style.red(s.status);
  const lines = [
    "",
    style.bold("Summary"),
    summaryRow("status", `${status}: ${options.statusNote ?? statusText(loop)}`),
  ];
  if (options.why !== undefined) lines.push(summaryRow("why", options.why));
  else if (s.status !== "SUCCESS" && loop.advice)
    lines.push(summaryRow("why", adviceReason(loop.advice)));
  lines.push(summaryRow("iterations", `${s.total_iterations} of at most ${options.maxIterations}`));
  const best = s.best_iteration;
  if (best !== null) {
    lines.push(summaryRow("best iteration", `${best}, gate score ${fixed(s.best_gate_score, 3)}`));
    lines.push(summaryRow("", options.bestMetrics(s.best_metrics)));
  }
  const overfitting = (result.trajectory as Partial<TrajectoryAnalysis>).overfitting ?? null;
  lines.push(
    summaryRow(
      "deflated sharpe",
      overfitting?.dsr === null || overfitting?.dsr === undefined
        ? "n/a (no Sharpe ratio to judge)"
        : `${fixed(overfitting.dsr)} for the best Sharpe (iteration ${overfitting.best_iteration}) after ${overfitting.trials} trials; PSR ${fixed(overfitting.psr)}, overfitting risk ${overfitting.risk}`,
    ),
  );
  lines.push(summaryRow("total cost", `$${s.total_cost.toFixed(4)}`));
  lines.push(summaryRow("experiment", experimentId));
  lines.push(
    summaryRow(
      "log",
      location.kind === "jsonl" ? join(location.dir, `${experimentId}.jsonl`) : location.display,
    ),
  );
  lines.push(summaryRow("report", reportPath));
  const store = storeArguments(location);
  lines.push(
    "",
    "Look further:",
    `  ${options.command} show ${experimentId} ${store}`,
    `  ${options.command} analyze ${experimentId} ${store}`,
    `  ${options.command} report ${experimentId} ${store} -o review.html`,
  );
  return lines;
}

/** "sharpe_ratio 1.076, max_drawdown 0.1752, trade_count 21": every metric, as the reports write it. */
export function metricsText(metrics: Readonly<Record<string, unknown>>): string {
  return Object.entries(metrics)
    .map(([name, value]) => `${terminalSafe(name)} ${formatMetric(value)}`)
    .join(", ");
}
