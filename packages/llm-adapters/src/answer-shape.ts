/**
 * The SDKs type what a provider answers but do not check it: a `baseURL` that
 * points at a web page, a proxy or another API gets a 200 whose body is HTML,
 * `{}` or `[1,2]`, and reading `choices[0].message` of it throws a bare
 * TypeError. Each adapter validates the parts it reads with the schemas here
 * (loose: extra fields are fine, only what is read is required), and a body
 * that does not fit becomes an `LlmResponseShapeError` that says which host
 * answered, what was missing, and to check `baseURL`.
 */
import { z } from "zod";
import { LlmResponseShapeError } from "./errors.js";

const tokens = z.number().nonnegative();

/** What `openai()` reads of a Chat Completions answer. */
export const ChatCompletionShape = z.looseObject({
  model: z.string().optional(),
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({
          content: z.string().nullable().optional(),
          refusal: z.string().nullable().optional(),
        }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
});

/** What `openai({ api: "responses" })` reads of a Responses answer. */
export const ResponsesShape = z.looseObject({
  model: z.string().optional(),
  status: z.string().nullable().optional(),
  incomplete_details: z
    .looseObject({ reason: z.string().nullable().optional() })
    .nullable()
    .optional(),
  output: z.array(
    z
      .looseObject({
        type: z.string(),
        content: z
          .array(
            z.looseObject({
              type: z.string(),
              text: z.string().optional(),
              refusal: z.string().optional(),
            }),
          )
          .optional(),
      })
      .refine((item) => item.type !== "message" || item.content !== undefined, {
        message: "a message item without content",
        path: ["content"],
      }),
  ),
});

/** What `anthropic()` reads of a Messages answer. */
export const AnthropicMessageShape = z.looseObject({
  model: z.string().optional(),
  stop_reason: z.string().nullable().optional(),
  content: z.array(z.looseObject({ type: z.string() })),
});

/** Token usage as OpenAI's Chat Completions reports it; anything else counts as no usage. */
export const ChatUsageShape = z.looseObject({
  prompt_tokens: tokens,
  completion_tokens: tokens,
  prompt_tokens_details: z
    .looseObject({ cached_tokens: tokens.nullable().optional() })
    .nullable()
    .optional(),
});

/** Token usage as OpenAI's Responses API reports it. */
export const ResponsesUsageShape = z.looseObject({
  input_tokens: tokens,
  output_tokens: tokens,
  input_tokens_details: z
    .looseObject({ cached_tokens: tokens.nullable().optional() })
    .nullable()
    .optional(),
});

/** Token usage as Anthropic reports it. */
export const AnthropicUsageShape = z.looseObject({
  input_tokens: tokens,
  output_tokens: tokens,
  cache_creation_input_tokens: tokens.nullable().optional(),
  cache_read_input_tokens: tokens.nullable().optional(),
});

/** `usage` when it has the provider's shape, else undefined (the cost is then unknown, not wrong). */
export function usageOf<T>(schema: z.ZodType<T>, usage: unknown): T | undefined {
  const result = schema.safeParse(usage);
  return result.success ? result.data : undefined;
}

/** `choices[0].message` as a path is written in messages. */
function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    out += typeof key === "number" ? `[${key}]` : `${out === "" ? "" : "."}${String(key)}`;
  }
  return out;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** What is wrong with `value`, in a few words: "an HTML page", "choices is empty", "no choices[0].message". */
function problemOf(value: unknown, error: z.ZodError): string {
  if (typeof value === "string") {
    return /^\s*</.test(value) ? "an HTML or XML page, not JSON" : "text, not JSON";
  }
  if (Array.isArray(value)) return "a JSON array, not an object";
  if (value === null || typeof value !== "object") return `${typeof value}, not a JSON object`;
  const issue = error.issues[0];
  if (!issue) return "an unexpected value";
  const path = pathText(issue.path);
  const found = valueAt(value, issue.path);
  if (found === undefined) return `no ${path}`;
  if (issue.code === "too_small" && Array.isArray(found)) return `${path} is empty`;
  return `${path}: ${issue.message}`;
}

/** How an endpoint's answers look, for the error. */
export interface ShapeExpectation {
  provider: string;
  model: string;
  /** The SDK's base URL: only its host is shown. */
  baseURL: string;
  /** e.g. "the OpenAI chat-completions shape". */
  shape: string;
  /** What to check, e.g. "check that baseURL points at an OpenAI-compatible endpoint (usually ending in /v1)". */
  fix: string;
}

/** The host of a base URL, never its userinfo, path or query. */
export function hostOf(baseURL: string): string {
  try {
    return new URL(baseURL).host || "(no host)";
  } catch {
    return "(an invalid baseURL)";
  }
}

function shapeError(expect: ShapeExpectation, problem: string): LlmResponseShapeError {
  const host = hostOf(expect.baseURL);
  return new LlmResponseShapeError(
    `the provider at ${host} answered 200 but not in ${expect.shape} (${problem}): ${expect.fix}`,
    { provider: expect.provider, model: expect.model, host },
  );
}

/**
 * The SDK's answer, with the SyntaxError it throws for a body labelled JSON
 * that is not (a login page served as application/json) turned into an
 * `LlmResponseShapeError`. The SyntaxError's text quotes the body, so it is
 * not passed on.
 */
export async function parsedAnswer<T>(answer: Promise<T>, expect: ShapeExpectation): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof SyntaxError)
      throw shapeError(expect, "a body labelled JSON that is not JSON");
    throw error;
  }
}

/**
 * `value` parsed with `schema`, or an `LlmResponseShapeError` such as "the
 * provider at 127.0.0.1:8080 answered 200 but not in the OpenAI
 * chat-completions shape (no choices[0].message): check that baseURL points
 * at an OpenAI-compatible endpoint".
 */
export function checkShape<T>(schema: z.ZodType<T>, value: unknown, expect: ShapeExpectation): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw shapeError(expect, problemOf(value, result.error));
}
