/**
 * Metric and parameter names are data: a metric may be called `constructor`,
 * `toString` or `__proto__`. Looked up with `obj[name]` on an ordinary object,
 * such a name finds Object.prototype's member instead of "no value", and
 * assigned with `obj[name] = v`, `__proto__` changes the object's prototype
 * instead of adding an entry. Every name-keyed lookup and structure in this
 * package goes through these helpers (or a Map).
 */
import { z } from "zod";

/** The value stored under `name` itself, never one inherited from Object.prototype. */
export function ownValue<T>(
  record: Readonly<Record<string, T>> | null | undefined,
  name: string,
): T | undefined {
  return record != null && Object.hasOwn(record, name) ? record[name] : undefined;
}

/** An empty object with no prototype: every key, `__proto__` included, is an ordinary entry. */
export function nameMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Like `z.record(z.string(), value)`, but the result has no prototype and
 * keeps every own key of the input, `__proto__` included (zod's record would
 * drop it or set the prototype with it).
 */
export function nameRecord<T>(value: z.ZodType<T>): z.ZodType<Record<string, T>> {
  return z
    .custom<Record<string, unknown>>(
      (v) => v !== null && typeof v === "object" && !Array.isArray(v),
      "expected an object",
    )
    .transform((input, ctx) => {
      const out = nameMap<T>();
      for (const [key, entry] of Object.entries(input)) {
        const parsed = value.safeParse(entry);
        if (!parsed.success) {
          ctx.addIssue({ code: "custom", message: `entry ${JSON.stringify(key)} is malformed` });
          return z.NEVER;
        }
        out[key] = parsed.data;
      }
      return out;
    });
}
