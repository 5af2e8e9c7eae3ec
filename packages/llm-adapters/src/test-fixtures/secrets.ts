import { inspect } from "node:util";
import { expect } from "vitest";

/** A key no real provider issued; any trace of it in output is a leak. */
export const SENTINEL_KEY = "sk-test-SENTINEL-7f3a9c2e1b";

/** Every way an error or value can end up printed: message, stack, JSON, inspect (causes included). */
export function expectNoSecret(value: unknown, secret = SENTINEL_KEY): void {
  const texts: string[] = [inspect(value, { depth: 12, showHidden: false })];
  if (value instanceof Error) {
    texts.push(value.message, value.stack ?? "", String(value));
    let cause: unknown = value.cause;
    for (let i = 0; cause && i < 6; i++) {
      texts.push(inspect(cause, { depth: 12 }));
      cause = (cause as { cause?: unknown }).cause;
    }
  }
  try {
    texts.push(JSON.stringify(value) ?? "");
  } catch {
    // circular: inspect covered it
  }
  for (const text of texts) expect(text).not.toContain(secret);
}

/** Catches the rejection of `promise` (failing if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
