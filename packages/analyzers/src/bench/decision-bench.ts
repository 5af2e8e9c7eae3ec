/**
 * The decision benchmark: simulated loops whose future is known
 * (simulated-loops.ts) run through the real `runGateLoop` under the advisor
 * under test and the baselines (never stop; patience 3, 5, 8), and every
 * check recorded with the analysis' success probability and ETA. Prints
 * Markdown tables and reports bench rows: lives lost, budget saved,
 * calibration, Brier skill, ETA coverage.
 */
import { type BenchRow, reportBenchRows } from "@converge/bench-kit";
import type { Advisor, Analyzer } from "@converge/core";
import { defaultAnalyzers } from "../analyze-trajectory.js";
import { ruleAdvisor } from "../rule-advisor.js";
import { collectChecks, type DecisionCheck, runsFromChecks } from "./decision-checks.js";
import {
  type CurvePoint,
  dominates,
  pointOf,
  renderCurve,
  sweepAdvisors,
  sweepCurve,
} from "./decision-curve.js";
import {
  type LoopRun,
  NEVER_STOP,
  type Policy,
  patiencePolicy,
  runPolicy,
} from "./decision-harness.js";
import {
  renderDecisionTables,
  renderEtaCoverage,
  renderReliability,
  renderStops,
} from "./decision-report.js";
import {
  type CalibrationScore,
  type DecisionScore,
  type EtaCoverage,
  scoreCalibration,
  scoreDecisions,
  scoreEtaCoverage,
} from "./decision-scoring.js";
import { EVALUATION_SEEDS, loopSet } from "./simulated-loops.js";

/** Options of {@link runDecisionBenchmark}. */
export interface DecisionBenchmarkOptions {
  /** Default: EVALUATION_SEEDS (every family × noise level × seed is run). */
  seeds?: readonly number[];
  /** The advisor under test; default `ruleAdvisor()`. */
  advisorFactory?: () => Advisor;
  /** Its name in the tables; default the advisor's `name` ("rule"). */
  advisorName?: string;
  /** The patience baselines; default [3, 5, 8]. */
  patience?: readonly number[];
  /** The analyzers of the advisor's runs and of the checks; default `defaultAnalyzers()`. */
  analyzers?: () => Analyzer[];
  /** Report the rows through `reportBenchRows`; default true. */
  report?: boolean;
  /** Where the tables go; default console.log. */
  log?: (text: string) => void;
}

/** Everything the benchmark measured. */
export interface DecisionBenchmarkResult {
  loops: number;
  runs: Record<string, LoopRun[]>;
  checks: DecisionCheck[];
  scores: DecisionScore[];
  calibration: CalibrationScore;
  eta: EtaCoverage;
  /** Loops where replaying the recorded actions gives the same end as running the advisor. */
  replayAgreement: number;
  /** The rule advisor's lost/saved as `stopBelow` varies (replayed), and the baselines' points. */
  curve: CurvePoint[];
  baselines: CurvePoint[];
  rows: BenchRow[];
  markdown: string;
  seconds: number;
}

const PACKAGE = "analyzers";
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function notMeasured(benchmark: string, target: string, why: string): BenchRow {
  return {
    package: PACKAGE,
    benchmark,
    measured: 0,
    unit: "(not measured)",
    baseline: why,
    ratio: null,
    target,
    pass: false,
  };
}

function benchRows(
  advisor: string,
  scores: readonly DecisionScore[],
  calibration: CalibrationScore,
  eta: EtaCoverage,
): BenchRow[] {
  return [...decisionRows(advisor, scores), ...probabilityRows(calibration, eta)];
}

