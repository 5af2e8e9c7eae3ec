/**
 * Deep equality for read-back tests. `toEqual` treats a key holding
 * `undefined` like a missing key and cannot say where two 10,000-field records
 * part; this names the first path that differs.
 */

/**
 * The first place where `actual` and `expected` differ under `Object.is` (so
 * NaN equals NaN and -0 differs from 0), as a path like `$.metrics.sharpe: 1 !== 2`,
 * or undefined when they are the same. A key present with `undefined` differs
 * from a missing key; only own enumerable keys count.
 */
export function firstDifference(
  actual: unknown,
  expected: unknown,
  path = "$",
): string | undefined {
  if (Object.is(actual, expected)) return undefined;
  if (
    typeof actual !== "object" ||
    typeof expected !== "object" ||
    actual === null ||
    expected === null ||
    Array.isArray(actual) !== Array.isArray(expected)
  ) {
    return `${path}: ${show(actual)} !== ${show(expected)}`;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const keys = Object.keys(e);
  if (Object.keys(a).length !== keys.length || !Object.keys(a).every((k) => Object.hasOwn(e, k))) {
    return `${path}: keys ${JSON.stringify(Object.keys(a))} !== ${JSON.stringify(keys)}`;
  }
  for (const key of keys) {
    const d = firstDifference(a[key], e[key], `${path}.${key}`);
    if (d) return d;
  }
  return undefined;
}

function show(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  return JSON.stringify(value) ?? String(value);
}
