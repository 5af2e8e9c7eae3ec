import type { AssessmentWire } from "../assessment-wire.js";

/** A valid advisor answer in the wire form the model is asked for. */
export const ANSWER: AssessmentWire = {
  convergence_assessment: "CONVERGING",
  gradient_effectiveness: "EFFECTIVE",
  likelihood_of_success: "HIGH",
  estimated_iterations_needed: 3,
  key_findings: ["gate score +0.042 per iteration, p < 0.001"],
  parameter_recommendations: [
    { parameter: "position_size", recommendation: "INCREASE - helps the Sharpe" },
  ],
  next_action: "CONTINUE",
  specific_recommendations: ["raise position_size from 0.22 to 0.25"],
  confidence: 0.8,
  reasoning: "The score rises steadily and two criteria are close to passing.",
};
