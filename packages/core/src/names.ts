/**
 * Names from data (metric names, parameter names, criterion keys) are keys of
 * plain data, never of a prototype: a metric called `toString`, `constructor`
 * or `__proto__` is a metric like any other. These helpers are how core and
 * the analyzers read and build name-keyed objects.
 */
import { z } from "zod";

/**
 * The value stored under `name` in a name-keyed object, or undefined when the
 * object has no own property of that name. Never an inherited one: for a
 * record without a metric `toString` this is undefined, not
 * `Object.prototype.toString`.
 */
export function ownValue<T>(
  map: Readonly<Record<string, T>> | null | undefined,
  name: string,
): T | undefined {
  return map != null && Object.hasOwn(map, name) ? map[name] : undefined;
}

/** Whether a name-keyed object has its own entry `name` (inherited properties never count). */
export function hasName(map: Readonly<Record<string, unknown>> | null | undefined, name: string) {
  return map != null && Object.hasOwn(map, name);
}

/**
 * An empty object without a prototype, for building maps keyed by names from
 * data: `map[name] = v` then stores an own entry for every name, `__proto__`
 * included, and a lookup of a missing name is undefined.
 */
export function nameMap<T>(entries?: Iterable<readonly [string, T]>): Record<string, T> {
  const map = Object.create(null) as Record<string, T>;
  if (entries) for (const [name, value] of entries) map[name] = value;
  return map;
}

/**
 * Stores `value` under `name` as an own, enumerable property of any object.
 * On an ordinary object `obj["__proto__"] = v` would replace the prototype
 * instead; this defines the entry.
 */
export function setName<T>(target: Record<string, T>, name: string, value: T): void {
  if (name === "__proto__") {
    Object.defineProperty(target, name, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    target[name] = value;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describeInput(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  return v === null ? "null" : typeof v;
}

/** Settings of {@link nameMapSchema}. */
export interface NameMapSchemaOptions {
  /** When set, an empty name is an error with this message. */
  emptyName?: string;
  /**
   * "plain": the output is an ordinary object (records: cheaper to hold by
   * the hundred thousand). "none" (default): an object without a prototype.
   * Either way every name is an own entry, `__proto__` included.
   */
  prototype?: "plain" | "none";
}

/**
 * A zod schema for an object of names to values that keeps every name as
 * data. `z.record` drops a `__proto__` key without a word; this keeps it as
 * an own entry, and names each bad entry in its issues (path `[name, ...]`).
 */
export function nameMapSchema<V extends z.ZodType>(
  value: V,
  options: NameMapSchemaOptions = {},
): z.ZodType<Record<string, z.output<V>>, Record<string, z.input<V>>> {
  const plain = options.prototype === "plain";
  return z.unknown().transform((input, ctx) => {
    if (!isPlainObject(input)) {
      ctx.addIssue({
        code: "custom",
        message: `expected an object of names to values, got ${describeInput(input)}`,
      });
      return z.NEVER;
    }
    const out = (plain ? {} : Object.create(null)) as Record<string, z.output<V>>;
    let ok = true;
    for (const name of Object.keys(input)) {
      if (name === "" && options.emptyName !== undefined) {
        ctx.addIssue({ code: "custom", message: options.emptyName, path: [name] });
        ok = false;
        continue;
      }
      const result = value.safeParse(input[name]);
      if (result.success) {
        setName(out, name, result.data);
        continue;
      }
      ok = false;
      for (const issue of result.error.issues) {
        ctx.addIssue({ code: "custom", message: issue.message, path: [name, ...issue.path] });
      }
    }
    return ok ? out : z.NEVER;
  }) as unknown as z.ZodType<Record<string, z.output<V>>, Record<string, z.input<V>>>;
}
