/**
 * The refiner's answer: its schema (built from the parameter space, so
 * strict structured output names every parameter), the checks zod cannot
 * make (bounds, whole numbers, choices, repeats, the diff applying), and the
 * re-ask that quotes what was wrong.
 */
import {
  type ParameterSpace,
  parameterKey,
  parameterProblems,
  type RefinerInput,
  type RefinerProposal,
} from "@converge/core";
import { z } from "zod";
import { fenced, truncate } from "../prompt-format.js";
import { applyUnifiedDiff } from "./apply-diff.js";

/** What the model is asked for. `code_diff`: null or absent for no code change. */
export interface RefineProposalWire {
  parameters: Record<string, unknown>;
  code_diff?: string | null | undefined;
  description: string;
}

/** Characters of the previous answer quoted in a re-ask. */
const REASK_QUOTE_CHARS = 6000;

/**
 * The answer's schema for `space`: one required property per parameter
 * (numbers for int and float, a string, number or boolean for a choice; the
 * bounds are checked after, so their problems are named in a re-ask), no
 * other parameter, an optional nullable `code_diff` and a `description`.
 */
export function proposalSchema(space: ParameterSpace): z.ZodType<RefineProposalWire> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, spec] of Object.entries(space)) {
    Object.defineProperty(shape, name, {
      value:
        spec.type === "choice"
          ? z
              .union([z.string(), z.number(), z.boolean()])
              .describe(`one of ${JSON.stringify(spec.values)}`)
          : z.number().describe(`${spec.type} in [${spec.min}, ${spec.max}]`),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return z.object({
    parameters: z.strictObject(shape).describe("The next value of every parameter of the space"),
    code_diff: z
      .string()
      .nullable()
      .optional()
      .describe("null for no code change, or a unified diff against the strategy's code"),
    description: z.string().describe("One sentence: what changes and why"),
  }) as unknown as z.ZodType<RefineProposalWire>;
}

export type CheckedProposal =
  | { ok: true; proposal: Pick<RefinerProposal, "parameters" | "code" | "description"> }
  | { ok: false; problems: string[] };

/**
 * The answer as a proposal (the strategy's parameters with the answer's
 * over them, and the patched code), or every problem with it: parameters out
 * of the space or of the wrong type, a set already tried, a diff that does
 * not apply. A diff is ignored unless `allowCode` and the strategy has code.
 */
export function checkProposal(
  answer: RefineProposalWire,
  input: RefinerInput,
  allowCode: boolean,
): CheckedProposal {
  const missing = Object.keys(input.space).filter((n) => !Object.hasOwn(answer.parameters, n));
  if (missing.length > 0) {
    return {
      ok: false,
      problems: [`no value for ${missing.map((n) => JSON.stringify(n)).join(", ")}`],
    };
  }
  const parameters: Record<string, unknown> = { ...(input.strategy.parameters ?? {}) };
  for (const [name, value] of Object.entries(answer.parameters)) {
    Object.defineProperty(parameters, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const problems = parameterProblems(input.space, parameters).map(
    (p) => `parameter outside the space: ${p}`,
  );
  if (problems.length === 0 && input.tried.has(parameterKey(parameters))) {
    problems.push(
      `the parameters ${parameterKey(parameters)} were already evaluated: propose a set not in the list`,
    );
  }
  const code = input.strategy.code;
  const diff = answer.code_diff?.trim() ? answer.code_diff : undefined;
  let patched: string | undefined;
  if (allowCode && code?.trim() && diff !== undefined) {
    const applied = applyUnifiedDiff(code, diff);
    if (applied.ok) patched = applied.code;
    else problems.push(`code_diff does not apply: ${applied.reason}`);
  }
  if (problems.length > 0) return { ok: false, problems };
  const description = answer.description.trim();
  return {
    ok: true,
    proposal: {
      parameters,
      ...(patched !== undefined && patched !== code && { code: patched }),
      ...(description && { description }),
    },
  };
}

/** The re-ask: the original prompt, the previous answer quoted, and what was wrong with it. */
export function reaskPrompt(
  prompt: string,
  answer: RefineProposalWire,
  problems: readonly string[],
  attempt: number,
): string {
  const previous = JSON.stringify(answer, null, 2);
  const cut = previous.length > REASK_QUOTE_CHARS ? ` (first ${REASK_QUOTE_CHARS} characters)` : "";
  const diffProblem = problems.some((p) => p.startsWith("code_diff"));
  return [
    prompt,
    "",
    "## Your previous answer could not be used",
    `Answer ${attempt} was valid JSON, but:`,
    ...problems.map((p) => `- ${p}`),
    ...(diffProblem
      ? [
          "The diff is applied exactly, with no fuzz: copy every context and removed line from the code above character for character, and make each hunk header's line counts match its lines.",
        ]
      : []),
    `Your previous answer${cut}:`,
    fenced(truncate(previous, REASK_QUOTE_CHARS), "json"),
    "Reply with only the corrected JSON object that matches the schema: no prose, no code fence.",
  ].join("\n");
}