/** Lost share (all and steady loops) and saved share on doomed loops, against the baselines. */
function decisionRows(advisor: string, scores: readonly DecisionScore[]): BenchRow[] {
  const score = (policy: string, group: string) =>
    scores.find((s) => s.policy === policy && s.group === group);
  const all = score(advisor, "all");
  const steady = score(advisor, "steady");
  const patience5 = score("patience-5", "all");
  const rows: BenchRow[] = [];
  const lostRow = (s: DecisionScore | undefined, what: string, limit: number) => {
    const benchmark = `decisions: ${advisor} lost share, ${what}`;
    const target = `≤ ${limit * 100}%`;
    if (s?.lostShare == null) return notMeasured(benchmark, target, "no would-be successes");
    const p5 = score("patience-5", s.group)?.lostShare;
    return {
      package: PACKAGE,
      benchmark,
      measured: 100 * s.lostShare,
      unit: "%",
      baseline: `never-stop 0%; patience-5 ${p5 == null ? "—" : pct(p5)} (${s.wouldBeSuccesses} would-be successes)`,
      ratio: null,
      target,
      pass: s.lostShare <= limit,
    };
  };
  rows.push(lostRow(all, "all loops", 0.05), lostRow(steady, "steady-improvement loops", 0.02));
  const savedName = `decisions: ${advisor} saved share on doomed loops vs patience-5`;
  if (all?.savedShare == null || patience5?.savedShare == null || patience5.savedShare === 0) {
    rows.push(notMeasured(savedName, "ratio ≥ 1", "no doomed loops, or patience-5 saved nothing"));
  } else {
    rows.push({
      package: PACKAGE,
      benchmark: savedName,
      measured: 100 * all.savedShare,
      unit: "%",
      baseline: `patience-5 ${pct(patience5.savedShare)} (${all.doomed} doomed loops)`,
      ratio: all.savedShare / patience5.savedShare,
      target: "ratio ≥ 1",
      pass: all.savedShare / patience5.savedShare >= 1,
    });
  }
  return rows;
}

/** Calibration and Brier score of the success probability, and coverage of the ETA interval. */
function probabilityRows(calibration: CalibrationScore, eta: EtaCoverage): BenchRow[] {
  const rows: BenchRow[] = [];
  const calName = "success probability: worst counting bin, gap observed vs predicted";
  rows.push(
    calibration.worstGap === null
      ? notMeasured(
          calName,
          "≤ 0.1",
          `no counting bin (${calibration.withProbability} of ${calibration.checks} checks carry a probability)`,
        )
      : {
          package: PACKAGE,
          benchmark: calName,
          measured: calibration.worstGap,
          unit: "",
          baseline: `${calibration.countingBins} of 10 bins count`,
          ratio: null,
          target: "≤ 0.1",
          pass: calibration.worstGap <= 0.1,
        },
  );
  const brierName = "success probability: Brier score vs base rate";
  rows.push(
    calibration.brier === null || !calibration.baseBrier
      ? notMeasured(brierName, "ratio < 1", "no check carries a probability")
      : {
          package: PACKAGE,
          benchmark: brierName,
          measured: calibration.brier,
          unit: "",
          baseline: `base rate ${calibration.baseBrier.toFixed(3)} (pass rate ${pct(calibration.passRate ?? 0)})`,
          ratio: calibration.brier / calibration.baseBrier,
          target: "ratio < 1",
          pass: calibration.brier < calibration.baseBrier,
        },
  );
  const etaName = "ETA interval: coverage of the true iterations to pass";
  const coverage = eta.overall.coverage;
  rows.push(
    coverage === null || eta.level === null
      ? notMeasured(etaName, "level ± 5 points", "no check with a range and a stated level")
      : {
          package: PACKAGE,
          benchmark: etaName,
          measured: 100 * coverage,
          unit: "%",
          baseline: `stated level ${pct(eta.level)} (${eta.overall.eligible} checks)`,
          ratio: coverage / eta.level,
          target: "level ± 5 points",
          pass: Math.abs(coverage - eta.level) <= 0.05,
        },
  );
  return rows;
}

