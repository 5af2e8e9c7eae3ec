/**
 * The offline refine step: a small, seeded tuner that uses what the loop has
 * learned so far, the way a quant would tune by hand.
 *
 * 1. Which parameter to move (one per iteration, so effects stay separable):
 *    a lever of a failing criterion (drawdown: position size, then the stop;
 *    win rate: the RSI filter, then the window; Sharpe: the window, then the
 *    RSI filter), weighted by how far the criterion is from passing and
 *    discounted for levers whose recent moves hurt or changed nothing.
 * 2. Which way: the evidence first (the advice's parameter_recommendations
 *    INCREASE / DECREASE, or, without advice, the trajectory's jointly
 *    estimated parameter effects); then what the tuner's own last move of
 *    that parameter showed; then the lever's usual remedy (smaller positions
 *    cut drawdown, a stricter RSI filter raises the win rate); where nothing
 *    says (a window that is too short or too long): a seeded exploration step.
 * 3. How far: a per-parameter step (the window's on a log scale) that grows
 *    after a move that helped and shrinks and turns around after one that
 *    hurt (Rprop-like), with seeded jitter. A move that made the score worse
 *    is undone: the next proposal starts from the best iteration so far.
 *    Parameters already evaluated are never proposed again.
 *
 * Deterministic for a seed. It knows the levers' usual directions, not where
 * the gate passes.
 */
import { estimateParameterImpact } from "@converge/analyzers";
import {
  type Advice,
  evaluateGate,
  type GateResult,
  type GateSpecInput,
  parseGate,
  type RefineContext,
  seededRandom,
} from "@converge/core";
import {
  clampParameter,
  type MomentumParameters,
  type MomentumStrategy,
  momentumStrategy,
  PARAMETER_BOUNDS,
  PARAMETER_NAMES,
  type ParameterName,
} from "./strategy.js";

export type Direction = 1 | -1;
/** What the evidence says of a parameter. */
export type Recommendation = "INCREASE" | "DECREASE" | "KEEP";

/** A lever a failing criterion pulls, and its usual direction (null: unknown). */
interface Lever {
  parameter: ParameterName;
  usual: Direction | null;
}

/** The levers of each gate criterion, most direct first. */
export const LEVERS: Readonly<Record<string, readonly Lever[]>> = {
  max_drawdown: [
    { parameter: "position_size", usual: -1 },
    { parameter: "stop_loss", usual: -1 },
  ],
  win_rate: [
    { parameter: "rsi_threshold", usual: -1 },
    { parameter: "lookback", usual: null },
  ],
  sharpe_ratio: [
    { parameter: "lookback", usual: null },
    { parameter: "rsi_threshold", usual: -1 },
  ],
};

/**
 * First step of each parameter, before the tuner has learned anything. The
 * window steps on a log scale (0.7: about ×2), the others linearly.
 */
export const INITIAL_STEPS: Readonly<Record<ParameterName, number>> = {
  position_size: 0.1,
  rsi_threshold: 4,
  stop_loss: 0.02,
  lookback: 0.7,
};
const LOG_SCALE: ReadonlySet<ParameterName> = new Set(["lookback"]);

/** A parameter moved by a signed step on its scale, clamped to its bounds. */
function stepped(p: ParameterName, value: number, signedStep: number): number {
  return clampParameter(p, LOG_SCALE.has(p) ? value * Math.exp(signedStep) : value + signedStep);
}

/** The smallest and the largest step of a parameter on its scale. */
function stepLimits(p: ParameterName): { min: number; max: number } {
  const b = PARAMETER_BOUNDS[p];
  return LOG_SCALE.has(p)
    ? { min: 0.25, max: Math.log(b.max / b.min) / 3 }
    : { min: b.step, max: (b.max - b.min) / 3 };
}

/** Score changes smaller than this count as "no effect". */
const TOLERANCE = 0.005;

/** One parameter move and why it was made. */
export interface TunerMove {
  parameter: ParameterName;
  from: number;
  to: number;
  because: string;
}

/** What the tuner did last, for the progress line and the tests. */
export interface TunerDecision {
  /** The iteration whose parameters the moves start from (the best so far). */
  base: number;
  moves: TunerMove[];
}

export interface Tuner {
  /** The `refine` of `runGateLoop`. */
  refine(context: RefineContext<MomentumStrategy>): MomentumStrategy;
  /** The last decision, null before the first. */
  readonly last: TunerDecision | null;
}

