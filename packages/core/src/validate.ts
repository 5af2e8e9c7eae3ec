import type { z } from "zod";
import { ValidationError, type ValidationIssue } from "./errors.js";

/** Turns zod issues into `ValidationIssue`s with dotted paths. */
export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path
      // An empty key (an empty metric name) shows as [""] rather than vanishing.
      .map((p) => (typeof p === "number" ? `[${p}]` : p === "" ? '[""]' : String(p)))
      .join(".")
      .replace(/\.\[/g, "["),
    message: issue.message,
  }));
}

/**
 * Parses `value` with `schema`, throwing a `ValidationError` that names every
 * bad field of `subject` (e.g. `record.metrics.sharpe_ratio`) and how to fix it.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  subject: string,
  hint?: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError({
    subject,
    issues: toValidationIssues(result.error),
    ...(hint && { hint }),
  });
}
