/**
 * `pnpm --filter @converge/analyzers tune [-- --priors]`: how the defaults of
 * the success probability and the rule advisor were chosen, on the tuning
 * seeds only (the benchmark reports on the evaluation seeds).
 *
 * - Always: with the current defaults, the calibration (log loss, Brier,
 *   worst bin) and ETA coverage on the tuning loops, the rule advisor's
 *   trade-off curve beside patience 3, 5 and 8, and `stopBelow`: of the
 *   swept thresholds that lose at most 5% of the would-be successes (2% on
 *   steady loops) and save at least what patience-5 saves, the middle one.
 * - `--priors`: the breakthrough priors and the ETA interval mass around the
 *   defaults, each scored by log loss (the priors are maximum-likelihood
 *   choices on these loops) and ETA coverage. About a minute per setting.
 */
import { defaultAnalyzers } from "../analyze-trajectory.js";
import { DEFAULT_DAMPED_TREND_PRIOR } from "../predictive-model.js";
import { DEFAULT_BREAKTHROUGH_PRIOR } from "../predictive-paths.js";
import { DEFAULT_STOP_BELOW } from "../rule-advisor.js";
import { ETA_INTERVAL_MASS, type PredictiveSettings } from "../success-probability.js";
import { collectChecks, type DecisionCheck } from "./decision-checks.js";
import {
  type CurvePoint,
  chooseStopBelow,
  pointOf,
  renderCurve,
  sweepAdvisors,
  sweepCurve,
} from "./decision-curve.js";
import { patiencePolicy, runPolicy } from "./decision-harness.js";
import { markdownTable, renderReliability } from "./decision-report.js";
import { scoreCalibration, scoreDecisions, scoreEtaCoverage } from "./decision-scoring.js";
import { loopSet, TUNING_SEEDS } from "./simulated-loops.js";

const loops = loopSet(TUNING_SEEDS);

async function checksWith(settings: PredictiveSettings, sweep: boolean): Promise<DecisionCheck[]> {
  const checks: DecisionCheck[] = [];
  for (const loop of loops) {
    checks.push(
      ...(await collectChecks(loop, {
        analyzers: defaultAnalyzers({ predictive: settings }),
        ...(sweep && { advisors: sweepAdvisors() }),
      })),
    );
  }
  return checks;
}

/** Mean negative log-likelihood of the outcomes under the predicted probabilities. */
function logLoss(checks: readonly DecisionCheck[]): number {
  let sum = 0;
  let n = 0;
  for (const c of checks) {
    if (c.probability === null) continue;
    const p = Math.min(1 - 1e-4, Math.max(1e-4, c.probability));
    sum -= Math.log(c.passesWithinBudget ? p : 1 - p);
    n++;
  }
  return sum / n;
}

function summary(checks: readonly DecisionCheck[]): string[] {
  const cal = scoreCalibration(checks);
  const eta = scoreEtaCoverage(checks);
  const f = (x: number | null, d = 3) => (x === null ? "—" : x.toFixed(d));
  return [
    logLoss(checks).toFixed(4),
    f(cal.brier),
    f(cal.worstGap),
    eta.overall.coverage === null ? "—" : `${(100 * eta.overall.coverage).toFixed(1)}%`,
    eta.steady.coverage === null ? "—" : `${(100 * eta.steady.coverage).toFixed(1)}%`,
  ];
}

const started = performance.now();
console.log(`Tuning seeds: ${loops.length} loops.\n`);
const checks = await checksWith({}, true);
console.log(`### Current defaults on the tuning loops\n`);
console.log(
  markdownTable(
    ["log loss", "Brier", "worst bin gap", "ETA coverage", "ETA coverage (steady)"],
    [summary(checks)],
  ),
);
console.log(`\n${renderReliability(scoreCalibration(checks))}\n`);
const baselines: CurvePoint[] = [];
for (const k of [3, 5, 8]) {
  const policy = patiencePolicy(k);
  const point = pointOf(policy.name, scoreDecisions(policy.name, await runPolicy(policy, loops)));
  if (point) baselines.push(point);
}
console.log(`### The rule advisor's trade-off curve on the tuning loops\n`);
console.log(renderCurve(sweepCurve(loops, checks), baselines));
const patience5 = baselines.find((b) => b.name === "patience-5");
const chosen = chooseStopBelow(loops, checks, {
  all: 0.05,
  steady: 0.02,
  minSaved: patience5?.saved ?? 0,
});
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(
  chosen === null
    ? "\nNo swept threshold keeps the lost shares within 5% overall and 2% on steady loops."
    : `\nChosen stopBelow: ${chosen.stopBelow} (lost ${pct(chosen.lost)}, steady ${pct(chosen.steadyLost)}, saved ${pct(chosen.saved)}; patience-5 saves ${patience5 ? pct(patience5.saved) : "—"}). DEFAULT_STOP_BELOW is ${DEFAULT_STOP_BELOW}.`,
);

if (process.argv.includes("--priors")) {
  const base = DEFAULT_BREAKTHROUGH_PRIOR;
  const settings: [string, PredictiveSettings][] = [
    ["no breakthroughs", { breakthrough: { ...base, rate: 0 } }],
    ["constant rate 0.06", { breakthrough: { rate: 0.06, strength: 1e6, sizeSd: 0.4 } }],
    ["rate 0.12", { breakthrough: { ...base, rate: 0.12 } }],
    ["rate 0.25", { breakthrough: { ...base, rate: 0.25 } }],
    ["strength 10", { breakthrough: { ...base, strength: 10 } }],
    ["size 0.3", { breakthrough: { ...base, sizeSd: 0.3 } }],
    ["size 0.5", { breakthrough: { ...base, sizeSd: 0.5 } }],
    [
      "persistence 3× (φ = 1)",
      {
        trend: {
          ...DEFAULT_DAMPED_TREND_PRIOR,
          phis: DEFAULT_DAMPED_TREND_PRIOR.phis.map((p) => ({
            phi: p.phi,
            weight: p.phi === 1 ? 3 : p.weight,
          })),
        },
      },
    ],
    ["ETA interval mass 0.55", { etaIntervalMass: 0.55 }],
    ["ETA interval mass 0.75", { etaIntervalMass: 0.75 }],
  ];
  const rows: string[][] = [["defaults", ...summary(checks)]];
  for (const [name, s] of settings) rows.push([name, ...summary(await checksWith(s, false))]);
  console.log(
    `\n### Priors around the defaults (breakthrough rate ${base.rate}, strength ${base.strength}, size ${base.sizeSd}; ETA interval mass ${ETA_INTERVAL_MASS})\n`,
  );
  console.log(
    markdownTable(
      ["setting", "log loss", "Brier", "worst bin gap", "ETA coverage", "ETA coverage (steady)"],
      rows,
    ),
  );
}
console.log(`\nTook ${((performance.now() - started) / 1000).toFixed(0)} s.`);
