import type { Advice, LlmCallUsage } from "./contracts.js";
import { ConfigurationError } from "./errors.js";
import type { LlmUsage, RecordedAdvice } from "./record.js";

/** A plugin's LLM calls in the record's wire shape, tagged with what they were for. */
export function toRecordUsage(
  usage: readonly LlmCallUsage[] | undefined,
  purpose: string,
): LlmUsage[] {
  return (usage ?? []).map((u) => ({
    provider: u.provider,
    model: u.model,
    input_tokens: u.inputTokens,
    output_tokens: u.outputTokens,
    cost_usd: u.costUsd,
    purpose: u.purpose ?? purpose,
  }));
}

/**
 * LLM calls a failing plugin made are paid all the same. A plugin reports
 * them by throwing an error with a `usage: LlmCallUsage[]` property.
 */
export function usageOf(error: unknown): LlmCallUsage[] {
  // The tracker wraps an advisor's error in a PluginError: look down the causes.
  let usage: unknown;
  for (let e = error, depth = 0; e && depth < 4 && usage === undefined; depth++) {
    usage = (e as { usage?: unknown }).usage;
    e = (e as { cause?: unknown }).cause;
  }
  if (!Array.isArray(usage)) return [];
  return usage.filter(
    (u): u is LlmCallUsage =>
      u !== null &&
      typeof u === "object" &&
      typeof u.provider === "string" &&
      typeof u.model === "string" &&
      Number.isInteger(u.inputTokens) &&
      Number.isInteger(u.outputTokens),
  );
}

/**
 * A plugin that cannot work as configured (no API key, …) would fail the same
 * way every iteration: the loop stops instead of running on without it.
 */
export function isMisconfiguration(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    if (ConfigurationError.isInstance(e)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Advice as the record it produced stores it. */
export function toRecordedAdvice(advice: Advice, afterIteration: number): RecordedAdvice {
  return {
    after_iteration: afterIteration,
    source: advice.source,
    model: advice.model ?? null,
    prompt_version: advice.promptVersion ?? null,
    fallback: advice.fallback
      ? { from: advice.fallback.from, reason: advice.fallback.reason }
      : null,
    assessment: advice.assessment,
  };
}

/** What LLM calls cost in USD, unknown costs counting as nothing. */
export function usageCost(usage: readonly LlmUsage[]): number {
  return usage.reduce((sum, u) => sum + (u.cost_usd ?? 0), 0);
}
