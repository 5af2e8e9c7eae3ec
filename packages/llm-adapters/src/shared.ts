/** A name the providers accept for a schema or tool: ^[A-Za-z0-9_-]{1,64}$. */
export function schemaName(name: string | undefined): string {
  const clean = (name ?? "answer").replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 64);
  return clean === "" ? "answer" : clean;
}

/** Calls `warn` once per key. */
export function warnOnce(
  seen: Set<string>,
  key: string,
  warn: (message: string) => void,
  message: string,
): void {
  if (seen.has(key)) return;
  seen.add(key);
  warn(message);
}
