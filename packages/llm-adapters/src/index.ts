export type { CommonSettings } from "./adapter-settings.js";
export { type AnthropicSettings, anthropic } from "./anthropic.js";
export {
  LlmApiError,
  LlmError,
  LlmOutputError,
  type LlmOutputProblem,
} from "./errors.js";
export { type OpenAISettings, openai } from "./openai.js";
export { costOf, DEFAULT_PRICES, type ModelPrice, priceOf, type TokenCounts } from "./pricing.js";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js";
