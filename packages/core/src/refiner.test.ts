import { describe, expect, it } from "vitest";
import { ConfigurationError } from "./errors.js";
import {
  checkParameters,
  clampToSpace,
  ParameterSpaceSchema,
  parameterKey,
  parameterProblems,
} from "./refiner.js";

const space = ParameterSpaceSchema.parse({
  lookback: { type: "int", min: 5, max: 50 },
  threshold: { type: "float", min: 0, max: 1 },
  mode: { type: "choice", values: ["fast", "slow"] },
});

describe("the parameter space", () => {
  it("names every parameter that does not fit, and nothing when all do", () => {
    expect(parameterProblems(space, { lookback: 10, threshold: 0.5, mode: "fast" })).toEqual([]);
    expect(parameterProblems(space, { lookback: 10.5, threshold: 2, mode: "medium" })).toEqual([
      "lookback = 10.5 is not a whole number",
      "threshold = 2 is outside [0, 1]",
      'mode = "medium" is not one of ["fast","slow"]',
    ]);
    expect(parameterProblems(space, { threshold: "high" })[0]).toBe(
      "lookback = undefined is not a number (int in [5, 50])",
    );
    const error = (() => {
      try {
        checkParameters(
          space,
          { lookback: 99, threshold: 0.5, mode: "slow" },
          "strategy.parameters",
        );
      } catch (e) {
        return e;
      }
    })();
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /strategy\.parameters .*lookback = 99 is outside \[5, 50\]/,
    );
  });

  it("clamps numbers, rounds whole ones and keeps a known choice", () => {
    expect(
      clampToSpace(
        space,
        { lookback: 70.4, threshold: -1, mode: "medium", other: "kept" },
        { mode: "slow" },
      ),
    ).toEqual({ lookback: 50, threshold: 0, mode: "slow", other: "kept" });
    expect(clampToSpace(space, { lookback: 7.6, threshold: Number.NaN, mode: "x" })).toEqual({
      lookback: 8,
      threshold: 0,
      mode: "fast",
    });
  });

  it("refuses a space whose bounds are reversed or whose type is unknown", () => {
    expect(ParameterSpaceSchema.safeParse({ a: { type: "int", min: 5, max: 1 } }).success).toBe(
      false,
    );
    expect(ParameterSpaceSchema.safeParse({ a: { type: "bool" } }).success).toBe(false);
    expect(
      ParameterSpaceSchema.safeParse({ a: { type: "float", min: 0, max: 1, extra: 1 } }).success,
    ).toBe(false);
  });

  it("keys a parameter set whatever its key order", () => {
    expect(parameterKey({ a: 1, b: [2, 3] })).toBe(parameterKey({ b: [2, 3], a: 1 }));
    expect(parameterKey({ a: 1 })).not.toBe(parameterKey({ a: 2 }));
  });
});
