/**
 * What a refiner's proposal carries into the next record besides the
 * strategy: the LLM calls it paid and who proposed it. `refineWithin`
 * attaches it to the strategy it returns; `runGateLoop` takes it off and
 * records it with the next iteration. Attached under a registered symbol,
 * not enumerable, so it never reaches a record or a strategy's JSON.
 */
import type { LlmCallUsage } from "./contracts.js";

const REFINEMENT = Symbol.for("converge.refinement");

/** Who proposed a strategy and what the proposal cost. */
export interface Refinement {
  /** The refiner that answered, e.g. "rule", "llm:openai/gpt-4.1". */
  source: string;
  /** Why the first refiner was not used, when a fallback answered. */
  fallback?: string;
  /** The model and prompt version of an LLM refiner's answer. */
  model?: string;
  promptVersion?: string;
  usage: LlmCallUsage[];
}

/** `strategy` with `refinement` attached (the same object). */
export function attachRefinement<S extends object>(strategy: S, refinement: Refinement): S {
  Object.defineProperty(strategy, REFINEMENT, {
    value: refinement,
    enumerable: false,
    configurable: true,
  });
  return strategy;
}

/** The refinement attached to a strategy, if any. */
export function refinementOf(strategy: unknown): Refinement | undefined {
  if (strategy === null || typeof strategy !== "object") return undefined;
  return (strategy as Record<symbol, Refinement | undefined>)[REFINEMENT];
}
