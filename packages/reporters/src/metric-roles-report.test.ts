import {
  type Advice,
  ExperimentMetaSchema,
  parseRecord,
  type ReportExperiment,
  VOCABULARY,
} from "@converge/core";
import { describe, expect, it } from "vitest";
import { renderHtmlReport } from "./html/document.js";
import { escapeHtml } from "./html/escape.js";
import { renderMarkdownReport } from "./markdown/render.js";
import { fakeChartEngine } from "./test-fixtures/fake-charts.js";
import { decode } from "./test-fixtures/html-inspect.js";

const engine = fakeChartEngine();

/** A demo-like loop: gated sharpe and win_rate (constant), drawdown given "minimize", two goal-less metrics. */
const VALUES = [
  { sharpe: 0.4, drawdown: 0.3, win_rate: 0.5, trade_count: 120, periods_per_year: 252 },
  { sharpe: 0.6, drawdown: 0.28, win_rate: 0.5, trade_count: 60, periods_per_year: 252 },
  { sharpe: 0.7, drawdown: 0.25, win_rate: 0.5, trade_count: 150, periods_per_year: 252 },
  { sharpe: 0.9, drawdown: 0.22, win_rate: 0.5, trade_count: 80, periods_per_year: 252 },
];

const objective = (goal: "maximize" | "minimize", status: string, extra = {}) => ({
  role: "objective",
  goal,
  n: 4,
  ols_slope: 0.1,
  theil_sen: { slope: 0.1, low: 0.05, high: 0.15, method: "exact" },
  mann_kendall: { s: 6, z: 2, p: 0.04, exact: true },
  improvement_rate: 0.1,
  status,
  reason: `${status.toLowerCase()} because of the fixture`,
  constant: false,
  ...extra,
});

const informational = (constant: boolean) => ({
  role: "informational",
  goal: null,
  n: 4,
  ols_slope: -5,
  theil_sen: { slope: -5, low: -60, high: 40, method: "exact" },
  mann_kendall: { s: 0, z: 0, p: 1, exact: true },
  improvement_rate: null,
  status: null,
  reason: "informational: no goal stated (not in the gate, not given maximize or minimize)",
  constant,
});

const ADVICE: Advice = {
  source: "rule",
  assessment: {
    convergence_assessment: "CONVERGING",
    gradient_effectiveness: "EFFECTIVE",
    likelihood_of_success: "MEDIUM",
    estimated_iterations_needed: 3,
    key_findings: ["sharpe (higher is better): +0.16 per iteration, CONVERGING"],
    parameter_recommendations: {},
    next_action: "CONTINUE",
    specific_recommendations: ["Keep going"],
    confidence: 0.6,
    reasoning: "Parameter changes EFFECTIVE: the gate score is at the goal.",
  },
};

function experiment(trends: Record<string, unknown> | null): ReportExperiment {
  const meta = ExperimentMetaSchema.parse({
    experiment_id: "exp_roles",
    directive: "Roles",
    gate: {
      criteria: [
        { metric: "sharpe", op: ">=", threshold: 1 },
        { metric: "win_rate", op: ">=", threshold: 0.5 },
      ],
    },
    metrics: { drawdown: { goal: "minimize" } },
  });
  const records = VALUES.map((metrics, i) =>
    parseRecord({
      experiment_id: "exp_roles",
      iteration: i + 1,
      metrics,
      parameters: { size: 0.1 * (i + 1) },
      gate_score: 0.5 + 0.1 * i,
    }),
  );
  const trajectory = {
    experiment_id: "exp_roles",
    total_iterations: 4,
    metric_history: Object.fromEntries(
      Object.keys(VALUES[0] as object).map((m) => [m, VALUES.map((v) => v[m as keyof typeof v])]),
    ),
    improvement_rates: {},
    convergence_status: "CONVERGING",
    gradient_direction: "FLAT",
    distance_to_goal: 0.1,
    estimated_iterations_to_success: 3,
    parameter_impact: {},
    score_trend: { source: "gate_score", status: "CONVERGING", reason: "at the goal", slope: 0.1 },
    ...(trends && { metric_trends: trends }),
  };
  return { meta, records, trajectory: trajectory as never, advice: ADVICE };
}

const WITH_ROLES = {
  sharpe: objective("maximize", "CONVERGING"),
  drawdown: objective("minimize", "CONVERGING"),
  win_rate: objective("maximize", "STAGNANT", { constant: true }),
  trade_count: informational(false),
  periods_per_year: informational(true),
};

/** The rows of the Metric trends table, as text. */
function trendRows(html: string): string[] {
  const table = html.match(/<table class="trends">[\s\S]*?<\/table>/)?.[0] ?? "";
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)]
    .map((m) =>
      decode(
        (m[1] as string)
          .replace(/<[^>]+>/g, " ")
          .replace(/\s+/g, " ")
          .trim(),
      ),
    )
    .slice(1);
}

