/**
 * The refine step as a plugin: a `Refiner` proposes the next strategy's
 * parameters (and optionally its code) from the trajectory, the advice and
 * the declared parameter space. The space is declared once (the loop file's
 * `parameters`) and enforced here for every refiner.
 */
import { z } from "zod";
import type { TrajectoryAnalysis } from "./analysis.js";
import type { Advice, LlmCallUsage, StrategyLike } from "./contracts.js";
import { ConfigurationError } from "./errors.js";
import type { GateResult } from "./gate.js";
import { canonicalJson } from "./json.js";
import type { ExperimentRecord } from "./record.js";

const finite = z.number().refine(Number.isFinite, "must be a finite number");

/** One tunable parameter: a whole number or a number within bounds, or one of listed values. */
export const ParameterSpecSchema = z.discriminatedUnion("type", [
  z
    .object({
      type: z.literal("int"),
      min: z.number().int(),
      max: z.number().int(),
      /** The smallest change a refiner makes (default 1). */
      step: z.number().int().positive().optional(),
    })
    .strict()
    .refine((p) => p.min <= p.max, { message: "min must be <= max" }),
  z
    .object({
      type: z.literal("float"),
      min: finite,
      max: finite,
      /** The smallest change a refiner makes (default a twentieth of the range). */
      step: finite.positive().optional(),
    })
    .strict()
    .refine((p) => p.min <= p.max, { message: "min must be <= max" }),
  z
    .object({
      type: z.literal("choice"),
      values: z.array(z.union([z.string(), finite, z.boolean()])).min(1),
    })
    .strict(),
]);
export type ParameterSpec = z.output<typeof ParameterSpecSchema>;

/** The parameters a refiner may change, by name; parameters not named are kept as they are. */
export const ParameterSpaceSchema = z.record(z.string().min(1), ParameterSpecSchema);
export type ParameterSpace = z.output<typeof ParameterSpaceSchema>;

/**
 * What is wrong with `parameters` in `space`: one line per parameter out of
 * its bounds, of the wrong type, or not among its values; empty when all fit.
 */
export function parameterProblems(
  space: ParameterSpace,
  parameters: Readonly<Record<string, unknown>>,
): string[] {
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(space)) {
    const value = parameters[name];
    if (spec.type === "choice") {
      if (!spec.values.some((v) => v === value))
        problems.push(
          `${name} = ${JSON.stringify(value)} is not one of ${JSON.stringify(spec.values)}`,
        );
      continue;
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      problems.push(
        `${name} = ${JSON.stringify(value)} is not a number (${spec.type} in [${spec.min}, ${spec.max}])`,
      );
      continue;
    }
    if (spec.type === "int" && !Number.isInteger(value))
      problems.push(`${name} = ${value} is not a whole number`);
    if (value < spec.min || value > spec.max)
      problems.push(`${name} = ${value} is outside [${spec.min}, ${spec.max}]`);
  }
  return problems;
}

/** Throws a `ConfigurationError` naming every parameter of `parameters` that does not fit `space`. */
export function checkParameters(
  space: ParameterSpace,
  parameters: Readonly<Record<string, unknown>>,
  where = "parameters",
): void {
  const problems = parameterProblems(space, parameters);
  if (problems.length > 0) {
    throw new ConfigurationError(
      `${where} do not fit the declared parameter space: ${problems.join("; ")}.`,
      {
        hint: "change the values, or widen the bounds in the loop file's `parameters`",
      },
    );
  }
}

/**
 * `parameters` brought into `space`: numbers clamped to their bounds (whole
 * numbers rounded), a value not among a choice's values replaced by the
 * current one (else the first value). Parameters outside the space are kept.
 */
export function clampToSpace(
  space: ParameterSpace,
  parameters: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...parameters };
  for (const [name, spec] of Object.entries(space)) {
    const value = out[name];
    if (spec.type === "choice") {
      if (!spec.values.some((v) => v === value)) {
        const kept = current[name];
        out[name] = spec.values.some((v) => v === kept) ? kept : spec.values[0];
      }
      continue;
    }
    const fallback = typeof current[name] === "number" ? (current[name] as number) : spec.min;
    let n = typeof value === "number" && Number.isFinite(value) ? value : fallback;
    if (spec.type === "int") n = Math.round(n);
    out[name] = Math.min(spec.max, Math.max(spec.min, n));
  }
  return out;
}

/** The identity of a parameter set: equal sets (in any key order) give the same key. */
export function parameterKey(parameters: Readonly<Record<string, unknown>>): string {
  return canonicalJson(parameters);
}

/** A strategy as the refine step sees it: parameters, and optionally its code. */
export interface RefinableStrategy extends StrategyLike {
  code?: string;
}

/** What a refiner is given. */
export interface RefinerInput {
  /** The strategy just evaluated. */
  strategy: RefinableStrategy;
  /** The parameters the refiner may change, with their types and bounds. */
  space: ParameterSpace;
  /** The iteration just logged (the proposal is evaluated as the next one). */
  iteration: number;
  /** Every record so far, in iteration order. */
  records: readonly ExperimentRecord[];
  /** The just-evaluated strategy's metrics and gate result. */
  metrics: Readonly<Record<string, number>>;
  gate: GateResult;
  /** The advisor's advice on the trajectory, if it was asked. */
  advice: Advice | null;
  /** The trajectory analysis, if the loop has one. */
  analysis: TrajectoryAnalysis | null;
  /** Keys (`parameterKey`) of every parameter set evaluated so far. */
  tried: ReadonlySet<string>;
}

/** What a refiner proposes for the next iteration. */
export interface RefinerProposal {
  parameters: Record<string, unknown>;
  /** The whole new code, when the refiner changed it. */
  code?: string;
  /** Why, in a sentence: becomes the next strategy's description. */
  description?: string;
  /** What producing the proposal cost (LLM calls), recorded with the next iteration. */
  usage?: LlmCallUsage[];
  /** Who proposed it, e.g. "rule", "llm:openai/gpt-4.1", "command:./refine.py"; with a fallback, the one that answered. */
  source: string;
  /** The model that answered, for an LLM refiner (e.g. "openai/gpt-4.1"). */
  model?: string;
  /** The version of the prompt it was asked with, for an LLM refiner (e.g. "refine-v1"). */
  promptVersion?: string;
}

/**
 * Proposes the next strategy (specification v1). `refine` may reject; the
 * loop then stops with a `GateLoopError` at stage "refine" unless a fallback
 * refiner answers.
 */
export interface Refiner {
  readonly specificationVersion: "v1";
  /** Short name for messages, e.g. "rule", "llm:openai/gpt-4.1". */
  readonly name: string;
  refine(input: RefinerInput): Promise<RefinerProposal>;
}
