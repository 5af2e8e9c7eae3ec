/**
 * The fault plans of the fault proxy: a fixed sequence, seeded random rates, or a function,
 * each compiled to a decider that picks the fault of every request.
 */
import { seededRandom } from "@converge/core";

export type FaultKind = "error500" | "rateLimit" | "dropBefore" | "dropAfter" | "delay";

export type FaultAction =
  | { kind: "pass" }
  | { kind: "error500" }
  /** 429 with `Retry-After: <retryAfterSeconds>` (default 1). */
  | { kind: "rateLimit"; retryAfterSeconds?: number }
  /** The socket is destroyed before anything is forwarded: the server never sees it. */
  | { kind: "dropBefore" }
  /** Forwarded; the server applies it; the socket is destroyed instead of answering. */
  | { kind: "dropAfter" }
  /** Forwarded; the server's response is held back `ms` before it is sent. */
  | { kind: "delay"; ms: number };

export interface RequestInfo {
  /** 0-based index of the request among all requests the proxy received. */
  index: number;
  method: string;
  /** Path and query, e.g. `/api/2.0/mlflow/runs/create`. */
  path: string;
  /** The request body as UTF-8 text. */
  body: string;
}

export interface SeededFaultPlan {
  seed: number;
  /**
   * Probabilities per request (one draw picks at most one; they must sum to <= 1).
   * `delayMs` is the delay of a `delay` fault (a number or a uniform [min, max] range,
   * default [100, 300]); when `delay` is not given but `delayMs` is, every request that
   * gets no other fault is delayed by `delayMs` (latency jitter, not counted as a fault
   * unless > 0 ms).
   */
  rates: {
    error500?: number;
    rateLimit?: number;
    dropBefore?: number;
    dropAfter?: number;
    delay?: number;
    delayMs?: number | [number, number];
  };
  retryAfterSeconds?: number;
  /** Stop injecting after this many faults. */
  maxFaults?: number;
  /** Only requests this accepts are subject to faults (the rest pass, no random draw). */
  match?: (info: RequestInfo) => boolean;
}

export interface SequenceFaultPlan {
  /** The k-th matching request gets `sequence[k]`; `null` / missing = pass. */
  sequence: Array<FaultAction | FaultKind | null>;
  match?: (info: RequestInfo) => boolean;
}

export type FaultPlan =
  | SeededFaultPlan
  | SequenceFaultPlan
  | ((info: RequestInfo) => FaultAction | FaultKind | null);

function toAction(value: FaultAction | FaultKind | null | undefined, delayMs = 200): FaultAction {
  if (value === null || value === undefined) return { kind: "pass" };
  if (typeof value === "string") {
    return value === "delay" ? { kind: "delay", ms: delayMs } : ({ kind: value } as FaultAction);
  }
  return value;
}

type Decider = (info: RequestInfo) => { action: FaultAction; jitterMs?: number };

/** The plan as a function deciding each request's fault, with its own sequence position and random stream. */
export function compile(plan: FaultPlan): Decider {
  if (typeof plan === "function") return (info) => ({ action: toAction(plan(info)) });
  if ("sequence" in plan) {
    let k = 0;
    return (info) => {
      if (plan.match && !plan.match(info)) return { action: { kind: "pass" } };
      return { action: toAction(plan.sequence[k++]) };
    };
  }
  const random = seededRandom(plan.seed);
  const { rates } = plan;
  const range: [number, number] =
    rates.delayMs === undefined
      ? [100, 300]
      : typeof rates.delayMs === "number"
        ? [rates.delayMs, rates.delayMs]
        : rates.delayMs;
  const pickDelay = () => Math.round(range[0] + random() * (range[1] - range[0]));
  const jitterAll = rates.delay === undefined && rates.delayMs !== undefined;
  const order: Array<[FaultKind, number]> = [
    ["error500", rates.error500 ?? 0],
    ["rateLimit", rates.rateLimit ?? 0],
    ["dropBefore", rates.dropBefore ?? 0],
    ["dropAfter", rates.dropAfter ?? 0],
    ["delay", rates.delay ?? 0],
  ];
  const total = order.reduce((sum, [, p]) => sum + p, 0);
  if (total > 1 + 1e-9) throw new Error(`fault rates sum to ${total} > 1`);
  let injected = 0;
  return (info) => {
    if (plan.match && !plan.match(info)) return { action: { kind: "pass" } };
    const draw = random();
    const jitter = jitterAll ? pickDelay() : undefined;
    if (plan.maxFaults !== undefined && injected >= plan.maxFaults) {
      return { action: { kind: "pass" }, jitterMs: jitter };
    }
    let acc = 0;
    for (const [kind, p] of order) {
      acc += p;
      if (draw < acc) {
        injected++;
        if (kind === "delay") return { action: { kind, ms: pickDelay() } };
        if (kind === "rateLimit") {
          return { action: { kind, retryAfterSeconds: plan.retryAfterSeconds ?? 1 } };
        }
        return { action: { kind } as FaultAction };
      }
    }
    return { action: { kind: "pass" }, jitterMs: jitter };
  };
}
