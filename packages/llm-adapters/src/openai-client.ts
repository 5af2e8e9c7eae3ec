/**
 * What `openai()`'s two endpoints share: the SDK client, how its errors read,
 * the JSON schema of the answer, and how OpenAI bills tokens.
 */
import { ConfigurationError } from "@converge/core";
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";
import type { MeteredUsage, ProviderConnection } from "./adapter-skeleton.js";
import { costOf } from "./pricing.js";
import { sdkClassifier } from "./retry.js";

export const OPENAI = "openai";

/** The client options only OpenAI's SDK takes. */
export interface OpenAIAccount {
  organization?: string | undefined;
  project?: string | undefined;
}

// OpenAI's error body is { message, type, param, code }.
const classify = sdkClassifier(
  OpenAI,
  (body) => (body as { message?: unknown } | undefined)?.message,
);

/** OpenAI's SDK, for OpenAI and every server that speaks its API. */
export function openAIConnection(account: OpenAIAccount): ProviderConnection<OpenAI> {
  return {
    provider: OPENAI,
    keyVariable: "OPENAI_API_KEY",
    createClient: (options) =>
      new OpenAI({
        ...options,
        ...(account.organization !== undefined && { organization: account.organization }),
        ...(account.project !== undefined && { project: account.project }),
      }),
    classify,
    fix: "check that baseURL points at an OpenAI-compatible endpoint (usually ending in /v1)",
  };
}

/** The answer's JSON schema as both endpoints send it. */
export interface JsonSchemaFormat {
  name: string;
  schema: Record<string, unknown>;
  strict: boolean;
}

/**
 * One JSON schema per call, strict when the schema allows it (the SDK's
 * helper checks OpenAI's strict rules) unless `strict` is false; `strict:
 * true` makes a schema that does not allow it a ConfigurationError.
 */
export function jsonSchemaFor(
  strict: boolean | undefined,
  schema: z.ZodType<unknown>,
  name: string,
): JsonSchemaFormat {
  if (strict !== false) {
    try {
      const strictSchema = zodResponseFormat(schema, name).json_schema.schema ?? {};
      return { name, schema: strictSchema, strict: true };
    } catch (error) {
      if (strict === true) {
        throw new ConfigurationError(
          `openai(): the schema "${name}" cannot be used with strict structured output: ${(error as Error).message}`,
          {
            hint: "make every field required (nullable where unknown) and use arrays instead of records, or pass strict: false.",
          },
        );
      }
    }
  }
  return { name, schema: z.toJSONSchema(schema) as Record<string, unknown>, strict: false };
}

/** OpenAI's usage: input tokens include the cached ones, which cost the cached price. */
export function openAIUsage(
  inputTokens: number,
  outputTokens: number,
  cachedInputTokens: number | null | undefined,
): MeteredUsage {
  const tokens = { inputTokens, outputTokens, cachedInputTokens: cachedInputTokens ?? 0 };
  return {
    tokens: { inputTokens, outputTokens },
    costAt: (price) => costOf(tokens, price),
  };
}
