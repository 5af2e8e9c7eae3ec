import { type ExperimentRecord, parseRecord, type StoreNotice } from "@converge/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonlStore } from "./index.js";
import { firstDifference, tempDir, withoutNegativeZero } from "./test-fixtures/helpers.js";

const key = fc
  .string({ minLength: 1, maxLength: 10, unit: "grapheme" })
  .filter((k) => k !== "__proto__");
const metricValue = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0),
);
const text = fc.oneof(fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }));
const json = fc.jsonValue({ maxDepth: 3 });

/** Any valid record: only the required fields are always present. */
const recordInput = fc.record(
  {
    timestamp: fc.option(
      fc
        .date({ min: new Date("1990-01-01Z"), max: new Date("2200-01-01Z"), noInvalidDate: true })
        .map((d) => d.toISOString()),
      { nil: null },
    ),
    research_directive: text,
    strategy_name: text,
    strategy_code: text,
    parameters: fc.dictionary(key, json),
    metrics: fc.dictionary(key, metricValue),
    gate_passed: fc.boolean(),
    gate_score: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    failed_criteria: fc.array(fc.dictionary(key, json), { maxLength: 3 }),
    action_taken: text,
    parameter_changes: fc.dictionary(key, json),
    failure_classification: fc.option(text, { nil: null }),
    failure_analysis: fc.option(fc.dictionary(key, json), { nil: null }),
    compute_time: fc.double({ min: 0, max: 1e9, noNaN: true }),
    cost: fc.double({ min: 0, max: 1e6, noNaN: true }),
    llm_usage: fc.array(
      fc.record({
        provider: fc.constantFrom("openai", "anthropic"),
        model: text,
        input_tokens: fc.nat(),
        output_tokens: fc.nat(),
        cost_usd: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }),
      }),
      { maxLength: 2 },
    ),
    // Fields this version does not know are kept as they are.
    team: text,
    extra: json,
    "ключ 🔑": json,
  },
  { requiredKeys: ["metrics"] },
);

let experiments = 0;

describe("append -> read round trip (property)", () => {
  it("any valid record comes back unchanged (Object.is: NaN is NaN; JSON turns -0 into 0)", async () => {
    const dir = tempDir();
    const notices: StoreNotice[] = [];
    const store = jsonlStore({ dir, durability: "none", onNotice: (n) => notices.push(n) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordInput, { minLength: 1, maxLength: 4 }),
        fc.nat(1000),
        async (inputs, start) => {
          const id = `exp_${++experiments}`;
          const written: ExperimentRecord[] = inputs.map((input, i) =>
            parseRecord({ ...input, experiment_id: id, iteration: start + i }),
          );
          for (const record of written) await store.append(record);

          const read = await store.read(id);
          const expected = written.map(withoutNegativeZero);
          const difference = firstDifference(read, expected);
          expect(difference, difference).toBeUndefined();

          const streamed: ExperimentRecord[] = [];
          for await (const record of store.iterate(id)) streamed.push(record);
          expect(firstDifference(streamed, expected)).toBeUndefined();
        },
      ),
      { numRuns: 150 },
    );
    await store.close();
    expect(notices).toEqual([]);
  });

  it("the comparison used above does tell NaN, -0 and missing keys apart", () => {
    expect(firstDifference({ a: Number.NaN }, { a: Number.NaN })).toBeUndefined();
    expect(firstDifference({ a: 0 }, { a: -0 })).toContain("$.a");
    expect(firstDifference({ a: 1, b: undefined }, { a: 1 })).toContain("keys");
    expect(firstDifference([1, [2]], [1, [3]])).toContain("$.1.0");
  });
});
