import { z } from "zod";

export const NextActionSchema = z.enum(["CONTINUE", "PIVOT", "ABANDON"]);
export type NextAction = z.infer<typeof NextActionSchema>;

/**
 * An advisor's reading of the trajectory (the advisor JSON of
 * docs/record-format.md). Every field is required, and nullable where an
 * advisor may answer "unknown". LLMs are
 * asked for a wire form of it (`AssessmentWireSchema` in
 * @converge/llm-adapters): strict structured output allows no open-ended map
 * like `parameter_recommendations`.
 */
export const TrajectoryAssessmentSchema = z.object({
  convergence_assessment: z.enum([
    "CONVERGING",
    "DIVERGING",
    "OSCILLATING",
    "STAGNANT",
    "INSUFFICIENT_DATA",
  ]),
  gradient_effectiveness: z.enum(["EFFECTIVE", "INEFFECTIVE", "MIXED"]),
  likelihood_of_success: z.enum(["HIGH", "MEDIUM", "LOW"]),
  estimated_iterations_needed: z.number().int().nonnegative().nullable(),
  key_findings: z.array(z.string()),
  /** Parameter name → advice, e.g. "INCREASE - positively correlated with the gate score". */
  parameter_recommendations: z.record(z.string(), z.string()),
  next_action: NextActionSchema,
  specific_recommendations: z.array(z.string()),
  confidence: z.number().min(0).max(1),
  reasoning: z.string(),
});
export type TrajectoryAssessment = z.infer<typeof TrajectoryAssessmentSchema>;
