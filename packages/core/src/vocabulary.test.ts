import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { TrajectoryAssessmentSchema } from "./assessment.js";
import { MetricRoleSchema } from "./metric-role.js";
import { MetricGoalSchema } from "./metric-spec.js";
import { ConvergenceStatusSchema, GradientDirectionSchema } from "./trajectory.js";
import { likelihoodBand, VOCABULARY, VOCABULARY_DOC, vocabularyMarkdown } from "./vocabulary.js";

const DOC = fileURLToPath(new URL(`../../../${VOCABULARY_DOC}`, import.meta.url));
const START = "<!-- vocabulary:start -->";
const END = "<!-- vocabulary:end -->";

const term = (id: string) => {
  const t = VOCABULARY.find((x) => x.id === id);
  if (!t) throw new Error(`no term ${id}`);
  return t;
};
const values = (id: string) => term(id).values.map((v) => v.value);

describe("the vocabulary", () => {
  it("is docs/vocabulary.md: the page between its markers is vocabularyMarkdown() exactly", () => {
    const doc = readFileSync(DOC, "utf8");
    const start = doc.indexOf(START);
    const end = doc.indexOf(END);
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const body = doc.slice(start + START.length, end).trim();
    // On a mismatch: paste vocabularyMarkdown()'s output between the markers of docs/vocabulary.md.
    expect(body).toBe(vocabularyMarkdown());
  });

  it("names every value the schemas allow, and no other", () => {
    expect(values("convergence").sort()).toEqual([...ConvergenceStatusSchema.options].sort());
    expect(values("gradient").sort()).toEqual([...GradientDirectionSchema.options].sort());
    const shape = TrajectoryAssessmentSchema.shape;
    expect(values("parameter-changes").sort()).toEqual(
      [...shape.gradient_effectiveness.options].sort(),
    );
    expect(values("likelihood").sort()).toEqual([...shape.likelihood_of_success.options].sort());
    expect(values("role").sort()).toEqual([...MetricRoleSchema.options].sort());
    expect(values("direction")).toEqual([...MetricGoalSchema.options, "null"]);
  });

  it("gives each term one label, one anchor and the fields that carry it", () => {
    const ids = VOCABULARY.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(VOCABULARY.map((t) => t.term)).size).toBe(ids.length);
    expect(term("gradient").fields).toEqual(["gradient_direction"]);
    // The assessment's gradient_effectiveness is not "Gradient": it judges the parameter changes.
    expect(term("parameter-changes").fields).toEqual(["gradient_effectiveness"]);
    expect(term("parameter-changes").term).toBe("Parameter changes");
    for (const t of VOCABULARY) {
      expect(t.definition).not.toMatch(/`/); // rendered as plain text in the HTML glossary
      expect(t.computedBy).toMatch(/`\w+` in packages\/\w+(-\w+)*\/src\/[\w-]+\.ts/);
    }
  });

  it("bands the success probability into the likelihood of success, and nothing else", () => {
    expect(likelihoodBand(1)).toBe("HIGH");
    expect(likelihoodBand(0.7)).toBe("HIGH");
    expect(likelihoodBand(0.6999)).toBe("MEDIUM");
    expect(likelihoodBand(0.3)).toBe("MEDIUM");
    expect(likelihoodBand(0.2999)).toBe("LOW");
    expect(likelihoodBand(0)).toBe("LOW");
    expect(likelihoodBand(null)).toBe("MEDIUM");
    expect(likelihoodBand(Number.NaN)).toBe("MEDIUM");
  });
});
