/**
 * A `Refiner` made into `runGateLoop`'s `refine`: the declared parameter
 * space enforced on every proposal, repeats refused, a fallback for a
 * refiner that fails, and what the proposal cost and who made it carried
 * into the next record.
 */
import type { TrajectoryAnalysis } from "./analysis.js";
import type { LlmCallUsage, StrategyLike } from "./contracts.js";
import { CostlyFailureError, describeCause } from "./errors.js";
import type { RefineContext } from "./gate-loop.js";
import { attachRefinement } from "./refinement.js";
import {
  clampToSpace,
  type ParameterSpace,
  parameterKey,
  parameterProblems,
  type Refiner,
  type RefinerInput,
  type RefinerProposal,
} from "./refiner.js";
import { ruleProposal } from "./rule-refiner.js";

/** Options of {@link refineWithin}. */
export interface RefineWithinOptions {
  /** The parameters the refiner may change; every proposal is brought into it. */
  space: ParameterSpace;
  /** Let a parameter set be evaluated again (default false: a repeat is refused). */
  allowRepeats?: boolean;
  /** Asked when the refiner rejects or proposes a tried set. */
  fallback?: Refiner;
  /** What was clamped, refused or fallen back from (default: console.warn). */
  onWarning?: (message: string, cause?: unknown) => void;
}

/** A proposal with who answered and why a fallback did. */
interface Answer {
  proposal: RefinerProposal;
  fallback?: string;
}

function isProposal(value: unknown): value is RefinerProposal {
  const p = (value as { parameters?: unknown } | null)?.parameters;
  return p !== null && typeof p === "object" && !Array.isArray(p);
}

/** Asks one refiner; a rejection or a malformed answer throws, with what it paid kept in `paid`. */
async function ask(
  refiner: Refiner,
  input: RefinerInput,
  paid: LlmCallUsage[],
): Promise<RefinerProposal> {
  let proposal: unknown;
  try {
    proposal = await refiner.refine(input);
  } catch (error) {
    paid.push(...CostlyFailureError.usageOf(error));
    throw error;
  }
  if (!isProposal(proposal)) throw new Error("it answered without a parameters object");
  paid.push(...(proposal.usage ?? []));
  return proposal;
}

/** The refiner's proposal, or the fallback's when the refiner rejects. */
async function answer(
  refiner: Refiner,
  input: RefinerInput,
  options: RefineWithinOptions,
  warn: (message: string, cause?: unknown) => void,
  paid: LlmCallUsage[],
): Promise<Answer> {
  try {
    return { proposal: await ask(refiner, input, paid) };
  } catch (error) {
    const { fallback } = options;
    if (!fallback) throw error;
    const reason = `refiner "${refiner.name}" failed: ${describeCause(error)}`;
    warn(`${reason}; asking "${fallback.name}" instead`, error);
    return { proposal: await ask(fallback, input, paid), fallback: reason };
  }
}

/** The proposal's parameters over the current ones, brought into the space (with a warning). */
function inSpace(
  proposal: RefinerProposal,
  input: RefinerInput,
  warn: (message: string) => void,
): Record<string, unknown> {
  const merged = { ...input.strategy.parameters, ...proposal.parameters };
  const problems = parameterProblems(input.space, merged);
  if (problems.length === 0) return merged;
  warn(
    `"${proposal.source}" proposed parameters outside the space, clamped: ${problems.join("; ")}`,
  );
  return clampToSpace(input.space, merged, input.strategy.parameters);
}

/**
 * Makes `refiner` the `refine` of `runGateLoop`. Each call asks the refiner
 * (its fallback when it rejects, with a warning), clamps the proposal into
 * `space` (a warning names what was clamped), refuses a parameter set already
 * evaluated unless `allowRepeats` (asks the fallback, then perturbs as the
 * rule refiner does), and returns the next strategy: the proposal's
 * parameters, code and description over the current strategy. What the
 * proposal cost goes into the next record's `llm_usage` (purpose
 * "refiner"), and who made it into its `refiner` field.
 */
export function refineWithin<S extends StrategyLike>(
  refiner: Refiner,
  options: RefineWithinOptions,
): (context: RefineContext<S>) => Promise<S> {
  const warn = options.onWarning ?? ((message: string) => console.warn(`converge: ${message}`));
  return async (context) => {
    const input: RefinerInput = {
      strategy: context.strategy,
      space: options.space,
      iteration: context.iteration,
      records: context.records,
      metrics: context.metrics,
      gate: context.gate,
      advice: context.advice,
      analysis: (context.trajectory ?? null) as TrajectoryAnalysis | null,
      tried: new Set(context.records.map((r) => parameterKey(r.parameters))),
    };
    const paid: LlmCallUsage[] = [];
    let { proposal, fallback } = await answer(refiner, input, options, warn, paid).catch(
      (error: unknown) => {
        // Every refiner failed: what their calls cost travels on the error, for the loop to record.
        if (paid.length === 0) throw error;
        throw new CostlyFailureError(describeCause(error), { usage: paid, cause: error });
      },
    );
    let parameters = inSpace(proposal, input, warn);

    if (!options.allowRepeats && input.tried.has(parameterKey(parameters))) {
      const reason = `"${proposal.source}" proposed a parameter set already evaluated`;
      warn(`${reason}; asking for another`);
      fallback = reason;
      const other = options.fallback && options.fallback !== refiner ? options.fallback : null;
      let next: RefinerProposal | null = null;
      if (other && proposal.source !== other.name) {
        next = await ask(other, input, paid).catch((error: unknown) => {
          warn(`refiner "${other.name}" failed: ${describeCause(error)}`, error);
          return null;
        });
      }
      if (next === null || input.tried.has(parameterKey(inSpace(next, input, warn)))) {
        next = ruleProposal(input, "rule (perturbed)");
      }
      proposal = { ...next, code: next.code ?? proposal.code };
      parameters = inSpace(proposal, input, warn);
    }

    const strategy = {
      ...context.strategy,
      parameters,
      ...(proposal.code !== undefined && { code: proposal.code }),
      ...(proposal.description !== undefined && { description: proposal.description }),
    } as S;
    return attachRefinement(strategy, {
      source: proposal.source,
      ...(fallback !== undefined && { fallback }),
      ...(proposal.model !== undefined && { model: proposal.model }),
      ...(proposal.promptVersion !== undefined && { promptVersion: proposal.promptVersion }),
      usage: paid,
    });
  };
}
