import { type LlmCallUsage, type LlmUsage, llmUsageToRecord } from "./advice.js";
import { ConfigurationError } from "./errors.js";

/** A plugin's LLM calls in the record's wire shape, tagged with what they were for. */
export function toRecordUsage(
  usage: readonly LlmCallUsage[] | undefined,
  purpose: string,
): LlmUsage[] {
  return (usage ?? []).map((u) => llmUsageToRecord(u, purpose));
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

/** What LLM calls cost in USD, unknown costs counting as nothing. */
export function usageCost(usage: readonly LlmUsage[]): number {
  return usage.reduce((sum, u) => sum + (u.cost_usd ?? 0), 0);
}
