import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.js";
import { MAX_NESTING_DEPTH } from "./json.js";
import { memoryStore } from "./memory-store.js";
import { deserializeRecord, parseRecord, serializeRecord } from "./record.js";

/** A JSON line whose parameter `p` nests `levels` objects: {"a":{"a":...1}}. */
function nestedLine(levels: number, field = "parameters"): string {
  const value = `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
  return `{"experiment_id":"exp_deep","iteration":1,"metrics":{"m":1},"${field}":{"p":${value}}}`;
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("deeply nested records", () => {
  it.each([100, 1000, MAX_NESTING_DEPTH - 2])(
    "a record nested %i levels in parameters reads, validates for writing and round-trips",
    async (levels) => {
      const read = deserializeRecord(nestedLine(levels));
      // Written as the stores write it: validated again, then serialised.
      expect(parseRecord(read)).toEqual(read);
      const store = memoryStore();
      await store.append(read);
      const [back] = await store.read("exp_deep");
      expect(serializeRecord(back as typeof read)).toBe(serializeRecord(read));
    },
  );

  it.each([MAX_NESTING_DEPTH - 1, 5000, 100_000])(
    "a record nested %i levels is refused alike on reading and on writing, naming the field and the limit",
    async (levels) => {
      const line = nestedLine(levels);
      const onRead = errorOf(() => deserializeRecord(line));
      const store = memoryStore();
      const onWrite = await store.append(JSON.parse(line)).then(
        () => new Error("expected the append to fail"),
        (error: unknown) => error,
      );
      for (const error of [onRead, onWrite]) {
        expect(ValidationError.isInstance(error)).toBe(true);
        expect((error as ValidationError).message).toContain(
          `record.parameters.p: objects and arrays nest more than ${MAX_NESTING_DEPTH} levels deep`,
        );
        expect((error as ValidationError).hint).toMatch(/flatten/);
      }
      expect((onWrite as Error).message).toBe((onRead as Error).message);
    },
  );

  it("applies the same limit to fields it does not know", () => {
    const error = errorOf(() => deserializeRecord(nestedLine(MAX_NESTING_DEPTH, "team")));
    expect((error as Error).message).toContain("record.team.p: objects and arrays nest more than");
    expect(deserializeRecord(nestedLine(200, "team")).team).toBeTypeOf("object");
  });
});
