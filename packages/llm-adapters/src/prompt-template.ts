/**
 * A versioned prompt. The LLM advisor and failure analyser take one as an
 * option, so users can replace the wording without forking the package; the
 * version is stored with every answer the template produced (the record's
 * `advice.prompt_version`, the failure analysis' `prompt_version`), so a change
 * of wording can be told apart in the data.
 *
 * ```ts
 * const myPrompt: PromptTemplate<AdvisorInput> = {
 *   version: "my-trajectory-v1",
 *   system: trajectoryPromptV2.system,
 *   render: (input) => `${trajectoryPromptV2.render(input)}\n\nPrefer PIVOT over long plateaus.`,
 * };
 * llmAdvisor({ model, fallback: ruleAdvisor(), prompt: myPrompt });
 * ```
 */
export interface PromptTemplate<I> {
  /** Names this wording, e.g. "trajectory-v2"; change it whenever the text changes. */
  readonly version: string;
  /** The system message sent with every prompt. */
  readonly system: string;
  /** The user message for one input. Pure: the same input gives the same text. */
  render(input: I): string;
}
