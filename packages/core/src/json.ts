import { z } from "zod";

/** A value JSON can hold without loss: finite numbers only. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * How deeply objects and arrays may nest in a record, counted from the record
 * itself (`{"parameters": {"p": 1}}` is 2 deep). Reading and writing check
 * the same limit, so a record that can be read can be written back; the
 * checks walk the value with a loop, never a recursion that could overflow.
 * Deeper than this, `JSON.stringify` itself (which a store writes with)
 * comes near the end of the call stack.
 */
export const MAX_NESTING_DEPTH = 1024;

/** Where a value nests too deeply: the path (as keys and indices) of the first place past the limit. */
export interface NestingProblem {
  path: (string | number)[];
  limit: number;
}

interface Visit {
  v: unknown;
  depth: number;
  path: (string | number)[];
}

/**
 * Walks `value` depth-first in document order with a loop (never a recursion
 * that could overflow), calling `visit` on every node; `visit` returns a
 * problem to stop at, or null to go on.
 */
function walkJson<P>(value: unknown, visit: (node: Visit) => P | null): P | null {
  const stack: Visit[] = [{ v: value, depth: 1, path: [] }];
  while (stack.length > 0) {
    const node = stack.pop() as Visit;
    const problem = visit(node);
    if (problem !== null) return problem;
    const { v, depth, path } = node;
    if (v === null || typeof v !== "object") continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ v: v[i], depth: depth + 1, path: [...path, i] });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      stack.push({
        v: (v as Record<string, unknown>)[key],
        depth: depth + 1,
        path: [...path, key],
      });
    }
  }
  return null;
}

/**
 * The first place where `value` nests objects or arrays more than `limit`
 * deep (the value itself counting as 1 when it is one), or null. Iterative.
 */
export function findDeepNesting(value: unknown, limit = MAX_NESTING_DEPTH): NestingProblem | null {
  return walkJson(value, ({ v, depth, path }) =>
    v !== null && typeof v === "object" && depth > limit ? { path, limit } : null,
  );
}

function describe(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (v === undefined) return "undefined";
  if (typeof v === "object" && v !== null) return `an object of class ${v.constructor?.name}`;
  return typeof v;
}

/** What is wrong with `value` as JSON: the path and message of the first bad place, or null. */
function jsonProblem(value: unknown): { path: (string | number)[]; message: string } | null {
  return walkJson(value, ({ v, depth, path }) => {
    switch (typeof v) {
      case "string":
      case "boolean":
        return null;
      case "number":
        return Number.isFinite(v)
          ? null
          : { path, message: `expected a finite number, got ${describe(v)}` };
      case "object": {
        if (v === null) return null;
        if (depth > MAX_NESTING_DEPTH) {
          return {
            path,
            message: `nested more than ${MAX_NESTING_DEPTH} levels deep (the limit); flatten the value`,
          };
        }
        const proto = Array.isArray(v) ? Array.prototype : Object.getPrototypeOf(v);
        if (proto !== Array.prototype && proto !== Object.prototype && proto !== null) {
          // Not walked further: stop at the first non-JSON object.
          return { path, message: `expected a JSON value, got ${describe(v)}` };
        }
        return null;
      }
      default:
        return { path, message: `expected a JSON value, got ${describe(v)}` };
    }
  });
}

/**
 * A JSON value: strings, finite numbers, booleans, null, arrays and plain
 * objects, nested at most {@link MAX_NESTING_DEPTH} deep (counted from the
 * value). Unlike `z.json()`
 * it keeps every key (`__proto__` included) and checks with a loop, so no
 * depth overflows the stack. The value is kept as given (not copied).
 */
export const JsonValueSchema: z.ZodType<JsonValue, JsonValue> = z
  .unknown()
  .transform((value, ctx) => {
    const problem = jsonProblem(value);
    if (problem === null) return value as JsonValue;
    ctx.addIssue({ code: "custom", message: problem.message, path: problem.path });
    return z.NEVER;
  }) as unknown as z.ZodType<JsonValue, JsonValue>;

/**
 * One canonical text for a JSON value: object keys sorted, no spaces. Two
 * parameter values are "the same" exactly when their canonical texts are equal.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    // No prototype: a key "__proto__" is then an entry, not a prototype to set.
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value).sort())
      out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
