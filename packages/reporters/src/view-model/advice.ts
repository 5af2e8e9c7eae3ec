/**
 * What a report shows about the advice each iteration acted on, its
 * language-model calls and its failure analysis, read from the records once
 * and shared by the HTML and Markdown renderers. Records reach a report
 * through JSON and hand-written code, so each reader keeps only what is
 * well-formed and never throws. Texts are plain: each renderer escapes them.
 */
import type { Advice, ExperimentRecord } from "@converge/core";
import { formatCost, formatNumber, plural } from "./format.js";
import type { ExperimentView } from "./model.js";

/** One piece of advice as the report shows it. */
export interface AdviceFacts {
  /** The iteration after which the advisor was asked; null when the advice does not say. */
  afterIteration: number | null;
  /** The iteration that acted on it; null for the loop's last advice (the summary's). */
  actedOnBy: number | null;
  source: string;
  model: string | null;
  promptVersion: string | null;
  fallback: { from: string; reason: string } | null;
  nextAction: string;
  convergence: string;
  /** In [0, 1]; null when absent or not a number. */
  confidence: number | null;
  reasoning: string;
}

/** The language-model calls of one iteration. */
export interface LlmCostFacts {
  calls: number;
  /** The sum of every call's cost; null (unknown) when any call has no price. */
  cost: number | null;
  /** The sum over the calls that have a price. */
  pricedCost: number;
  unpriced: number;
  inputTokens: number;
  outputTokens: number;
  /** Distinct purposes in order, e.g. ["advisor", "failure_analysis"]. */
  purposes: string[];
}

/** The failure analysis of one iteration, when it says why or what to do. */
export interface FailureFacts {
  rootCause: string;
  actions: string[];
  classification: string;
  recommendation: string;
  confidence: number | null;
  model: string;
  promptVersion: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === "string" ? v : "");
const nonNegative = (v: unknown): number =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0;
const fraction = (v: unknown): number | null =>
  typeof v === "number" && Number.isFinite(v) ? v : null;
const textOrNull = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/**
 * Reads a recorded advice (a record's `advice`, the summary's `advice`) or
 * an `Advice`; null when it is not one.
 */
export function readAdvice(value: unknown, actedOnBy: number | null): AdviceFacts | null {
  if (!isObj(value) || !isObj(value.assessment)) return null;
  const a = value.assessment;
  const after = value.after_iteration;
  const fb = value.fallback;
  return {
    afterIteration: typeof after === "number" && Number.isFinite(after) ? after : null,
    actedOnBy,
    source: text(value.source),
    model: textOrNull(value.model),
    promptVersion: textOrNull(value.prompt_version ?? value.promptVersion),
    fallback: isObj(fb) ? { from: text(fb.from), reason: text(fb.reason) } : null,
    nextAction: text(a.next_action),
    convergence: text(a.convergence_assessment),
    confidence: fraction(a.confidence),
    reasoning: text(a.reasoning),
  };
}

/** The advice a record acted on, or null. */
export function recordAdvice(record: ExperimentRecord): AdviceFacts | null {
  return readAdvice((record as { advice?: unknown }).advice, record.iteration);
}

/**
 * Every advice in order: the one each record acted on, then the summary's
 * last advice (unless a record already carries the advice of that iteration).
 * Empty when no record has advice, so a report leaves its history out.
 */
export function adviceHistory(view: ExperimentView): AdviceFacts[] {
  const out: AdviceFacts[] = [];
  for (const row of view.rows) {
    const facts = recordAdvice(row.record);
    if (facts) out.push(facts);
  }
  if (out.length === 0) return out;
  const last = readAdvice(view.summary.advice, null);
  if (last && !out.some((f) => f.afterIteration === last.afterIteration)) out.push(last);
  return out;
}

/**
 * The advice the assessment section shows: the one given to the report,
 * else the loop's last advice kept in the experiment summary.
 */
export function shownAdvice(view: ExperimentView): { advice: Advice; stored: boolean } | null {
  if (view.experiment.advice) return { advice: view.experiment.advice, stored: false };
  const last = view.summary.advice;
  if (!last || !readAdvice(last, null)) return null;
  const advice: Advice = { assessment: last.assessment, source: last.source };
  if (last.model) advice.model = last.model;
  if (last.prompt_version) advice.promptVersion = last.prompt_version;
  if (last.fallback) advice.fallback = last.fallback;
  return { advice, stored: true };
}