/** Per baseline: does the advisor under test Pareto-dominate it (better on one share, no worse on the other)? */
function dominanceRows(
  advisor: string,
  scores: readonly DecisionScore[],
  baselines: readonly CurvePoint[],
): BenchRow[] {
  const point = pointOf(advisor, scores);
  return baselines.map((b) => {
    const benchmark = `decisions: ${advisor} vs ${b.name}, lost and saved shares`;
    if (!point) return notMeasured(benchmark, "dominates", "no lost or saved share");
    return {
      package: PACKAGE,
      benchmark,
      measured: 100 * point.saved,
      unit: "% saved",
      baseline: `${b.name}: lost ${pct(b.lost)}, saved ${pct(b.saved)}; ${advisor}: lost ${pct(point.lost)}`,
      ratio: null,
      target: "better on one, no worse on the other",
      pass: dominates(point, b),
    };
  });
}

function sameEnd(a: LoopRun, b: LoopRun): boolean {
  return a.status === b.status && a.iterationsRun === b.iterationsRun;
}

/**
 * Runs the decision benchmark on every family × noise level × seed and
 * prints its tables; see the module comment.
 */
export async function runDecisionBenchmark(
  options: DecisionBenchmarkOptions = {},
): Promise<DecisionBenchmarkResult> {
  const started = performance.now();
  const log = options.log ?? ((text: string) => console.log(text));
  const advisorFactory = options.advisorFactory ?? (() => ruleAdvisor());
  const name = options.advisorName ?? advisorFactory().name;
  const analyzers = options.analyzers ?? defaultAnalyzers;
  const loops = loopSet(options.seeds ?? EVALUATION_SEEDS);
  const policies: Policy[] = [
    { name, advisor: advisorFactory, analyzers },
    NEVER_STOP,
    ...(options.patience ?? [3, 5, 8]).map(patiencePolicy),
  ];
  const runs: Record<string, LoopRun[]> = {};
  for (const policy of policies) runs[policy.name] = await runPolicy(policy, loops);
  const checks: DecisionCheck[] = [];
  for (const loop of loops) {
    checks.push(
      ...(await collectChecks(loop, {
        analyzers: analyzers(),
        advisors: [{ name, advisor: advisorFactory() }, ...sweepAdvisors()],
      })),
    );
  }
  const replayed = runsFromChecks(loops, checks, name);
  const ran = runs[name] ?? [];
  const replayAgreement = replayed.filter((r, i) => ran[i] && sameEnd(r, ran[i])).length;
  const scores = policies.flatMap((p) => scoreDecisions(p.name, runs[p.name] ?? []));
  const calibration = scoreCalibration(checks);
  const eta = scoreEtaCoverage(checks);
  const curve = sweepCurve(loops, checks);
  const baselines = policies
    .filter((p) => p.name.startsWith("patience-"))
    .map((p) => pointOf(p.name, scores))
    .filter((p): p is CurvePoint => p !== null);
  const seconds = (performance.now() - started) / 1000;
  const markdown = [
    `## Decision benchmark: ${loops.length} simulated loops, ${checks.length} checks`,
    renderDecisionTables(scores),
    `What stopped loops under ${name}:\n\n${renderStops(ran)}`,
    `Replaying ${name}'s recorded actions ends ${replayAgreement} of ${loops.length} loops as running it did.`,
    `### Trade-off curve: the rule advisor at other stopBelow thresholds (replayed) against patience-k\n\n${renderCurve(curve, baselines)}`,
    `### Success probability: reliability\n\n${renderReliability(calibration)}`,
    `### ETA interval: coverage\n\n${renderEtaCoverage(eta)}`,
    `Decision benchmark took ${seconds.toFixed(1)} s.`,
  ].join("\n\n");
  log(markdown);
  const rows = [
    ...benchRows(name, scores, calibration, eta),
    ...dominanceRows(name, scores, baselines),
  ];
  if (options.report ?? true) reportBenchRows(rows);
  return {
    loops: loops.length,
    runs,
    checks,
    scores,
    calibration,
    eta,
    replayAgreement,
    curve,
    baselines,
    rows,
    markdown,
    seconds,
  };
}
