/**
 * Name-keyed records hold user names as keys: a metric called `toString`,
 * `constructor` or `__proto__` must read as that metric, never as a member
 * of `Object.prototype`.
 */

/**
 * The value of `key` in a name-keyed record when the record has it as its own
 * property: `own(meta.metrics, "toString")` is undefined, not
 * Object.prototype's function.
 */
export function own<T>(
  record: Readonly<Record<string, T>> | undefined,
  key: string,
): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An empty record without a prototype, for user names as keys (`__proto__` included). */
export function nameRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
