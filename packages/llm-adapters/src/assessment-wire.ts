/**
 * The assessment as a language model is asked for it. OpenAI's strict
 * structured output accepts no `z.record` (open-ended keys) and no optional
 * properties, so the wire form differs from core's `TrajectoryAssessment` in
 * one field: `parameter_recommendations` is a list of
 * `{ parameter, recommendation }` pairs. Every property is required; unknown
 * values are null where the schema allows it.
 */
import {
  parseOrThrow,
  type TrajectoryAssessment,
  TrajectoryAssessmentSchema,
} from "@converge/core";
import { z } from "zod";

const shape = TrajectoryAssessmentSchema.shape;

/** `TrajectoryAssessmentSchema` with strict-output-friendly parameter recommendations, and field descriptions. */
export const AssessmentWireSchema = TrajectoryAssessmentSchema.extend({
  convergence_assessment: shape.convergence_assessment.describe(
    "Whether the score is moving toward passing the gate",
  ),
  gradient_effectiveness: shape.gradient_effectiveness.describe(
    "Whether the parameter changes made so far moved the score the right way",
  ),
  likelihood_of_success: shape.likelihood_of_success.describe(
    "Chance that the gate passes if the loop goes on",
  ),
  estimated_iterations_needed: shape.estimated_iterations_needed.describe(
    "Whole iterations still needed to pass the gate; null when unknown or not converging",
  ),
  key_findings: shape.key_findings.describe("Short statements, each backed by a number"),
  parameter_recommendations: z
    .array(
      z.object({
        parameter: z.string().describe("The parameter's exact name"),
        recommendation: z
          .string()
          .describe("INCREASE, DECREASE, KEEP or STOP CHANGING, then ' - ' and the reason"),
      }),
    )
    .describe("One entry per parameter worth acting on"),
  next_action: shape.next_action.describe(
    "CONTINUE refining this strategy, PIVOT to a different approach, or ABANDON",
  ),
  specific_recommendations: shape.specific_recommendations.describe(
    "Concrete changes for the next iteration",
  ),
  confidence: shape.confidence.describe("How sure the answer is of next_action, from 0 to 1"),
  reasoning: shape.reasoning.describe("A few sentences linking the decision to the evidence"),
});
export type AssessmentWire = z.infer<typeof AssessmentWireSchema>;

/**
 * Converts a wire assessment into core's `TrajectoryAssessment`: the pairs
 * become a `parameter → recommendation` map (a later pair for the same
 * parameter wins), and the result is validated with
 * `TrajectoryAssessmentSchema` (a `ValidationError` names any bad field).
 */
export function toAssessment(wire: AssessmentWire): TrajectoryAssessment {
  const recommendations = new Map<string, string>();
  for (const { parameter, recommendation } of wire.parameter_recommendations) {
    recommendations.delete(parameter);
    recommendations.set(parameter, recommendation);
  }
  return parseOrThrow(
    TrajectoryAssessmentSchema,
    { ...wire, parameter_recommendations: Object.fromEntries(recommendations) },
    "assessment",
  );
}
