/**
 * One structured answer from a language model, validated, with repair: when
 * the answer is unusable (not JSON, not matching the schema, cut off, empty),
 * the model is asked again with its previous answer and the exact problem.
 * Every call is counted, the failed ones too: their tokens were paid.
 */
import {
  ConfigurationError,
  ConvergeError,
  CostlyFailureError,
  describeCause,
  type LanguageModel,
  type LlmCallUsage,
  type ValidationIssue,
} from "@converge/core";
import type { z } from "zod";
import {
  LlmApiError,
  LlmOutputError,
  type LlmOutputProblem,
  LlmResponseShapeError,
} from "./errors.js";
import { fenced, oneLine, truncate } from "./prompt-format.js";

/** Characters of the previous answer quoted in a re-ask. */
export const REPAIR_QUOTE_CHARS = 1500;
/** Schema problems listed in a re-ask. */
const REPAIR_MAX_ISSUES = 20;

const REPAIRABLE: ReadonlySet<LlmOutputProblem> = new Set([
  "invalid-json",
  "schema-mismatch",
  "truncated",
  "empty",
]);

export interface GenerateValidatedOptions<T> {
  model: LanguageModel;
  schema: z.ZodType<T>;
  /** Name of the schema for providers that want one, e.g. "trajectory_assessment". */
  schemaName?: string;
  system?: string;
  prompt: string;
  /** Extra calls after the first when the answer is unusable; default 2 (so at most 3 calls). */
  maxRepairs?: number;
  /** What the calls are for, set on each usage entry, e.g. "advisor" or "failure_analysis". */
  purpose: string;
  abortSignal?: AbortSignal;
}

export interface GenerateValidatedResult<T> {
  /** The validated object. */
  object: T;
  /** One entry per call that reached the model, failed ones included, in order. */
  usage: LlmCallUsage[];
  /** Calls made (1 when the first answer was usable). */
  attempts: number;
}

/**
 * What went wrong on one attempt: an output problem, the provider ("api"), an
 * answer not in the provider's shape ("shape", see `LlmResponseShapeError`),
 * or anything else thrown.
 */
export type AttemptProblem = LlmOutputProblem | "api" | "shape" | "error";

/** Options of {@link StructuredOutputError}. */
export interface StructuredOutputErrorOptions {
  provider: string;
  model: string;
  /** What the calls were for, e.g. "advisor". */
  purpose: string;
  /** Every call that reached the model, failed ones included. */
  usage: LlmCallUsage[];
  /** The problem of each attempt, in order. */
  problems: readonly AttemptProblem[];
  /** One line saying what went wrong. */
  reason: string;
  /** The last attempt's error. */
  cause: unknown;
}

/**
 * No usable answer: the model kept answering with something unusable, refused,
 * or the provider failed. `usage` counts every call made (so a caller can
 * record what was paid); `cause` is the last attempt's error.
 */
export class StructuredOutputError extends CostlyFailureError {
  static override readonly isInstance = ConvergeError.instanceCheck<StructuredOutputError>(
    "converge.error.llm-structured-output",
  );
  readonly provider: string;
  readonly model: string;
  readonly purpose: string;
  /** Calls made. */
  readonly attempts: number;
  /** The problem of each attempt, in order. */
  readonly problems: readonly AttemptProblem[];
  /** One line saying what went wrong, e.g. "schema mismatch twice: confidence: Too big: …". */
  readonly reason: string;

  constructor(details: StructuredOutputErrorOptions) {
    const n = details.problems.length;
    super(
      `${details.provider}/${details.model} gave no usable ${details.purpose} answer after ${n} call${n === 1 ? "" : "s"}: ${details.reason}`,
      { cause: details.cause, usage: details.usage },
    );
    this.name = "StructuredOutputError";
    this.provider = details.provider;
    this.model = details.model;
    this.purpose = details.purpose;
    this.attempts = n;
    this.problems = details.problems;
    this.reason = details.reason;
  }
}

function issueText(issues: readonly ValidationIssue[], max: number): string[] {
  const lines = issues.slice(0, max).map((i) => `${i.path || "(the whole object)"}: ${i.message}`);
  if (issues.length > max) lines.push(`… ${issues.length - max} more`);
  return lines;
}

const PROBLEM_WORDS: Record<LlmOutputProblem, string> = {
  "invalid-json": "invalid JSON",
  "schema-mismatch": "schema mismatch",
  refusal: "refusal",
  truncated: "truncated answer",
  empty: "empty answer",
};

/**
 * The answer error a re-ask can fix (not JSON, not matching the schema, cut
 * off with something written, empty), else null: a refusal, a provider
 * failure or anything else thrown is not re-asked.
 */
export function repairableOutput(error: unknown): LlmOutputError | null {
  if (!LlmOutputError.isInstance(error) || !REPAIRABLE.has(error.problem)) return null;
  // Cut off before writing anything (a reasoning model spent the whole output
  // budget thinking): asking for a shorter answer cannot help.
  if (error.problem === "truncated" && error.output.trim() === "") return null;
  return error;
}

