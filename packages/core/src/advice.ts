/**
 * LLM usage and advice: one shape each in code (`LlmCallUsage`, `Advice`,
 * camelCase), and their record form (`LlmUsage`, `RecordedAdvice`, snake_case)
 * only at the record boundary. The record schemas take each field's schema
 * from the code shape, so a constraint is stated once; the record's JSON keeps
 * its names and key order, so records on disk do not change.
 */
import { z } from "zod";
import { TrajectoryAssessmentSchema } from "./assessment.js";

/** Token usage of one language-model call. */
export const LlmCallUsageSchema = z.object({
  provider: z.string(),
  model: z.string(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** null when the model's price is unknown (never a guessed number). */
  costUsd: z.number().nonnegative().nullable(),
  /** What the call was for, e.g. "advisor" or "failure_analysis". */
  purpose: z.string().optional(),
});
/** Token usage of one language-model call. */
export type LlmCallUsage = z.output<typeof LlmCallUsageSchema>;

const usage = LlmCallUsageSchema.shape;

/** An `LlmCallUsage` as a record's `llm_usage` entry stores it (snake_case). */
export const LlmUsageSchema = z.looseObject({
  provider: usage.provider,
  model: usage.model,
  input_tokens: usage.inputTokens,
  output_tokens: usage.outputTokens,
  cost_usd: usage.costUsd,
  purpose: usage.purpose,
});
/** The record form of `LlmCallUsage`. */
export type LlmUsage = z.output<typeof LlmUsageSchema>;

/**
 * The record form of one call's usage.
 *
 * @param call the call's usage
 * @param purpose what the call was for when `call` does not say
 */
export function llmUsageToRecord(call: LlmCallUsage, purpose?: string): LlmUsage {
  const what = call.purpose ?? purpose;
  return {
    provider: call.provider,
    model: call.model,
    input_tokens: call.inputTokens,
    output_tokens: call.outputTokens,
    cost_usd: call.costUsd,
    ...(what !== undefined && { purpose: what }),
  };
}

/** The code form of a record's usage entry. */
export function llmUsageFromRecord(entry: LlmUsage): LlmCallUsage {
  return {
    provider: entry.provider,
    model: entry.model,
    inputTokens: entry.input_tokens,
    outputTokens: entry.output_tokens,
    costUsd: entry.cost_usd,
    ...(entry.purpose !== undefined && { purpose: entry.purpose }),
  };
}

/** An assessment and who made it. */
export const AdviceSchema = z.object({
  assessment: TrajectoryAssessmentSchema,
  /** Which advisor said so, e.g. "rule" or "llm:openai/gpt-4.1". */
  source: z.string(),
  /** LLM calls the advice cost, to be carried into the next record's `llm_usage`. */
  usage: z.array(LlmCallUsageSchema).optional(),
  /** The model that answered, e.g. "openai/gpt-4.1"; absent when no model was asked. */
  model: z.string().optional(),
  /** Version of the prompt template the model was asked with, e.g. "trajectory-v1". */
  promptVersion: z.string().optional(),
  /** Set when a fallback advisor answered: which advisor failed, and why. */
  fallback: z.object({ from: z.string(), reason: z.string() }).optional(),
});
/** An assessment and who made it. */
export type Advice = z.output<typeof AdviceSchema>;

const advice = AdviceSchema.shape;

/**
 * The advisor's assessment that led to an iteration: asked after iteration
 * `after_iteration` was logged, it travels with the next record (the one its
 * advice produced), as LLM usage does. The loop's last advice is in the
 * summary's `advice`. Absent optional fields are stored as null; the usage
 * goes to the record's `llm_usage` instead.
 */
export const RecordedAdviceSchema = z.looseObject({
  after_iteration: z.number().int().nonnegative(),
  source: advice.source,
  model: advice.model.unwrap().nullable().default(null),
  prompt_version: advice.promptVersion.unwrap().nullable().default(null),
  fallback: advice.fallback.unwrap().nullable().default(null),
  assessment: advice.assessment,
});
/** The record form of `Advice`. */
export type RecordedAdvice = z.output<typeof RecordedAdviceSchema>;

/**
 * The record form of advice asked after iteration `afterIteration`.
 *
 * @param given the advice
 * @param afterIteration the iteration logged before the advisor was asked
 */
export function adviceToRecord(given: Advice, afterIteration: number): RecordedAdvice {
  return {
    after_iteration: afterIteration,
    source: given.source,
    model: given.model ?? null,
    prompt_version: given.promptVersion ?? null,
    fallback: given.fallback ? { from: given.fallback.from, reason: given.fallback.reason } : null,
    assessment: given.assessment,
  };
}

/** The code form of recorded advice (without usage: that is in the record's `llm_usage`). */
export function adviceFromRecord(recorded: RecordedAdvice): Advice {
  return {
    assessment: recorded.assessment,
    source: recorded.source,
    ...(recorded.model !== null && { model: recorded.model }),
    ...(recorded.prompt_version !== null && { promptVersion: recorded.prompt_version }),
    ...(recorded.fallback !== null && {
      fallback: { from: recorded.fallback.from, reason: recorded.fallback.reason },
    }),
  };
}
