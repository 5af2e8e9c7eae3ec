/**
 * What a call cost, from its token usage and a price table. A model the table
 * does not know costs `null`, never a guess.
 */
import { z } from "zod";

/** USD per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  /** Input tokens served from the provider's prompt cache, when it bills them differently. */
  cachedInputPerMillion?: number;
}

const price = (
  inputPerMillion: number,
  outputPerMillion: number,
  cachedInputPerMillion?: number,
): ModelPrice => ({
  inputPerMillion,
  outputPerMillion,
  ...(cachedInputPerMillion !== undefined && { cachedInputPerMillion }),
});

/**
 * List prices (USD per million tokens) as the providers published them for
 * standard, non-batch use. Prices change: check the providers' pricing pages
 * and pass `prices` to `openai()` / `anthropic()` to override or add models.
 * A dated snapshot (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) uses
 * its model's price unless the table lists the snapshot itself.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  // OpenAI
  "gpt-5": price(1.25, 10, 0.125),
  "gpt-5-mini": price(0.25, 2, 0.025),
  "gpt-5-nano": price(0.05, 0.4, 0.005),
  "gpt-4.1": price(2, 8, 0.5),
  "gpt-4.1-mini": price(0.4, 1.6, 0.1),
  "gpt-4.1-nano": price(0.1, 0.4, 0.025),
  "gpt-4o": price(2.5, 10, 1.25),
  // The first gpt-4o snapshot kept its launch price.
  "gpt-4o-2024-05-13": price(5, 15),
  "gpt-4o-mini": price(0.15, 0.6, 0.075),
  o3: price(2, 8, 0.5),
  "o3-mini": price(1.1, 4.4, 0.55),
  "o4-mini": price(1.1, 4.4, 0.275),
  // Anthropic (platform.claude.com model pages, November 2026)
  "claude-fable-5-1": price(10, 50),
  "claude-opus-5-5": price(4, 20),
  "claude-opus-5": price(5, 25),
  "claude-sonnet-5-5": price(2, 10),
  "claude-opus-4-6": price(5, 25),
  "claude-sonnet-4-6": price(3, 15),
  "claude-opus-4-5": price(5, 25),
  "claude-opus-4-1": price(15, 75),
  "claude-opus-4": price(15, 75),
  "claude-opus-4-0": price(15, 75),
  "claude-sonnet-4-5": price(3, 15),
  "claude-sonnet-4": price(3, 15),
  "claude-sonnet-4-0": price(3, 15),
  "claude-3-7-sonnet": price(3, 15),
  "claude-haiku-4-5": price(1, 5),
  "claude-3-5-haiku": price(0.8, 4),
});

const nonNegative = z.number().finite().nonnegative();
const ModelPriceSchema = z.strictObject({
  inputPerMillion: nonNegative,
  outputPerMillion: nonNegative,
  cachedInputPerMillion: nonNegative.optional(),
});

/** The model each adapter's users are pointed at by default (CLI, demo): current and priced. */
export { DEFAULT_MODELS } from "@converge/core";

/** Validates a user's price table (named fields, finite non-negative numbers). */
export const PriceTableSchema = z.record(z.string().min(1), ModelPriceSchema);

// "-2024-08-06", "-20250929" and "-latest" name a snapshot or alias of a model.
const SNAPSHOT = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;

/**
 * The price of a model: the table's entry for the exact id, else for the id
 * without a date or "-latest" suffix. Nothing looser: a near match could be a
 * different model with a different price.
 */
export function priceOf(
  modelId: string,
  table: Readonly<Record<string, ModelPrice>> = DEFAULT_PRICES,
): ModelPrice | undefined {
  if (Object.hasOwn(table, modelId)) return table[modelId];
  const base = modelId.replace(SNAPSHOT, "");
  return base !== modelId && Object.hasOwn(table, base) ? table[base] : undefined;
}

/**
 * The price of the model that answered. When the table does not know it, the
 * requested model's price is used only if the answer names a snapshot or
 * alias of that same model (a gateway answering with another model gets
 * `undefined`: unknown, not a guess).
 */
export function priceOfAnswer(
  answered: string,
  requested: string,
  table: Readonly<Record<string, ModelPrice>> = DEFAULT_PRICES,
): ModelPrice | undefined {
  const own = priceOf(answered, table);
  if (own) return own;
  const sameModel = answered.replace(SNAPSHOT, "") === requested.replace(SNAPSHOT, "");
  return sameModel ? priceOf(requested, table) : undefined;
}

/** Tokens of one call as the adapters count them. */
export interface TokenCounts {
  /** Every input token, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** How many of `inputTokens` were read from the prompt cache. */
  cachedInputTokens?: number;
}

/** Cost in USD, or null when the price is unknown. */
export function costOf(tokens: TokenCounts, modelPrice: ModelPrice | undefined): number | null {
  if (!modelPrice) return null;
  const cached = Math.min(tokens.cachedInputTokens ?? 0, tokens.inputTokens);
  const cachedPrice = modelPrice.cachedInputPerMillion ?? modelPrice.inputPerMillion;
  return (
    ((tokens.inputTokens - cached) * modelPrice.inputPerMillion +
      cached * cachedPrice +
      tokens.outputTokens * modelPrice.outputPerMillion) /
    1_000_000
  );
}