/** The re-ask: the original prompt, the previous answer quoted, and what to fix. */
export function repairPrompt(prompt: string, error: LlmOutputError, attempt: number): string {
  const lines = ["", "", "## Your previous answer could not be used"];
  switch (error.problem) {
    case "invalid-json":
      lines.push(`Answer ${attempt} was not valid JSON: ${oneLine(error.message, 300)}`);
      break;
    case "schema-mismatch":
      lines.push(
        `Answer ${attempt} was JSON but did not match the schema. Fix these fields (path: problem):`,
        ...issueText(error.issues, REPAIR_MAX_ISSUES).map((l) => `- ${l}`),
      );
      break;
    case "truncated":
      lines.push(
        `Answer ${attempt} was cut off at the output limit. Answer again more briefly: fewer and shorter findings and recommendations, and a reasoning of at most three sentences.`,
      );
      break;
    default:
      lines.push(`Answer ${attempt} was empty.`);
  }
  if (error.output.trim()) {
    const quote = truncate(error.output, REPAIR_QUOTE_CHARS);
    lines.push(
      `Your previous answer${error.output.length > REPAIR_QUOTE_CHARS ? ` (first ${REPAIR_QUOTE_CHARS} characters)` : ""}:`,
      fenced(quote, "json"),
    );
  }
  lines.push(
    "Reply with only the corrected JSON object that matches the schema: no prose, no code fence.",
  );
  return `${prompt}${lines.join("\n")}`;
}

function times(n: number): string {
  return n === 1 ? "" : n === 2 ? " twice" : ` ${n} times`;
}

/** "invalid JSON, then schema mismatch twice: confidence: Too big: …" */
function reasonOf(problems: readonly AttemptProblem[], last: unknown): string {
  const runs: { problem: AttemptProblem; count: number }[] = [];
  for (const p of problems) {
    const run = runs.at(-1);
    if (run && run.problem === p) run.count += 1;
    else runs.push({ problem: p, count: 1 });
  }
  const words = runs.map(({ problem, count }) => {
    if (problem === "api") return "provider error";
    if (problem === "shape") return "wrong answer shape";
    if (problem === "error") return "error";
    return `${PROBLEM_WORDS[problem]}${times(count)}`;
  });
  const lastRun = runs.at(-1);
  let detail = "";
  if (LlmApiError.isInstance(last)) {
    const status = last.status === null ? "no response" : String(last.status);
    words[words.length - 1] = last.retryable
      ? `provider unreachable: ${status} after ${last.attempts} attempt${last.attempts === 1 ? "" : "s"}`
      : `provider rejected the request: ${status}`;
    // The adapter's first line says what happened (timeout, connection, HTTP body); the key is already redacted.
    detail = last.message.split("\n")[0] ?? "";
  } else if (LlmResponseShapeError.isInstance(last)) {
    // Names the host, what was missing and what to check; no key or query is in it.
    detail = last.message.split("\n")[0] ?? "";
  } else if (LlmOutputError.isInstance(last)) {
    if (last.problem === "schema-mismatch") detail = issueText(last.issues, 3).join("; ");
    else if (last.problem === "refusal") detail = last.output;
  } else if (lastRun?.problem === "error") {
    detail = describeCause(last);
  }
  return oneLine(detail ? `${words.join(", then ")}: ${detail}` : words.join(", then "), 300);
}

function usageEntry(
  provider: string,
  model: string,
  usage: { inputTokens: number; outputTokens: number },
  costUsd: number | null,
  purpose: string,
): LlmCallUsage {
  return {
    provider,
    model,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    costUsd,
    purpose,
  };
}

/**
 * Asks `model` for an object matching `schema`. An answer that is not JSON,
 * does not match, was cut off or is empty is re-asked up to `maxRepairs`
 * times, each time with the original prompt, the previous answer (first
 * 1,500 characters) and the problem (for a schema mismatch, every field path
 * with its zod message; for a cut-off answer, a request to be shorter). A
 * refusal, a provider error (`LlmApiError`: the adapter already spent its
 * retries) or an abort is not re-asked. Throws `StructuredOutputError`
 * carrying the usage of every call; a `ConfigurationError` (no API key, …)
 * is thrown as it is.
 *
 * Usage: a call that answered (usable or not) counts with the tokens the
 * provider reported; a call that failed at the provider (`LlmApiError`)
 * reports no tokens and is not counted.
 */
export async function generateValidated<T>(
  options: GenerateValidatedOptions<T>,
): Promise<GenerateValidatedResult<T>> {
  const { model, schema, schemaName, system, prompt, purpose, abortSignal } = options;
  const maxRepairs = options.maxRepairs ?? 2;
  if (!Number.isInteger(maxRepairs) || maxRepairs < 0) {
    throw new ConfigurationError(`maxRepairs must be a whole number >= 0, got ${maxRepairs}.`);
  }
  const usage: LlmCallUsage[] = [];
  const problems: AttemptProblem[] = [];
  let text = prompt;
  for (;;) {
    try {
      const result = await model.generateObject({
        schema,
        prompt: text,
        ...(schemaName !== undefined && { schemaName }),
        ...(system !== undefined && { system }),
        ...(abortSignal !== undefined && { abortSignal }),
      });
      usage.push(usageEntry(result.provider, result.model, result.usage, result.costUsd, purpose));
      return { object: result.object, usage, attempts: problems.length + 1 };
    } catch (error) {
      // A misconfiguration (no API key, a schema strict output cannot take) is the
      // user's to fix: no re-ask and no fallback would hide it.
      if (ConfigurationError.isInstance(error)) throw error;
      const output = LlmOutputError.isInstance(error) ? error : null;
      if (output) {
        usage.push(
          usageEntry(output.provider, output.model, output.usage, output.costUsd, purpose),
        );
      }
      problems.push(
        output
          ? output.problem
          : LlmApiError.isInstance(error)
            ? "api"
            : LlmResponseShapeError.isInstance(error)
              ? "shape"
              : "error",
      );
      const fixable = repairableOutput(error);
      if (!fixable || problems.length > maxRepairs || abortSignal?.aborted) {
        throw new StructuredOutputError({
          provider: model.provider,
          model: model.modelId,
          purpose,
          usage,
          problems,
          reason: reasonOf(problems, error),
          cause: error,
        });
      }
      text = repairPrompt(prompt, fixable, problems.length);
    }
  }
}
