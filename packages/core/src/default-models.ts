/**
 * The model each LLM adapter's users are pointed at when they name none (the
 * CLI's `--model`, the demo): current, and priced in the adapters' price table.
 * Here rather than in @converge/llm-adapters so that the CLI can show them
 * without loading the provider SDKs.
 */
export const DEFAULT_MODELS = Object.freeze({
  openai: "gpt-4.1",
  anthropic: "claude-sonnet-5-5",
});
