import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import { TrajectoryAssessmentSchema, ValidationError } from "@converge/core";
import { zodResponseFormat } from "openai/helpers/zod";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type AssessmentWire, AssessmentWireSchema, toAssessment } from "./assessment-wire.js";

const wire = (overrides: Partial<AssessmentWire> = {}): AssessmentWire => ({
  convergence_assessment: "CONVERGING",
  gradient_effectiveness: "EFFECTIVE",
  likelihood_of_success: "HIGH",
  estimated_iterations_needed: 3,
  key_findings: ["Sharpe rose 0.055 per iteration (p < 0.001)"],
  parameter_recommendations: [
    { parameter: "position_size", recommendation: "INCREASE - raised the score" },
    { parameter: "stop_loss", recommendation: "KEEP - no clear effect" },
  ],
  next_action: "CONTINUE",
  specific_recommendations: ["raise position_size from 0.22 to 0.25"],
  confidence: 0.8,
  reasoning: "A significant upward trend.",
  ...overrides,
});

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: unknown;
  anyOf?: JsonSchema[];
};

/** Every object in a JSON schema, with its path. */
function objects(schema: JsonSchema, path = "$"): [string, JsonSchema][] {
  const found: [string, JsonSchema][] = [];
  if (schema.type === "object") found.push([path, schema]);
  for (const [k, v] of Object.entries(schema.properties ?? {}))
    found.push(...objects(v, `${path}.${k}`));
  if (schema.items) found.push(...objects(schema.items, `${path}[]`));
  for (const v of schema.anyOf ?? []) found.push(...objects(v, path));
  return found;
}

describe("AssessmentWireSchema", () => {
  it("has core's fields, every property required, and no open-ended records (OpenAI strict mode)", () => {
    expect(Object.keys(AssessmentWireSchema.shape).sort()).toEqual(
      Object.keys(TrajectoryAssessmentSchema.shape).sort(),
    );
    const json = z.toJSONSchema(AssessmentWireSchema) as JsonSchema;
    const found = objects(json);
    expect(found.map(([p]) => p)).toEqual(["$", "$.parameter_recommendations[]"]);
    for (const [path, o] of found) {
      expect({ path, required: [...(o.required ?? [])].sort() }).toEqual({
        path,
        required: Object.keys(o.properties ?? {}).sort(),
      });
      expect({ path, additional: o.additionalProperties }).toEqual({ path, additional: false });
    }
    expect(json.properties?.confidence).toMatchObject({ minimum: 0, maximum: 1 });
    expect(json.properties?.estimated_iterations_needed?.anyOf?.map((s) => s.type)).toEqual([
      "integer",
      "null",
    ]);
  });

  it("is accepted by the SDKs' structured-output helpers, where core's record-based schema is not", () => {
    expect(
      zodResponseFormat(AssessmentWireSchema, "trajectory_assessment").json_schema,
    ).toMatchObject({ name: "trajectory_assessment", strict: true });
    expect(zodOutputFormat(AssessmentWireSchema).type).toBe("json_schema");
    expect(() => zodResponseFormat(TrajectoryAssessmentSchema, "core")).toThrow(
      /parameter_recommendations.*additionalProperties: false/,
    );
  });

  it("validates like core's schema: the same bounds and enums", () => {
    expect(AssessmentWireSchema.safeParse(wire()).success).toBe(true);
    expect(
      AssessmentWireSchema.safeParse(wire({ estimated_iterations_needed: null })).success,
    ).toBe(true);
    const bad = AssessmentWireSchema.safeParse({ ...wire(), confidence: 1.5, next_action: "STOP" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join("."))).toEqual(["next_action", "confidence"]);
    const { reasoning: _, ...missing } = wire();
    expect(AssessmentWireSchema.safeParse(missing).success).toBe(false);
  });
});

describe("toAssessment", () => {
  it("turns the pairs into core's parameter → recommendation map", () => {
    const assessment = toAssessment(wire());
    expect(TrajectoryAssessmentSchema.parse(assessment)).toEqual(assessment);
    expect(assessment.parameter_recommendations).toEqual({
      position_size: "INCREASE - raised the score",
      stop_loss: "KEEP - no clear effect",
    });
    expect(assessment).toMatchObject({ next_action: "CONTINUE", confidence: 0.8 });
  });

  it("keeps the last recommendation when a parameter appears twice", () => {
    const assessment = toAssessment(
      wire({
        parameter_recommendations: [
          { parameter: "a", recommendation: "INCREASE" },
          { parameter: "b", recommendation: "KEEP" },
          { parameter: "a", recommendation: "DECREASE" },
        ],
      }),
    );
    expect(assessment.parameter_recommendations).toEqual({ a: "DECREASE", b: "KEEP" });
  });

  it("treats odd parameter names as plain keys (no prototype pollution)", () => {
    const assessment = toAssessment(
      wire({
        parameter_recommendations: [
          { parameter: "__proto__", recommendation: "INCREASE" },
          { parameter: "constructor", recommendation: "KEEP" },
        ],
      }),
    );
    expect(Object.getPrototypeOf(assessment.parameter_recommendations)).toBe(Object.prototype);
    expect(assessment.parameter_recommendations.constructor).toBe("KEEP");
  });

  it("validates the result with core's schema, naming the bad field", () => {
    expect(() => toAssessment({ ...wire(), confidence: 7 })).toThrowError(ValidationError);
    expect(() => toAssessment({ ...wire(), confidence: 7 })).toThrow(/assessment\.confidence/);
  });
});
