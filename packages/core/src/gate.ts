import { z } from "zod";
import { ownValue } from "./names.js";
import { parseOrThrow } from "./validate.js";

export const GateOpSchema = z.enum([">=", "<=", ">", "<", "between"]);
export type GateOp = z.infer<typeof GateOpSchema>;

const finite = z.number().refine(Number.isFinite, "must be a finite number");

/** One criterion of a quality gate. */
export const GateCriterionSchema = z
  .object({
    metric: z.string().min(1, "name the metric the criterion tests"),
    op: GateOpSchema,
    /** A number, or `[low, high]` (inclusive) for `between`. */
    threshold: z.union([finite, z.tuple([finite, finite])]),
    /** Weight in the gate score; default 1. */
    weight: z.number().positive("weight must be > 0").finite().default(1),
    /** A required criterion must pass for the gate to pass; default true. */
    required: z.boolean().default(true),
    /**
     * The shortfall that counts as "fully failing" (normalised distance 1).
     * Default: |threshold| for one-sided ops (1 if the threshold is 0), the
     * width of the band for `between`.
     */
    scale: z.number().positive("scale must be > 0").finite().optional(),
  })
  .superRefine((c, ctx) => {
    const isRange = Array.isArray(c.threshold);
    if (c.op === "between" && !isRange) {
      ctx.addIssue({
        code: "custom",
        path: ["threshold"],
        message: 'op "between" needs threshold [low, high], e.g. [0.1, 0.3]',
      });
    } else if (c.op !== "between" && isRange) {
      ctx.addIssue({
        code: "custom",
        path: ["threshold"],
        message: `op "${c.op}" needs a single number; use op "between" for a range`,
      });
    } else if (
      isRange &&
      (c.threshold as [number, number])[0] > (c.threshold as [number, number])[1]
    ) {
      ctx.addIssue({ code: "custom", path: ["threshold"], message: "between needs low <= high" });
    }
  });
export type GateCriterion = z.output<typeof GateCriterionSchema>;
export type GateCriterionInput = z.input<typeof GateCriterionSchema>;

/** A quality gate: the criteria a strategy's metrics must meet. */
export const GateSpecSchema = z.object({
  criteria: z.array(GateCriterionSchema).min(1, "a gate needs at least one criterion"),
});
export type GateSpec = z.output<typeof GateSpecSchema>;
export type GateSpecInput = z.input<typeof GateSpecSchema>;

/** The outcome of one criterion. JSON-safe: non-finite numbers become null with a `note`. */
export const CriterionResultSchema = z.looseObject({
  metric: z.string(),
  op: GateOpSchema,
  threshold: z.union([z.number(), z.tuple([z.number(), z.number()])]),
  /** The metric's value; null when missing or not finite (see `note`). */
  value: z.number().nullable(),
  passed: z.boolean(),
  /** Signed distance from the threshold in the metric's unit; >= 0 is the passing side. */
  margin: z.number().nullable(),
  /** Normalised shortfall in [0, 1]; 0 when passing. */
  distance: z.number().min(0).max(1),
  weight: z.number(),
  required: z.boolean(),
  /** Why the value is null or infinite: "missing", "NaN", "Infinity", "-Infinity". */
  note: z.string().optional(),
});
export type CriterionResult = z.infer<typeof CriterionResultSchema>;

export const GateResultSchema = z.object({
  passed: z.boolean(),
  score: z.number().min(0).max(1),
  criteria: z.array(CriterionResultSchema),
  failed_criteria: z.array(CriterionResultSchema),
});
export type GateResult = z.infer<typeof GateResultSchema>;

/** A failed criterion exactly at a strict threshold is this far from passing. */
export const BOUNDARY_DISTANCE = 1e-9;

// Scoring thousands of records against one gate should validate it once, not per record.
const parsedGates = new WeakMap<object, { text: string; spec: GateSpec }>();

