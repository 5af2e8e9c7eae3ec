/**
 * The words of a verdict, defined once. The analysis, the rule advisor, the
 * LLM advisors' instructions, the HTML and Markdown reports and the CLI use
 * these terms with these meanings; docs/vocabulary.md is this constant as a
 * page (a test keeps the two equal), and the HTML report carries it as its
 * glossary.
 */

/** One value of a term, and what it means. */
export interface VocabularyValue {
  value: string;
  meaning: string;
}

/** One term of the vocabulary. */
export interface VocabularyTerm {
  /** Anchor id: `vocabulary-<id>` in the report, `#<id>` in docs/vocabulary.md. */
  id: string;
  /** The label every renderer shows. */
  term: string;
  /** The fields of the analysis or the assessment that carry it. */
  fields: readonly string[];
  definition: string;
  /** Its values; empty for a number. */
  values: readonly VocabularyValue[];
  /** The function that computes it, and where it lives. */
  computedBy: string;
  /** Where a reader meets it. */
  appearsIn: string;
}

/** The success probability at or above which the likelihood of success is HIGH. */
export const LIKELIHOOD_HIGH = 0.7;
/** The success probability at or above which the likelihood of success is MEDIUM (below: LOW). */
export const LIKELIHOOD_MEDIUM = 0.3;

/** The likelihood of success in words. */
export type LikelihoodBand = "HIGH" | "MEDIUM" | "LOW";

/**
 * The likelihood of success: the success probability P in bands. HIGH when
 * P ≥ 0.7, MEDIUM when P ≥ 0.3, else LOW; MEDIUM when there is no P (no goal
 * to estimate it against). Nothing else moves it: the overfitting risk is
 * reported beside it, not folded in.
 */
export function likelihoodBand(p: number | null | undefined): LikelihoodBand {
  if (p === null || p === undefined || Number.isNaN(p)) return "MEDIUM";
  return p >= LIKELIHOOD_HIGH ? "HIGH" : p >= LIKELIHOOD_MEDIUM ? "MEDIUM" : "LOW";
}