export interface TunerOptions {
  /** Seeds exploration and step jitter. */
  seed: number;
  /** The loop's gate: the failing criteria of the best iteration pick the lever. */
  gate: GateSpecInput;
}

interface Memory {
  direction: Direction | null;
  step: number;
  /** Consecutive moves with no visible effect. */
  flat: number;
  /** Consecutive moves that made the score worse. */
  failures: number;
}

/** INCREASE / DECREASE / KEEP from the first word of each of an advice's recommendations. */
export function recommendationsOf(advice: Advice | null): Partial<Record<string, Recommendation>> {
  const out: Partial<Record<string, Recommendation>> = {};
  for (const [name, text] of Object.entries(advice?.assessment.parameter_recommendations ?? {})) {
    const word = /^\s*(INCREASE|DECREASE|KEEP)\b/i.exec(text)?.[1]?.toUpperCase();
    if (word) out[name] = word as Recommendation;
  }
  return out;
}

/** The evidence: the advice's recommendations, else the trajectory's parameter effects. */
function evidenceOf(context: RefineContext<MomentumStrategy>): Partial<Record<string, Direction>> {
  const out: Partial<Record<string, Direction>> = {};
  if (context.advice) {
    for (const [name, word] of Object.entries(recommendationsOf(context.advice))) {
      if (word === "INCREASE") out[name] = 1;
      if (word === "DECREASE") out[name] = -1;
    }
    return out;
  }
  const effects = estimateParameterImpact(context.records).parameters;
  for (const [name, effect] of Object.entries(effects)) {
    if (effect.direction === "INCREASE") out[name] = 1;
    if (effect.direction === "DECREASE") out[name] = -1;
  }
  return out;
}

const sameParameters = (a: MomentumParameters, b: Record<string, unknown>) =>
  PARAMETER_NAMES.every((p) => a[p] === b[p]);

