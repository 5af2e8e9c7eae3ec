/**
 * The rule refiner: the offline refine step, with no LLM. It moves one
 * parameter per iteration (so the effects stay separable) the way the
 * evidence says, within the declared space:
 *
 * 1. The evidence: the advice's `parameter_recommendations` ("INCREASE …",
 *    "DECREASE …"), else the trajectory analysis's parameter effects, where
 *    only an effect whose 95% interval excludes 0 counts (|impact| > 1.96 ×
 *    stderr). A choice parameter goes to the level the effects say is best.
 *    Weakest: the latest single-parameter move that raised the score, again.
 * 2. The base: the best iteration so far (a move that hurt is undone).
 * 3. One step of the parameter's `step` (int: 1, float: a twentieth of the
 *    range), then two and four when that set was tried; never a set in
 *    `tried` while an untried neighbour exists: it then perturbs each
 *    parameter by ±1, ±2, ±4 steps, and a choice to its next untried level.
 */
import { analysisPart, type ParameterImpact } from "./analysis.js";
import type { Advice } from "./contracts.js";
import type { ExperimentRecord } from "./record.js";
import {
  type ParameterSpace,
  type ParameterSpec,
  parameterKey,
  type Refiner,
  type RefinerInput,
  type RefinerProposal,
} from "./refiner.js";

type Direction = 1 | -1;

/** What the evidence says of one parameter. */
export type ParameterEvidence =
  | { kind: "direction"; direction: Direction; because: string; strength: number }
  | { kind: "level"; level: unknown; because: string; strength: number };

/** A z of 1.96: a 95% interval. */
const Z95 = 1.96;

/** INCREASE / DECREASE from the first word of each of the advice's recommendations. */
export function adviceDirections(advice: Advice | null): Record<string, Direction> {
  const out: Record<string, Direction> = {};
  for (const [name, text] of Object.entries(advice?.assessment.parameter_recommendations ?? {})) {
    const word = /^\s*(INCREASE|DECREASE)\b/i.exec(String(text))?.[1]?.toUpperCase();
    if (word) out[name] = word === "INCREASE" ? 1 : -1;
  }
  return out;
}

/** The effect of one parameter, if its interval excludes 0. */
function impactEvidence(spec: ParameterSpec, impact: ParameterImpact): ParameterEvidence | null {
  const { impact: value, stderr } = impact;
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  if (typeof stderr !== "number" || !Number.isFinite(stderr)) return null;
  if (Math.abs(value) <= Z95 * stderr || value === 0) return null;
  const strength = stderr > 0 ? Math.abs(value) / stderr : Number.MAX_VALUE;
  const interval = `${value.toPrecision(3)} ± ${(Z95 * stderr).toPrecision(3)}`;
  if (spec.type === "choice") {
    const best = impact.best;
    if (best === undefined || best === impact.current || value < 0) return null;
    const level = spec.values.find((v) => String(v) === best);
    if (level === undefined) return null;
    return {
      kind: "level",
      level,
      because: `its best level by the effects (${interval})`,
      strength,
    };
  }
  const direction: Direction = value > 0 ? 1 : -1;
  const word = direction > 0 ? "INCREASE" : "DECREASE";
  return {
    kind: "direction",
    direction,
    because: `the effects say ${word} (${interval})`,
    strength,
  };
}

/** The evidence for each parameter of the space, strongest first (advice before effects). */
export function evidenceOf(input: RefinerInput): [string, ParameterEvidence][] {
  const out: [string, ParameterEvidence][] = [];
  const advised = adviceDirections(input.advice);
  const effects = analysisPart(input.analysis, "parameter_effects")?.parameters ?? {};
  for (const [name, spec] of Object.entries(input.space)) {
    const direction = advised[name];
    if (direction !== undefined && spec.type !== "choice") {
      const word = direction > 0 ? "INCREASE" : "DECREASE";
      out.push([
        name,
        { kind: "direction", direction, because: `the advice says ${word}`, strength: Infinity },
      ]);
      continue;
    }
    const impact = Object.hasOwn(effects, name) ? effects[name] : undefined;
    const seen = impact ? impactEvidence(spec, impact) : null;
    if (seen) out.push([name, seen]);
  }
  const helped = lastMoveThatHelped(input);
  if (helped && !out.some(([name]) => name === helped[0])) out.push(helped);
  return out.sort((a, b) => b[1].strength - a[1].strength);
}

/**
 * The weakest evidence: the latest move of a single numeric parameter that
 * raised the gate score (between two scored iterations) says "again".
 */
function lastMoveThatHelped(input: RefinerInput): [string, ParameterEvidence] | null {
  const scored = input.records.filter((r) => r.gate_score !== null);
  for (let i = scored.length - 1; i > 0; i--) {
    const before = scored[i - 1] as ExperimentRecord;
    const after = scored[i] as ExperimentRecord;
    if ((after.gate_score as number) <= (before.gate_score as number)) continue;
    const changed = Object.keys(input.space).filter(
      (name) =>
        parameterKey({ v: before.parameters[name] }) !==
        parameterKey({ v: after.parameters[name] }),
    );
    const name = changed[0];
    if (changed.length !== 1 || name === undefined || input.space[name]?.type === "choice")
      continue;
    const from = before.parameters[name];
    const to = after.parameters[name];
    if (typeof from !== "number" || typeof to !== "number") continue;
    const direction: Direction = to > from ? 1 : -1;
    const because = `its last move (iteration ${after.iteration}) raised the score`;
    return [name, { kind: "direction", direction, because, strength: 0 }];
  }
  return null;
}

