export type { CommonSettings } from "./adapter-settings.js";
export { type AnthropicSettings, anthropic } from "./anthropic.js";
export {
  type AssessmentWire,
  AssessmentWireSchema,
  toAssessment,
} from "./assessment-wire.js";
export {
  LlmApiError,
  LlmError,
  LlmOutputError,
  type LlmOutputProblem,
  LlmResponseShapeError,
} from "./errors.js";
export {
  FAILURE_PROMPT_CODE_CHARS,
  FAILURE_PROMPT_MAX_CHARS,
  failurePromptV1,
} from "./failure-prompt.js";
export { LlmAdvisorError, type LlmAdvisorOptions, llmAdvisor } from "./llm-advisor.js";
export {
  type FailureAnalysisWire,
  FailureAnalysisWireSchema,
  FailureClassificationSchema,
  FailureRecommendationSchema,
  type LlmFailureAnalyzerOptions,
  llmFailureAnalyzer,
} from "./llm-failure-analyzer.js";
export { type OpenAISettings, openai } from "./openai.js";
export {
  costOf,
  DEFAULT_MODELS,
  DEFAULT_PRICES,
  type ModelPrice,
  PriceTableSchema,
  priceOf,
  type TokenCounts,
} from "./pricing.js";
export type { PromptTemplate } from "./prompt-template.js";
export { applyUnifiedDiff, type DiffOutcome } from "./refiner/apply-diff.js";
export {
  type LlmRefinerOptions,
  type LlmRefinerProposal,
  llmRefiner,
} from "./refiner/llm-refiner.js";
export { proposalSchema, type RefineProposalWire } from "./refiner/refine-answer.js";
export {
  REFINE_PROMPT_CODE_CHARS,
  REFINE_PROMPT_MAX_CHARS,
  REFINE_PROMPT_VERSION,
  type RefinePromptInput,
  refinePromptV1,
} from "./refiner/refine-prompt.js";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js";
export {
  type AttemptProblem,
  type GenerateValidatedOptions,
  type GenerateValidatedResult,
  generateValidated,
  StructuredOutputError,
} from "./structured-call.js";
export { TRAJECTORY_PROMPT_MAX_CHARS, trajectoryPromptV2 } from "./trajectory-prompt.js";