/** The vocabulary, in the order a report reads: the score's course, then the advice, then metrics. */
export const VOCABULARY: readonly VocabularyTerm[] = Object.freeze([
  {
    id: "convergence",
    term: "Convergence",
    fields: [
      "convergence_status",
      "score_trend.status",
      "metric_trends.<metric>.status",
      "convergence_assessment",
    ],
    definition:
      "Where a goal-signed series is heading (the score, or an objective metric signed so that up is better), judged by a trend test over all iterations, not by the last step. Informational metrics have none.",
    values: [
      {
        value: "CONVERGING",
        meaning:
          "a real trend toward the goal (Mann–Kendall p < 0.05 and a Theil–Sen change of at least 2% of the series' scale; with 3 or 4 points, every step toward it), or at the goal for the last two iterations",
      },
      { value: "DIVERGING", meaning: "a real trend away from the goal" },
      {
        value: "OSCILLATING",
        meaning: "no real trend; the steps are large and flip direction at least half the time",
      },
      { value: "STAGNANT", meaning: "no real trend and small steps: a plateau" },
      { value: "INSUFFICIENT_DATA", meaning: "fewer than 3 finite points" },
    ],
    computedBy:
      "`classifySeries` in packages/analyzers/src/classify.ts; the rule advisor copies the score's status into `convergence_assessment`, and an LLM advisor is asked for it with these definitions",
    appearsIn:
      "report: Trajectory (Convergence, Metric trends) and the advisor's assessment (Convergence); Markdown: Key numbers (Trajectory), Metric trends, Assessment; `converge analyze` (Convergence, Metrics with a goal); `converge advise` (Convergence)",
  },
  {
    id: "gradient",
    term: "Gradient",
    fields: ["gradient_direction"],
    definition:
      "The direction of the score's trend, by the same test as convergence. The score is goal-signed, so up is toward the goal.",
    values: [
      { value: "ASCENDING", meaning: "a real trend toward the goal" },
      { value: "DESCENDING", meaning: "a real trend away from the goal" },
      {
        value: "FLAT",
        meaning: "no real trend, or fewer than 3 scored iterations to test one",
      },
    ],
    computedBy: "`gradientDirection` in packages/analyzers/src/classify.ts",
    appearsIn:
      "report: Trajectory (Gradient); `converge analyze` (Gradient); the LLM advisor's prompt (gradient direction of the score)",
  },
  {
    id: "parameter-changes",
    term: "Parameter changes",
    fields: ["gradient_effectiveness"],
    definition:
      "Whether the parameter changes made so far moved the score toward the goal. It judges the changes; the score's own course is the gradient. The field keeps its historical name.",
    values: [
      {
        value: "EFFECTIVE",
        meaning:
          "the gradient is ASCENDING (or the score is at the goal) and at least half of the moved parameters with a clear effect moved the helpful way (none with a clear effect yet: the rise is credited to the changes as a whole)",
      },
      {
        value: "INEFFECTIVE",
        meaning: "the gradient is DESCENDING, or FLAT although parameters changed",
      },
      {
        value: "MIXED",
        meaning:
          "the score rose but most parameters with a clear effect moved the wrong way, or there is nothing to judge yet (fewer than 3 scored iterations, or no parameter changed)",
      },
    ],
    computedBy:
      "`changeEffectiveness` in packages/analyzers/src/rule-advisor-judgement.ts; an LLM advisor is asked for it with these definitions",
    appearsIn:
      "report: the advisor's assessment (Parameter changes); `converge advise` (Parameter changes); the assessment JSON",
  },
  {
    id: "success-probability",
    term: "Success probability",
    fields: ["success_probability.probability"],
    definition:
      "P(the gate passes at least once within the iterations left in the budget, or within the next 20 iterations when no budget is known), from the predictive model of each criterion's metric (or of the score); 1 when the last iteration passes; none without a goal.",
    values: [],
    computedBy: "`predictPasses` in packages/analyzers/src/success-probability.ts",
    appearsIn:
      "report: Summary and Trajectory (Success probability), the advisor's assessment (Outlook); Markdown: Key numbers (Outlook); `converge analyze` (Outlook); the rule advisor's rules R3–R6",
  },
  {
    id: "likelihood",
    term: "Likelihood of success",
    fields: ["likelihood_of_success"],
    definition: "The success probability P in three bands; nothing else moves it.",
    values: [
      { value: "HIGH", meaning: "P ≥ 0.7 (passing now: P = 1)" },
      { value: "MEDIUM", meaning: "0.3 ≤ P < 0.7, or no P (no goal to estimate it against)" },
      { value: "LOW", meaning: "P < 0.3 (budget spent: P = 0)" },
    ],
    computedBy:
      "`likelihoodBand` in packages/core/src/vocabulary.ts, used by the rule advisor; an LLM advisor is asked for the same bands",
    appearsIn:
      "report: the advisor's assessment (Likelihood of success); Markdown: Assessment; `converge advise` (Likelihood)",
  },
  {
    id: "role",
    term: "Role",
    fields: ["metric_trends.<metric>.role"],
    definition:
      "Whether a metric is judged. A metric is an objective when a goal is stated for it: maximize or minimize (the meta's metrics, --maximize / --minimize), a gate criterion on it, or it is the score itself when there is no gate. Every other metric is informational.",
    values: [
      { value: "objective", meaning: "has a direction and a convergence verdict" },
      {
        value: "informational",
        meaning:
          "recorded for context: no direction, no verdict; listed on its own with first → last (or as one line when constant)",
      },
    ],
    computedBy: "`metricRole` in packages/core/src/metric-role.ts",
    appearsIn:
      "report: Metric trends (objectives) and Informational metrics; Markdown: Metric trends, Informational metrics; `converge analyze` (Metrics with a goal, Informational metrics); the rule advisor's findings (objectives only)",
  },
  {
    id: "direction",
    term: "Direction",
    fields: ["metric_trends.<metric>.goal"],
    definition:
      "Which way an objective is better. Stated beside every verdict, e.g. sharpe_ratio (higher is better): CONVERGING.",
    values: [
      { value: "maximize", meaning: "higher is better" },
      { value: "minimize", meaning: "lower is better" },
      { value: "null", meaning: "no goal: an informational metric" },
    ],
    computedBy:
      "`metricRole` in packages/core/src/metric-role.ts (a spec's goal; else the gate's one-sided criteria; else guessed from the name)",
    appearsIn:
      "report: Metric trends, the Iterations table's headers, the metric charts' titles; Markdown: Metric trends; `converge analyze` (Score, Metrics with a goal); the rule advisor's findings",
  },
] satisfies VocabularyTerm[]);

/**
 * The vocabulary as Markdown: one `##` section per term with its fields,
 * definition, values, how it is computed and where it appears. The body of
 * docs/vocabulary.md between its markers.
 */
export function vocabularyMarkdown(): string {
  return VOCABULARY.map((t) => {
    const values =
      t.values.length === 0
        ? ["- Values: a number in [0, 1]."]
        : ["- Values:", ...t.values.map((v) => `  - \`${v.value}\`: ${v.meaning}.`)];
    return [
      `## ${t.term}`,
      "",
      `<a id="${t.id}"></a>${t.definition}`,
      "",
      `- Field${t.fields.length === 1 ? "" : "s"}: ${t.fields.map((f) => `\`${f}\``).join(", ")}.`,
      ...values,
      `- Computed by: ${t.computedBy}.`,
      `- Appears in: ${t.appearsIn}.`,
    ].join("\n");
  }).join("\n\n");
}

/** Where the vocabulary lives in the repository, for links and messages. */
export const VOCABULARY_DOC = "docs/vocabulary.md";