/** Validates a gate given by a user, naming each bad field. */
export function parseGate(gate: unknown): GateSpec {
  if (gate === null || typeof gate !== "object") return parseOrThrow(GateSpecSchema, gate, "gate");
  const text = JSON.stringify(gate);
  const cached = parsedGates.get(gate);
  if (cached && cached.text === text) return cached.spec;
  const spec = parseOrThrow(GateSpecSchema, gate, "gate");
  parsedGates.set(gate, { text, spec });
  return spec;
}

/**
 * Scores `metrics` against `gate`.
 *
 * Per criterion: margin m (>= 0 on the passing side: v - t for >=/>, t - v for
 * <=/<, min(v - low, high - v) for between), scale s (see `scale`), distance
 * d = 0 when passing, else min(1, -m / s) (at least 1e-9, so a strict
 * criterion exactly at its threshold is not "at the goal"); a missing or NaN
 * metric fails with d = 1. Gate score = sum(w * (1 - d)) / sum(w), in [0, 1],
 * and 1 exactly when every criterion passes. The gate passes when every
 * required criterion passes.
 */
export function evaluateGate(
  metrics: Readonly<Record<string, number>>,
  gate: GateSpecInput,
): GateResult {
  const spec = parseGate(gate);
  // Own entries only: a criterion on "toString" tests a metric of that name, never Object.prototype's.
  const criteria = spec.criteria.map((c) => evaluateCriterion(ownValue(metrics, c.metric), c));
  const totalWeight = criteria.reduce((sum, c) => sum + c.weight, 0);
  const score = criteria.reduce((sum, c) => sum + c.weight * (1 - c.distance), 0) / totalWeight;
  return {
    passed: criteria.every((c) => c.passed || !c.required),
    score: Math.min(1, Math.max(0, score)),
    criteria,
    failed_criteria: criteria.filter((c) => !c.passed),
  };
}

function evaluateCriterion(value: number | undefined, c: GateCriterion): CriterionResult {
  // Plain literals with one shape (no spreads): this runs once per criterion per record.
  if (value === undefined || typeof value !== "number" || Number.isNaN(value)) {
    return {
      metric: c.metric,
      op: c.op,
      threshold: c.threshold,
      weight: c.weight,
      required: c.required,
      value: null,
      passed: false,
      margin: null,
      distance: 1,
      note: value === undefined ? "missing" : "NaN",
    };
  }
  const margin = marginOf(value, c);
  const passed = c.op === ">" || c.op === "<" ? margin > 0 : margin >= 0;
  const shortfall = Math.max(0, -margin);
  const distance = passed
    ? 0
    : Math.min(1, Math.max(BOUNDARY_DISTANCE, shortfall / criterionScale(c)));
  const result: CriterionResult = {
    metric: c.metric,
    op: c.op,
    threshold: c.threshold,
    weight: c.weight,
    required: c.required,
    value: Number.isFinite(value) ? value : null,
    passed,
    margin: Number.isFinite(margin) ? margin : null,
    distance: Number.isNaN(distance) ? 1 : distance,
  };
  if (!Number.isFinite(value)) result.note = String(value);
  return result;
}

function marginOf(v: number, c: GateCriterion): number {
  if (Array.isArray(c.threshold)) return Math.min(v - c.threshold[0], c.threshold[1] - v);
  const t = c.threshold as number;
  return c.op === ">=" || c.op === ">" ? v - t : t - v;
}

/**
 * The shortfall at which a criterion counts as fully failing: its `scale`, else
 * |threshold| for one-sided ops (1 for a threshold of 0), the band's width for `between`.
 */
export function criterionScale(c: GateCriterion): number {
  if (c.scale !== undefined) return c.scale;
  if (Array.isArray(c.threshold)) {
    const [lo, hi] = c.threshold;
    return hi - lo || Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  }
  return Math.abs(c.threshold as number) || 1;
}
