import type { ExperimentTrajectory } from "@converge/core";
import { describe, expect, it } from "vitest";
import { handInput, line, section } from "./test-fixtures/prompt-text.js";
import { sampleAdvisorInput } from "./test-fixtures/trajectory-sample.js";
import { trajectoryPromptV2 } from "./trajectory-prompt.js";

/** An analysis' trend of an informational metric (no goal stated), as @converge/analyzers writes it. */
const informational = {
  role: "informational",
  goal: null,
  n: 3,
  theil_sen: { slope: -4, low: -9, high: 0, method: "exact" },
  improvement_rate: null,
  status: null,
  reason: "informational: no goal stated (not in the gate, not given maximize or minimize)",
  constant: false,
};

describe("trajectoryPromptV2 and metric roles", () => {
  it("presents a metric the analysis marks informational as context, with no direction and no verdict", () => {
    const input = handInput([
      { iteration: 1, metrics: { sharpe_ratio: 0.5, trade_count: 60 } },
      { iteration: 2, metrics: { sharpe_ratio: 0.7, trade_count: 45 } },
      { iteration: 3, metrics: { sharpe_ratio: 0.8, trade_count: 52 } },
    ]);
    (input.trajectory as ExperimentTrajectory & Record<string, unknown>).metric_trends = {
      trade_count: informational,
    };
    const text = trajectoryPromptV2.render(input);
    expect(section(text, "Metrics and their directions")).toContain(
      "- trade_count: informational (no goal stated: context, not an objective)\n",
    );
    expect(line(section(text, "Metric trends"), "- trade_count (informational): ")).toBe(
      "- trade_count (informational): 60 → 45 → 52; no goal, so no verdict",
    );
    expect(text).not.toMatch(
      /trade_count[^\n]*(higher is better|maximize|getting better|getting worse)/,
    );
    // The gated metric keeps its direction as before.
    expect(text).toContain("- sharpe_ratio: maximize (higher is better)");
  });

  it("reads an analysis without roles (the recorded sample) as before: every metric with a direction", () => {
    const text = trajectoryPromptV2.render(sampleAdvisorInput());
    expect(text).not.toContain("informational");
    expect(section(text, "Metrics and their directions")).toContain(
      "- num_observations: maximize (higher is better), assumed from its name",
    );
  });
});
