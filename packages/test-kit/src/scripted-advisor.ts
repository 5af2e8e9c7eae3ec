/**
 * An `Advisor` for tests that answers from a script instead of a rule table
 * or a model, and keeps count of what it was asked, so a test can say both
 * what the code under test did with an answer and whether it asked at all.
 */
import type { Advice, Advisor, AdvisorInput } from "@converge/core";

/**
 * One answer of a {@link scriptedAdvisor}: the advice itself, an error to
 * throw (a provider that is down, a broken rule table), or a function of the
 * input for answers that depend on what was asked.
 */
export type AdvisorStep = Advice | Error | ((input: AdvisorInput) => Advice | Promise<Advice>);

/** A scripted `Advisor` with what it was asked. */
export interface ScriptedAdvisor extends Advisor {
  /** How many times `advise` was called; tests may set it back to 0 between cases. */
  calls: number;
  /** Every input `advise` was called with, oldest first. */
  readonly inputs: AdvisorInput[];
}

/**
 * An `Advisor` that answers from `script`: one step answers every call; a list
 * answers call n with step n and repeats its last step after that.
 *
 * @param options.name The advisor's name (default "scripted").
 */
export function scriptedAdvisor(
  script: AdvisorStep | readonly AdvisorStep[],
  options: { name?: string } = {},
): ScriptedAdvisor {
  const steps: readonly AdvisorStep[] = Array.isArray(script) ? script : [script as AdvisorStep];
  if (steps.length === 0) throw new Error("scriptedAdvisor needs at least one step");
  const inputs: AdvisorInput[] = [];
  const advisor: ScriptedAdvisor = {
    specificationVersion: "v1",
    name: options.name ?? "scripted",
    calls: 0,
    inputs,
    async advise(input: AdvisorInput): Promise<Advice> {
      const step = steps[Math.min(inputs.length, steps.length - 1)] as AdvisorStep;
      advisor.calls++;
      inputs.push(input);
      if (step instanceof Error) throw step;
      return typeof step === "function" ? step(input) : step;
    },
  };
  return advisor;
}
