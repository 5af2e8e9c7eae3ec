/**
 * One experiment's lane in the background sender: the spool's lines not yet
 * dropped with their upload state, what is in flight, why the lane stopped,
 * and the waiters told of each change.
 */
import { deserializeRecord, type ExperimentRecord } from "@converge/core";
import type { StoreContext } from "./context.js";

export interface Entry {
  line: string;
  record: ExperimentRecord;
  state: "queued" | "sending" | "done";
  /** Look for the run an earlier attempt may have made before creating one. */
  search: boolean;
}

export interface Lane {
  readonly id: string;
  /** The spool's lines not yet dropped, in order: `entries[i]` is `spool.lines(id)[i]`. */
  entries: Entry[];
  /** How many leading entries had their parent points queued. */
  pointed: number;
  inFlight: number;
  /** Entries before the spooled meta (the meta goes after them). */
  metaAfter: number | undefined;
  metaSending: boolean;
  parentSending: boolean;
  /**
   * The parent's trajectory must be rebuilt from the records: points were
   * lost (a failed send, or the spool's marker left by an earlier process).
   */
  rebuild: boolean;
  /** Whether the spool's parent-behind marker is set (points wait in memory, or a rebuild is due). */
  marked: boolean;
  /** Why the lane stopped: a refusal, or the server not answering. */
  error: unknown;
  offline: boolean;
  failures: number;
  retryTimer: NodeJS.Timeout | undefined;
  parentTimer: NodeJS.Timeout | undefined;
  counts: { uploaded: number; skipped: number };
  changed: Array<() => void>;
}

/** A lane for an experiment, from its spool: lines an earlier process left are searched for on the server first. */
export function openLane(spool: StoreContext["spool"], id: string): Lane {
  const entries = spool
    .lines(id)
    .map(
      (line): Entry => ({ line, record: deserializeRecord(line), state: "queued", search: true }),
    );
  const behind = spool.parentBehind(id);
  return {
    id,
    entries,
    pointed: 0,
    inFlight: 0,
    metaAfter: spool.readMeta(id) !== null ? entries.length : undefined,
    metaSending: false,
    parentSending: false,
    rebuild: behind,
    marked: behind,
    error: undefined,
    offline: false,
    failures: 0,
    retryTimer: undefined,
    parentTimer: undefined,
    counts: { uploaded: 0, skipped: 0 },
    changed: [],
  };
}

/** Nothing in flight and every entry sent. */
export function laneIdle(lane: Lane): boolean {
  return (
    lane.inFlight === 0 &&
    !lane.metaSending &&
    lane.metaAfter === undefined &&
    lane.entries.every((e) => e.state === "done")
  );
}

/** Resolves at the lane's next change (a send ended, the lane stopped or resumed). */
export function nextChange(lane: Lane): Promise<void> {
  return new Promise<void>((resolve) => lane.changed.push(resolve));
}

/** Tells every waiter that the lane changed. */
export function wake(lane: Lane): void {
  const waiting = lane.changed;
  lane.changed = [];
  for (const resolve of waiting) resolve();
}
