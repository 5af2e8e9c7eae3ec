import { runInNewContext } from "node:vm";
import { describe, expect, it, vi } from "vitest";
import {
  ConfigurationError,
  ConvergeError,
  CostlyFailureError,
  type ErrorInstanceCheck,
  EvaluationError,
  GateLoopError,
  PluginError,
  StoreError,
  ValidationError,
} from "./errors.js";

const usage = [{ provider: "p", model: "m", inputTokens: 7, outputTokens: 3, costUsd: 0.25 }];

/** A subclass as a plugin package would write one, over the given copy of core's errors. */
function pluginErrorClass(base: typeof ConvergeError) {
  return class TestPluginError extends base {
    static override readonly isInstance: ErrorInstanceCheck<TestPluginError> =
      base.instanceCheck<TestPluginError>("converge.error.test-plugin");
  };
}

describe("isInstance", () => {
  it("recognises a class and its subclasses, and nothing else", () => {
    const store = new StoreError("disk full", { code: "ENOSPC" });
    expect(ConvergeError.isInstance(store)).toBe(true);
    expect(StoreError.isInstance(store)).toBe(true);
    expect(ConfigurationError.isInstance(store)).toBe(false);
    expect(StoreError.isInstance(new ConvergeError("x"))).toBe(false);
    for (const value of [null, undefined, "StoreError", 1, new Error("x"), { name: "StoreError" }])
      expect(StoreError.isInstance(value)).toBe(false);
  });

  it("knows an EvaluationError by its marker, with its log and cause", () => {
    const cause = new Error("exit 3");
    const error = new EvaluationError("evaluator failed", { log: "Traceback …", cause });
    expect(EvaluationError.isInstance(error)).toBe(true);
    expect(ConvergeError.isInstance(error)).toBe(true);
    expect(EvaluationError.isInstance(new ConfigurationError("x"))).toBe(false);
    expect(error).toMatchObject({ name: "EvaluationError", log: "Traceback …", cause });
    expect(new EvaluationError("no log").log).toBe("");
  });

  it("works unbound, as a predicate handed to another function", async () => {
    const { isInstance } = ValidationError;
    const error = new ValidationError({ subject: "gate", issues: [{ path: "", message: "bad" }] });
    expect([error, new Error("x")].filter(isInstance)).toEqual([error]);
    await expect(Promise.reject(error)).rejects.toSatisfy(ValidationError.isInstance);
  });

  it("holds across a second copy of the module, for core's classes and for subclasses", async () => {
    vi.resetModules();
    const copy = (await import("./errors.js")) as typeof import("./errors.js");
    // A real second copy: the prototype chains differ.
    expect(copy.StoreError).not.toBe(StoreError);
    const theirs = new copy.StoreError("disk full");
    expect(theirs instanceof StoreError).toBe(false);
    expect(StoreError.isInstance(theirs)).toBe(true);
    expect(ConvergeError.isInstance(theirs)).toBe(true);
    expect(copy.StoreError.isInstance(new StoreError("x"))).toBe(true);
    expect(copy.ConfigurationError.isInstance(new StoreError("x"))).toBe(false);

    const TheirPluginError = pluginErrorClass(copy.ConvergeError);
    const OurPluginError = pluginErrorClass(ConvergeError);
    const error = new TheirPluginError("boom");
    expect(OurPluginError.isInstance(error)).toBe(true);
    expect(ConvergeError.isInstance(error)).toBe(true);
    expect(OurPluginError.isInstance(new StoreError("x"))).toBe(false);

    // A subclass of a subclass, from the other copy, is recognised by both.
    const costly = new copy.CostlyFailureError("paid for nothing", { usage });
    expect(CostlyFailureError.isInstance(costly)).toBe(true);
    expect(
      CostlyFailureError.usageOf(new PluginError({ source: "advisor", cause: costly })),
    ).toEqual(usage);
  });

  it("holds across realms", () => {
    const foreign = runInNewContext(
      'const e = new Error("x"); e[Symbol.for("converge.error")] = true; e[Symbol.for("converge.error.store")] = true; e',
    );
    expect(foreign instanceof Error).toBe(false);
    expect(StoreError.isInstance(foreign)).toBe(true);
    expect(ConfigurationError.isInstance(foreign)).toBe(false);
  });
});

describe("CostlyFailureError", () => {
  it("carries the usage, found through the causes that wrap it", () => {
    const error = new CostlyFailureError("no usable answer", { usage, hint: "try again" });
    expect(error.usage).toEqual(usage);
    expect(error.message).toBe("no usable answer\nFix: try again");
    expect(CostlyFailureError.usageOf(error)).toEqual(usage);
    expect(CostlyFailureError.usageOf(new Error("x", { cause: error }))).toEqual(usage);
  });

  it("reads no usage off an error that merely has a usage property", () => {
    expect(CostlyFailureError.usageOf(Object.assign(new Error("x"), { usage }))).toEqual([]);
    expect(CostlyFailureError.usageOf(undefined)).toEqual([]);
  });

  it("leaves out entries that are not LLM call usage", () => {
    const bad = [null, { provider: "p" }, ...usage] as unknown as typeof usage;
    expect(CostlyFailureError.usageOf(new CostlyFailureError("x", { usage: bad }))).toEqual(usage);
  });
});

describe("GateLoopError", () => {
  it("names its stage and keeps the summary", () => {
    const error = new GateLoopError({
      stage: "refine",
      experimentId: "exp",
      summary: null,
      cause: new Error("refine blew up"),
    });
    expect(error.stage).toBe("refine");
    expect(error.summary).toBeNull();
    expect(error.message).toMatch(/^The gate loop of "exp" stopped: refine failed: refine blew up/);
    expect(error.hint).toContain('tracker.resume("exp")');
  });
});
