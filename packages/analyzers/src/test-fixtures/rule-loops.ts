/**
 * Small loops for the rule advisor's tests, logged through a real tracker
 * (memory store, fixed clock) against a gate of Sharpe ≥ 1.5.
 */
import {
  type Advice,
  createTracker,
  type ExperimentMeta,
  type ExperimentRecord,
  type LogInput,
  memoryStore,
  seededRandom,
  TrajectoryAssessmentSchema,
} from "@converge/core";
import { expect } from "vitest";
import { defaultAnalyzers } from "../analyze-trajectory.js";
import { type RuleAdvisorOptions, ruleAdvisor } from "../rule-advisor.js";

export const GATE = { criteria: [{ metric: "sharpe_ratio", op: ">=" as const, threshold: 1.5 }] };

export interface Loop {
  records: readonly ExperimentRecord[];
  meta: ExperimentMeta;
  advise(options?: RuleAdvisorOptions): Promise<Advice>;
}

/** Logs the iterations through a real tracker (memory store, fixed clock) with the gate above. */
export async function loop(iterations: LogInput[]): Promise<Loop> {
  const tracker = createTracker({
    store: memoryStore(),
    analyzers: defaultAnalyzers(),
    now: () => new Date("2026-02-01T10:00:00Z"),
  });
  const run = await tracker.start({ experimentId: "exp_t", gate: GATE });
  for (const input of iterations) await run.log(input);
  return {
    records: run.records,
    meta: run.meta,
    advise: async (options) => run.advise(await run.analyze(), ruleAdvisor(options)),
  };
}

/** Sharpe ratios as iterations with a tuned position_size and an irrelevant, wandering stop_loss. */
export function sharpeLoop(sharpes: number[], positionSizes?: number[]): LogInput[] {
  const rnd = seededRandom(7);
  let stop = 0.15;
  return sharpes.map((sharpe, i) => {
    stop = Number((stop + (rnd() - 0.5) * 0.02).toFixed(4));
    return {
      parameters: { position_size: positionSizes?.[i] ?? 0.1, stop_loss: stop },
      metrics: { sharpe_ratio: sharpe, max_drawdown: 0.2 },
    };
  });
}

export function expectValid(advice: Advice): void {
  expect(advice.source).toBe("rule");
  expect(TrajectoryAssessmentSchema.safeParse(advice.assessment).success).toBe(true);
}
