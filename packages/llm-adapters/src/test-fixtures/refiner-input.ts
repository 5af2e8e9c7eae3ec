/**
 * A `RefinerInput` built by hand for the refiner's tests: three iterations
 * of a small strategy with code, a declared space (int, float, choice), the
 * rule advice, and a small `Refiner` literal standing in for the fallback.
 */
import {
  type Advice,
  evaluateGate,
  type GateSpecInput,
  parameterKey,
  parseRecord,
  type Refiner,
  type RefinerInput,
  type RefinerProposal,
} from "@converge/core";

export const REFINE_GATE: GateSpecInput = {
  criteria: [
    { metric: "sharpe_ratio", op: ">=", threshold: 1 },
    { metric: "max_drawdown", op: "<=", threshold: 0.2 },
  ],
};

export const CODE = [
  "def signal(prices, window, threshold):",
  "    avg = sum(prices[-window:]) / window",
  "    if prices[-1] > avg * (1 + threshold):",
  "        return 1",
  "    return 0",
  "",
].join("\n");

/** A diff against CODE that applies: the comparison uses >=. */
export const GOOD_DIFF = [
  "--- a/strategy.py",
  "+++ b/strategy.py",
  "@@ -2,4 +2,4 @@",
  "     avg = sum(prices[-window:]) / window",
  "-    if prices[-1] > avg * (1 + threshold):",
  "+    if prices[-1] >= avg * (1 + threshold):",
  "         return 1",
  "     return 0",
  "",
].join("\n");

/** A diff whose context line is not in CODE. */
export const BAD_DIFF = [
  "@@ -2,3 +2,3 @@",
  "     mean = sum(prices[-window:]) / window",
  "-    if prices[-1] > mean:",
  "+    if prices[-1] >= mean:",
  "         return 1",
  "",
].join("\n");

const history = [
  { window: 10, threshold: 0.02, mode: "long", sharpe_ratio: 0.6, max_drawdown: 0.3 },
  { window: 14, threshold: 0.02, mode: "long", sharpe_ratio: 0.75, max_drawdown: 0.26 },
  { window: 18, threshold: 0.03, mode: "both", sharpe_ratio: 0.85, max_drawdown: 0.24 },
];

export const ADVICE: Advice = {
  source: "rule",
  assessment: {
    convergence_assessment: "CONVERGING",
    gradient_effectiveness: "EFFECTIVE",
    likelihood_of_success: "MEDIUM",
    estimated_iterations_needed: 3,
    key_findings: ["sharpe rises with the window"],
    parameter_recommendations: { window: "INCREASE - sharpe rises with it" },
    next_action: "CONTINUE",
    specific_recommendations: ["raise window from 18 to 22"],
    confidence: 0.7,
    reasoning: "Steady climb.",
  },
};

/** Iteration 3 just evaluated, with every earlier set tried. */
export function refinerInput(overrides: Partial<RefinerInput> = {}): RefinerInput {
  const records = history.map(({ sharpe_ratio, max_drawdown, ...parameters }, i) => {
    const metrics = { sharpe_ratio, max_drawdown };
    const gate = evaluateGate(metrics, REFINE_GATE);
    return parseRecord({
      experiment_id: "exp_refine",
      iteration: i + 1,
      research_directive: "momentum on daily closes with a drawdown cap",
      strategy_name: "sma_cross",
      strategy_code: CODE,
      parameters,
      metrics,
      gate_passed: gate.passed,
      gate_score: gate.score,
    });
  });
  const last = records.at(-1);
  if (!last) throw new Error("no records");
  return {
    strategy: { name: "sma_cross", code: CODE, parameters: { ...last.parameters, fee: 0.001 } },
    space: {
      window: { type: "int", min: 5, max: 40, step: 2 },
      threshold: { type: "float", min: 0, max: 0.1 },
      mode: { type: "choice", values: ["long", "both"] },
    },
    iteration: 3,
    records,
    metrics: last.metrics,
    gate: evaluateGate(last.metrics, REFINE_GATE),
    advice: ADVICE,
    analysis: null,
    tried: new Set(records.map((r) => parameterKey({ ...r.parameters, fee: 0.001 }))),
    ...overrides,
  };
}

/** A small refiner standing in for core's ruleRefiner: window + 2, or a thrown error. */
export function stepRefiner(
  behaviour: "answers" | "throws" = "answers",
): Refiner & { calls: RefinerInput[] } {
  const calls: RefinerInput[] = [];
  return {
    specificationVersion: "v1",
    name: "step",
    calls,
    async refine(input: RefinerInput): Promise<RefinerProposal> {
      calls.push(input);
      if (behaviour === "throws") throw new Error("step table broken");
      const window = Number(input.strategy.parameters.window) + 2;
      return {
        parameters: { ...input.strategy.parameters, window },
        description: "window + 2",
        source: "step",
        usage: [],
      };
    },
  };
}
