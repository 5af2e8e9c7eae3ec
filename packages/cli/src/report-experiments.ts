import type { ReportExperiment } from "@converge/core";
import { analyzePrepared, loadAnalyzers } from "./analyze-action.js";
import type { PreparedExperiment } from "./analyze-command-load.js";

/**
 * What a report shows of each prepared experiment: its records, the trajectory
 * analysis as `converge analyze` computes it, and the rule advisor's
 * assessment. `converge report` and `converge watch` both build theirs here.
 */
export async function reportExperiments(
  experiments: readonly PreparedExperiment[],
): Promise<ReportExperiment[]> {
  const { ruleAdvisor } = await loadAnalyzers();
  const advisor = ruleAdvisor();
  const report: ReportExperiment[] = [];
  for (const x of experiments) {
    const trajectory = await analyzePrepared(x);
    const advice = await advisor.advise({ records: x.records, trajectory, meta: x.meta });
    report.push({ meta: x.meta, records: x.records, trajectory, advice });
  }
  return report;
}
