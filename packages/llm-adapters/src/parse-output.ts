import { toValidationIssues } from "@converge/core";
import type { z } from "zod";
import { LlmOutputError, type LlmOutputProblem, redact } from "./errors.js";

/** Who answered and what it cost: carried by every error about the answer. */
export interface AnswerContext {
  provider: string;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number | null;
  /** The API key: stripped from whatever the model says, in case it echoes it. */
  secrets: readonly (string | undefined)[];
}

/** An error about an answer, with the context's usage and cost. */
export function outputError(
  context: AnswerContext,
  problem: LlmOutputProblem,
  message: string,
  output: string,
  issues?: ReturnType<typeof toValidationIssues>,
): LlmOutputError {
  return new LlmOutputError(redact(message, context.secrets), {
    provider: context.provider,
    model: context.model,
    problem,
    output: redact(output, context.secrets),
    ...(issues && { issues }),
    usage: context.usage,
    costUsd: context.costUsd,
  });
}

// Servers without strict structured output sometimes wrap the object in a Markdown fence.
const FENCED = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/;

/** JSON text → validated object, or an `LlmOutputError` that says what was wrong. */
export function parseAnswer<T>(context: AnswerContext, answer: string, schema: z.ZodType<T>): T {
  const text = redact(answer, context.secrets);
  if (text.trim() === "") {
    throw outputError(context, "empty", `${context.provider} answered with no text.`, text);
  }
  let value: unknown;
  try {
    value = JSON.parse(FENCED.exec(text)?.[1] ?? text);
  } catch (error) {
    throw outputError(
      context,
      "invalid-json",
      `${context.provider} answered with text that is not JSON (${(error as Error).message}).`,
      text,
    );
  }
  return validateAnswer(context, value, schema, text);
}

/** An already-decoded object (e.g. a tool call's input) → validated object. */
export function validateAnswer<T>(
  context: AnswerContext,
  value: unknown,
  schema: z.ZodType<T>,
  answer = JSON.stringify(value) ?? "",
): T {
  const text = redact(answer, context.secrets);
  // A key the model echoed inside a string is replaced before anything keeps the object.
  const clean = text === answer ? value : JSON.parse(text);
  const result = schema.safeParse(clean);
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error);
  const list = issues.map((i) => `${i.path || "(answer)"}: ${i.message}`).join("; ");
  throw outputError(
    context,
    "schema-mismatch",
    `${context.provider} answered with JSON that does not match the schema: ${list}`,
    text,
    issues,
  );
}