describe("metric roles in the HTML report", () => {
  it("judges the objectives with their direction, one line for a constant one, and lists informational metrics apart", async () => {
    const html = await renderHtmlReport(experiment(WITH_ROLES), { chartEngine: engine });
    const rows = trendRows(html);
    expect(rows.map((r) => r.split(" ")[0])).toEqual(["sharpe", "win_rate", "drawdown"]);
    expect(rows[0]).toMatch(/^sharpe higher is better CONVERGING \+0\.1/);
    expect(rows[2]).toMatch(/^drawdown lower is better CONVERGING/);
    // A constant objective: its value and "(constant)" in place of the statistics.
    expect(rows[1]).toBe(
      "win_rate higher is better STAGNANT 0.5 (constant) stagnant because of the fixture",
    );
    // The informational metrics: their own list, no direction, no verdict.
    const list = html.match(/<h3>Informational metrics<\/h3>[\s\S]*?<\/ul>/)?.[0] ?? "";
    const items = [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) =>
      decode((m[1] as string).replace(/<[^>]+>/g, "")),
    );
    expect(items).toEqual([
      "trade_count 120 → 80 (range 60 to 150)",
      "periods_per_year 252 (constant)",
    ]);
    expect(list).not.toMatch(/better|CONVERGING|STAGNANT|OSCILLATING/);
    // The iteration table's headers: a direction for objectives, "informational" for the others.
    expect(html).toContain('<bdi>trade_count</bdi></span><span class="crit">informational</span>');
    expect(html).toContain('<bdi>drawdown</bdi></span><span class="crit">↓ lower is better</span>');
    expect(html).not.toMatch(/trade_count<\/bdi><\/span><span class="crit">↑ higher is better/);
  });

  it("labels the advisor's EFFECTIVE 'Parameter changes' and the analysis' FLAT 'Gradient', both linked to one glossary", async () => {
    const html = await renderHtmlReport(experiment(WITH_ROLES), { chartEngine: engine });
    const text = decode(html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " "));
    expect(text).toContain(
      "Gradient FLAT (no real trend, or fewer than 3 scored iterations to test one)",
    );
    expect(text).toContain("Parameter changes EFFECTIVE");
    expect(text).not.toMatch(/Gradient (EFFECTIVE|INEFFECTIVE|MIXED)/);
    expect(html).toContain('<a class="term" href="#vocabulary-gradient">Gradient</a>');
    expect(html).toContain(
      '<a class="term" href="#vocabulary-parameter-changes">Parameter changes</a>',
    );
    // The glossary is core's VOCABULARY: every term, definition and value, once per document.
    expect(html.match(/id="vocabulary"/g)).toHaveLength(1);
    for (const t of VOCABULARY) {
      expect(html).toContain(`<dt id="vocabulary-${t.id}">${escapeHtml(t.term)} `);
      expect(html).toContain(escapeHtml(t.definition));
      for (const v of t.values)
        expect(html).toContain(`<code>${v.value}</code>: ${escapeHtml(v.meaning)}`);
    }
    // Every link to a term has its target.
    for (const m of html.matchAll(/href="#(vocabulary-[a-z-]+)"/g))
      expect(html).toContain(`id="${m[1]}"`);
  });

  it("reads an analysis written before roles as it was: every trend judged, no informational list", async () => {
    const old = Object.fromEntries(
      Object.entries(WITH_ROLES).map(([name, t]) => {
        const { role: _r, constant: _c, ...rest } = t as Record<string, unknown>;
        return [
          name,
          { ...rest, goal: rest.goal ?? "maximize", status: rest.status ?? "STAGNANT" },
        ];
      }),
    );
    const html = await renderHtmlReport(experiment(old), { chartEngine: engine });
    expect(trendRows(html).map((r) => r.split(" ")[0])).toEqual([
      "sharpe",
      "win_rate",
      "drawdown",
      "trade_count",
      "periods_per_year",
    ]);
    expect(html).not.toContain("<h3>Informational metrics</h3>");
  });

  it("without an analysis, the roles come from the gate and the meta", async () => {
    const html = await renderHtmlReport(experiment(null), { chartEngine: engine });
    expect(html).toContain("<h3>Informational metrics</h3>");
    expect(html).toContain('<bdi>trade_count</bdi></span><span class="crit">informational</span>');
    expect(html).toContain('<bdi>sharpe</bdi></span><span class="crit">gate ≥ 1</span>');
    // Constant and untested: one line above the table, not a column of 252s. win_rate is
    // constant too, but gated: its column shows each iteration against the criterion.
    expect(html).not.toContain('<bdi>periods_per_year</bdi></span><span class="crit">');
    expect(html).toMatch(
      /The same in every iteration: <code>(<[^>]+>)*periods_per_year(<[^>]+>)*<\/code> 252\./,
    );
    expect(html).toContain('<bdi>win_rate</bdi></span><span class="crit">gate');
  });
});

describe("metric roles and the vocabulary in the Markdown report", () => {
  it("states each objective's direction beside its verdict, the informational metrics apart, and the glossary", async () => {
    const { markdown } = await renderMarkdownReport(experiment(WITH_ROLES), {
      chartEngine: engine,
    });
    const md = markdown.replace(/\\_/g, "_");
    expect(md).toContain(
      "| Trajectory | CONVERGING (gate score, higher is better) — at the goal |",
    );
    expect(md).toContain(
      "| Gradient | FLAT (no real trend, or fewer than 3 scored iterations to test one) |",
    );
    expect(md).toContain(
      "- sharpe (higher is better): **CONVERGING**, +0.1 per iteration toward its goal",
    );
    expect(md).toContain("- drawdown (lower is better): **CONVERGING**");
    expect(md).toContain("The same in every iteration: periods_per_year 252");
    expect(md).toContain("- win_rate (higher is better): **STAGNANT**, 0.5 (constant)");
    const at = md.indexOf("## Informational metrics");
    const info = md.slice(at, md.indexOf("\n## ", at + 1));
    expect(info).toContain(
      "- trade_count 120 → 80 (range 60 to 150)\n- periods_per_year 252 (constant)",
    );
    expect(info).not.toMatch(/better|\*\*[A-Z]+\*\*/);
    expect(md).toContain("parameter changes EFFECTIVE");
    expect(md).not.toMatch(/Gradient:? \*{0,2}(EFFECTIVE|INEFFECTIVE|MIXED)/);
    expect(md).toContain("<details><summary>Vocabulary: what the verdicts mean</summary>");
    for (const t of VOCABULARY) expect(md).toContain(`- **${t.term}**: `);
  });
});
