import type { AdvisorInput, ExperimentTrajectory } from "@converge/core";
import { describe, expect, it } from "vitest";
import { sampleAdvisorInput } from "./test-fixtures/trajectory-sample.js";
import { readTrajectoryExtras } from "./trajectory-extras.js";
import { trajectoryPromptV2 } from "./trajectory-prompt.js";

/** The sample's analysis as an older or foreign producer might write it. */
function olderInput(): AdvisorInput {
  const input = sampleAdvisorInput();
  const t = { ...(input.trajectory as unknown as Record<string, unknown>) };
  delete t.success_probability;
  const eta = { ...(t.iterations_to_success as Record<string, unknown>) };
  delete eta.level;
  delete eta.horizon;
  t.iterations_to_success = eta;
  if (t.overfitting) t.overfitting = { ...(t.overfitting as object), risk: "EXTREME" };
  return { ...input, trajectory: t as ExperimentTrajectory };
}

describe("a prompt on an analysis without its optional fields", () => {
  it("reads the parts that are there", () => {
    const extras = readTrajectoryExtras(olderInput().trajectory);
    expect(extras.success).toBeUndefined();
    expect(extras.eta).toBeDefined();
    expect(extras.eta?.level).toBeUndefined();
    if (extras.overfitting) expect(extras.overfitting.risk).toBe("UNKNOWN");
  });

  it("still renders, saying what is missing", () => {
    const text = trajectoryPromptV2.render(olderInput());
    expect(text).toContain("the trajectory carries no success_probability");
    expect(text).not.toMatch(/undefined|NaN/);
  });
});