/** The language-model calls of a record; null when it made none. */
export function llmCost(record: ExperimentRecord): LlmCostFacts | null {
  const usage: unknown = record.llm_usage;
  if (!Array.isArray(usage) || usage.length === 0) return null;
  const facts: LlmCostFacts = {
    calls: 0,
    cost: 0,
    pricedCost: 0,
    unpriced: 0,
    inputTokens: 0,
    outputTokens: 0,
    purposes: [],
  };
  for (const u of usage) {
    if (!isObj(u)) continue;
    facts.calls++;
    facts.inputTokens += nonNegative(u.input_tokens);
    facts.outputTokens += nonNegative(u.output_tokens);
    if (typeof u.cost_usd === "number" && Number.isFinite(u.cost_usd)) {
      facts.pricedCost += u.cost_usd;
    } else facts.unpriced++;
    const purpose = text(u.purpose);
    if (purpose !== "" && !facts.purposes.includes(purpose)) facts.purposes.push(purpose);
  }
  if (facts.calls === 0) return null;
  facts.cost = facts.unpriced > 0 ? null : facts.pricedCost;
  return facts;
}

/** The failure analysis of a record when it has a root cause or actions; else null. */
export function failureFacts(record: ExperimentRecord): FailureFacts | null {
  const fa: unknown = record.failure_analysis;
  if (!isObj(fa)) return null;
  const rootCause = text(fa.root_cause).trim();
  const actions = Array.isArray(fa.specific_actions)
    ? fa.specific_actions.filter((x): x is string => typeof x === "string" && x.trim() !== "")
    : [];
  if (rootCause === "" && actions.length === 0) return null;
  return {
    rootCause,
    actions,
    classification: text(fa.classification),
    recommendation: text(fa.recommendation),
    confidence: fraction(fa.confidence),
    model: text(fa.model),
    promptVersion: text(fa.prompt_version),
  };
}

/** A confidence as written by the advisor, e.g. "0.72"; "—" when unknown. */
export function formatConfidence(value: number | null): string {
  return formatNumber(value, 2);
}

/** The words of a purpose: "failure_analysis" → "failure analysis". */
export function purposeText(purpose: string): string {
  return purpose.replace(/_/g, " ");
}

/** "llm:openai/gpt-4.1, prompt trajectory-v2"; the model is named when the source does not. */
export function adviceOrigin(f: AdviceFacts): string {
  const parts = [f.source || "an unnamed advisor"];
  if (f.model && f.source !== `llm:${f.model}`) parts.push(`model ${f.model}`);
  if (f.promptVersion) parts.push(`prompt ${f.promptVersion}`);
  return parts.join(", ");
}

/** "advice after iteration 2: CONTINUE (confidence 0.72) by llm:openai/gpt-4.1, prompt trajectory-v2". */
export function adviceLine(f: AdviceFacts): string {
  return `advice after iteration ${formatNumber(f.afterIteration)}: ${f.nextAction || "no action"} (confidence ${formatConfidence(f.confidence)}) by ${adviceOrigin(f)}`;
}

/** "LLM advisor llm:openai/gpt-4.1 failed (timeout); rule advisor answered", or "" without a fallback. */
export function fallbackLine(f: Pick<AdviceFacts, "fallback" | "source">): string {
  if (!f.fallback) return "";
  const from = f.fallback.from;
  const who = from.startsWith("llm:") ? `LLM advisor ${from}` : `advisor ${from || "(unnamed)"}`;
  return `${who} failed (${f.fallback.reason || "no reason given"}); ${f.source || "another"} advisor answered`;
}

/**
 * "LLM cost $0.0042 · 2 calls (advisor, failure analysis) · 3,100 tokens in,
 * 420 out"; the cost is "unknown" when any call has no price.
 */
export function llmCostLine(c: LlmCostFacts): string {
  const purposes = c.purposes.length > 0 ? ` (${c.purposes.map(purposeText).join(", ")})` : "";
  const tokens = `${formatNumber(c.inputTokens)} tokens in, ${formatNumber(c.outputTokens)} out`;
  const cost =
    c.cost === null
      ? `unknown (${c.unpriced} of ${plural(c.calls, "call")} without a price${c.pricedCost > 0 ? `; ${formatCost(c.pricedCost)} for the rest` : ""})`
      : formatCost(c.cost);
  return `LLM cost ${cost} · ${plural(c.calls, "call")}${purposes} · ${tokens}`;
}

/** "PARAMETER_ISSUE → TUNE_PARAMETERS, confidence 0.8, by openai/gpt-4.1, prompt failure-v1". */
export function failureOrigin(f: FailureFacts): string {
  const parts: string[] = [];
  const kind = [f.classification, f.recommendation].filter((s) => s !== "").join(" → ");
  if (kind) parts.push(kind);
  if (f.confidence !== null) parts.push(`confidence ${formatConfidence(f.confidence)}`);
  if (f.model) parts.push(`by ${f.model}`);
  if (f.promptVersion) parts.push(`prompt ${f.promptVersion}`);
  return parts.join(", ");
}

/** "the rule advisor" / "a language model (openai/gpt-4.1)" for `advice.source`. */
export function adviceSourceText(source: string): string {
  if (source === "rule") return "the rule advisor";
  if (source.startsWith("llm:")) return `a language model (${source.slice(4)})`;
  return source === "" ? "an unnamed advisor" : source;
}