/** The step of a numeric parameter. */
function stepOf(spec: Exclude<ParameterSpec, { type: "choice" }>): number {
  if (spec.step !== undefined) return spec.step;
  return spec.type === "int" ? 1 : (spec.max - spec.min) / 20 || 1;
}

/** `value` moved by `steps` steps, within bounds, without float noise; null when it cannot move. */
function moved(spec: ParameterSpec, value: unknown, steps: number): unknown {
  if (spec.type === "choice") return null;
  const from = typeof value === "number" && Number.isFinite(value) ? value : spec.min;
  let to = Math.min(spec.max, Math.max(spec.min, from + steps * stepOf(spec)));
  to = spec.type === "int" ? Math.round(to) : Number(to.toPrecision(12));
  return to === from ? null : to;
}

/** The record with the highest gate score (the latest of equals), if any scored. */
function bestRecord(records: readonly ExperimentRecord[]): ExperimentRecord | undefined {
  let best: ExperimentRecord | undefined;
  for (const r of records) {
    if (r.gate_score === null) continue;
    if (best === undefined || r.gate_score >= (best.gate_score as number)) best = r;
  }
  return best;
}

/** The parameters to move from: the best iteration's when the last one scored worse. */
function baseOf(input: RefinerInput): { parameters: Record<string, unknown>; note: string } {
  const current = { ...input.strategy.parameters };
  const best = bestRecord(input.records);
  if (best === undefined || best.gate_score === null || best.gate_score <= input.gate.score) {
    return { parameters: current, note: "" };
  }
  return {
    parameters: { ...current, ...best.parameters },
    note: ` from iteration ${best.iteration} (the best so far)`,
  };
}

/** One candidate: a parameter set and why. */
interface Candidate {
  parameters: Record<string, unknown>;
  why: string;
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** The candidates the evidence gives, best first: one step, then two and four. */
function evidenceCandidates(
  space: ParameterSpace,
  base: Record<string, unknown>,
  evidence: [string, ParameterEvidence][],
): Candidate[] {
  const out: Candidate[] = [];
  for (const scale of [1, 2, 4]) {
    for (const [name, seen] of evidence) {
      const spec = space[name] as ParameterSpec;
      const to =
        seen.kind === "level"
          ? scale === 1 && seen.level !== base[name]
            ? seen.level
            : null
          : moved(spec, base[name], seen.direction * scale);
      if (to === null) continue;
      out.push({
        parameters: { ...base, [name]: to },
        why: `${name} ${show(base[name])} → ${show(to)} (${seen.because})`,
      });
    }
  }
  return out;
}

/** Neighbours of `base`: each parameter ±1, ±2, ±4 steps; a choice to each other level in turn. */
function neighbours(space: ParameterSpace, base: Record<string, unknown>): Candidate[] {
  const out: Candidate[] = [];
  for (const scale of [1, 2, 4]) {
    for (const [name, spec] of Object.entries(space)) {
      const tos: unknown[] = [];
      if (spec.type === "choice") {
        if (scale === 1) {
          const at = Math.max(0, spec.values.indexOf(base[name] as never));
          for (let k = 1; k < spec.values.length; k++)
            tos.push(spec.values[(at + k) % spec.values.length]);
        }
      } else {
        for (const sign of [1, -1]) tos.push(moved(spec, base[name], sign * scale));
      }
      for (const to of tos) {
        if (to === null || to === base[name]) continue;
        out.push({
          parameters: { ...base, [name]: to },
          why: `${name} ${show(base[name])} → ${show(to)} (exploring: the evidence's move was tried or there is none)`,
        });
      }
    }
  }
  return out;
}

/** Options of {@link ruleRefiner}. */
export interface RuleRefinerOptions {
  /** The name in messages and records (default "rule"). */
  name?: string;
}

/** The proposal of the rule refiner for `input` (exposed for `refineWithin`'s perturbation). */
export function ruleProposal(input: RefinerInput, source = "rule"): RefinerProposal {
  const { parameters: base, note } = baseOf(input);
  const evidence = evidenceOf(input);
  const fromEvidence = evidenceCandidates(input.space, base, evidence);
  const candidates = [...fromEvidence, ...neighbours(input.space, base)];
  const fresh = candidates.find((c) => !input.tried.has(parameterKey(c.parameters)));
  // Every neighbour was tried: the evidence's move all the same, else the base.
  const chosen = fresh ?? fromEvidence[0] ?? { parameters: base, why: "no untried neighbour left" };
  return {
    parameters: chosen.parameters,
    description: `rule${note}: ${chosen.why}`,
    source,
  };
}

/**
 * The rule refiner (name "rule"): follows the advice's parameter
 * recommendations and the parameter effects with their uncertainty, one
 * parameter and one step at a time within the declared space, and never
 * proposes a tried set while an untried neighbour exists. Deterministic.
 */
export function ruleRefiner(options: RuleRefinerOptions = {}): Refiner {
  const name = options.name ?? "rule";
  return {
    specificationVersion: "v1",
    name,
    async refine(input) {
      return ruleProposal(input, name);
    },
  };
}