/** Creates a tuner; its `refine` is handed to `runGateLoop`. */
export function createTuner(options: TunerOptions): Tuner {
  const gate = parseGate(options.gate);
  const random = seededRandom((options.seed ^ 0x2545f491) >>> 0);
  const memory = Object.fromEntries(
    PARAMETER_NAMES.map((p) => [
      p,
      { direction: null, step: INITIAL_STEPS[p], flat: 0, failures: 0 },
    ]),
  ) as Record<ParameterName, Memory>;
  let pending: { baseScore: number; moved: ParameterName[] } | null = null;
  let last: TunerDecision | null = null;

  /** Learns from the score of the last proposal against the score it started from. */
  const learn = (score: number) => {
    if (pending === null) return;
    const change = score - pending.baseScore;
    for (const p of pending.moved) {
      const m = memory[p];
      const limits = stepLimits(p);
      m.flat = Math.abs(change) <= TOLERANCE ? m.flat + 1 : 0;
      m.failures = change < -TOLERANCE ? m.failures + 1 : 0;
      if (change > TOLERANCE) m.step = Math.min(m.step * 1.3, limits.max);
      else if (change < -TOLERANCE) {
        m.direction = m.direction === null ? null : (-m.direction as Direction);
        m.step = Math.max(m.step * 0.6, limits.min);
      } else m.step = Math.min(m.step * 1.5, limits.max); // no visible effect: probe further
    }
  };

  /**
   * The levers worth pulling, best first: the failing criterion's distance,
   * discounted for a secondary lever, for each recent move of it that hurt,
   * and for moves that changed nothing; raised when the evidence is clear.
   */
  const rankLevers = (
    result: GateResult,
    evidence: Partial<Record<string, Direction>>,
  ): { lever: Lever; criterion: string }[] => {
    const ranked: { lever: Lever; criterion: string; priority: number }[] = [];
    for (const c of result.criteria) {
      if (c.passed) continue;
      (LEVERS[c.metric] ?? []).forEach((lever, rank) => {
        const m = memory[lever.parameter];
        const priority =
          c.distance *
          (rank === 0 ? 1 : 0.6) *
          0.5 ** m.failures *
          (m.flat >= 2 ? 0.3 : 1) *
          (evidence[lever.parameter] !== undefined ? 1.5 : 1);
        ranked.push({ lever, criterion: c.metric, priority });
      });
    }
    // Stable: equal priorities keep the order of the gate's criteria and levers.
    return ranked.sort((a, b) => b.priority - a.priority);
  };

  /** The move of one lever from `base`, or null when its bound blocks a direction it is sure of. */
  const moveOf = (
    lever: Lever,
    criterion: string,
    base: MomentumParameters,
    evidence: Partial<Record<string, Direction>>,
    last: boolean,
  ): (TunerMove & { direction: Direction }) | null => {
    const p = lever.parameter;
    const m = memory[p];
    let direction: Direction;
    let because: string;
    let sure = true;
    const seen = evidence[p];
    if (seen !== undefined) {
      direction = seen;
      because = `${criterion} fails; the evidence says ${seen > 0 ? "INCREASE" : "DECREASE"}`;
    } else if (m.direction !== null) {
      direction = m.direction;
      because = `${criterion} fails; as its last move showed`;
      sure = false;
    } else if (lever.usual !== null) {
      direction = lever.usual;
      because = `${criterion} fails; the usual remedy`;
    } else {
      direction = random() < 0.5 ? 1 : -1;
      because = `${criterion} fails; effect unclear: exploring`;
      sure = false;
    }
    const jitter = 0.8 + 0.4 * random();
    let to = stepped(p, base[p], direction * m.step * jitter);
    if (to === base[p]) {
      // At a bound: another lever, unless nothing else is left; then the other way.
      if (sure && !last) return null;
      direction = -direction as Direction;
      to = stepped(p, base[p], direction * m.step * jitter);
      because += ", turned at its bound";
    }
    return { parameter: p, from: base[p], to, because, direction };
  };

  const refine = (context: RefineContext<MomentumStrategy>): MomentumStrategy => {
    learn(context.gate.score);
    // Start from the best iteration so far (the latest of equals, so a move that changed
    // nothing is kept): a move that hurt is undone.
    let best = context.records[0];
    for (const r of context.records) {
      if ((r.gate_score ?? -1) >= (best?.gate_score ?? -1)) best = r;
    }
    const fromBest = best !== undefined && best !== context.records.at(-1);
    const base: MomentumParameters = fromBest
      ? (Object.fromEntries(
          PARAMETER_NAMES.map((p) => [p, Number(best?.parameters[p])]),
        ) as MomentumParameters)
      : { ...context.strategy.parameters };
    const result = fromBest && best ? evaluateGate(best.metrics, gate) : context.gate;
    const evidence = evidenceOf(context);

    const next = { ...base };
    const moves: TunerMove[] = [];
    const ranked = rankLevers(result, evidence);
    for (const [i, { lever, criterion }] of ranked.entries()) {
      const move = moveOf(lever, criterion, base, evidence, i === ranked.length - 1);
      if (move === null) continue;
      const { direction, ...rest } = move;
      memory[move.parameter].direction = direction;
      next[move.parameter] = move.to;
      moves.push(rest);
      break;
    }
    // Never evaluate the same parameters twice: explore a parameter nobody pulled,
    // in a seeded order, skipping steps a bound clamps to nothing or that were tried.
    if (context.records.some((r) => sameParameters(next, r.parameters))) {
      const free = PARAMETER_NAMES.filter((p) => !moves.some((x) => x.parameter === p));
      const first = Math.floor(random() * free.length);
      const sign: Direction = random() < 0.5 ? 1 : -1;
      const candidates = free.flatMap((_, k) => {
        const p = free[(first + k) % free.length] as ParameterName;
        return [1, 2, 4].flatMap((scale) =>
          [sign, -sign as Direction].map((direction) => ({
            p,
            to: stepped(p, next[p], direction * scale * memory[p].step),
          })),
        );
      });
      const fresh = candidates.find(
        ({ p, to }) =>
          to !== next[p] &&
          !context.records.some((r) => sameParameters({ ...next, [p]: to }, r.parameters)),
      );
      if (fresh) {
        moves.push({
          parameter: fresh.p,
          from: next[fresh.p],
          to: fresh.to,
          because: "already tried: exploring",
        });
        next[fresh.p] = fresh.to;
      }
    }
    pending = {
      baseScore: best?.gate_score ?? context.gate.score,
      moved: moves.map((x) => x.parameter),
    };
    last = { base: best?.iteration ?? context.iteration, moves };
    const strategy = momentumStrategy(next);
    const summary = moves.map((x) => `${x.parameter} ${x.from} → ${x.to} (${x.because})`);
    strategy.description = `${strategy.description} Tuner: ${summary.join("; ") || "no change"}.`;
    return strategy;
  };

  return {
    refine,
    get last() {
      return last;
    },
  };
}
