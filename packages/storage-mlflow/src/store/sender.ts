/**
 * The background sender: every record is acknowledged once it is durable in
 * the spool, and this uploads the spool to the server in order, several
 * iterations in flight at once. While the server does not answer, it tries
 * again with a growing pause; a refusal stops the experiment's lane (its
 * records stay in the spool) until `flush`, `sync` or `close` tries again.
 */
import type { ExperimentRecord } from "@converge/core";
import { errorHeadline as firstLine, isUnreachable, MlflowError } from "../client/errors.js";
import type { StoreContext } from "./context.js";
import { type Entry, type Lane, laneIdle, nextChange, openLane, wake } from "./lane.js";
import { rebuildParentHistory } from "./parent-history.js";
import { flushParent, queueParentPoints, uploadMeta, uploadRecord } from "./upload.js";

export interface SenderSettings {
  /** Iterations uploaded at once (each is up to 2 requests in flight). */
  inFlight: number;
}

/** Parent points are sent once this many wait, or after PARENT_DELAY_MS without more. */
const PARENT_BATCH = 500;
const PARENT_DELAY_MS = 1000;
/**
 * Uploaded lines leave the spool file once at least this many are done and
 * they are at least half of what it holds (so a long backlog is rewritten a
 * logarithmic number of times, not once per batch), and whenever the lane
 * empties. Lines a crash leaves behind are found on the server and skipped.
 */
const DROP_EVERY = 32;
const RETRY_BASE_MS = 1000;
const RETRY_CAP_MS = 30_000;

export class Sender {
  private readonly lanes = new Map<string, Lane>();
  private stopped = false;

  constructor(
    private readonly ctx: StoreContext,
    private readonly settings: SenderSettings,
  ) {}

  /** The lane of an experiment; records found in the spool (an earlier process's) are searched for first. */
  lane(id: string): Lane {
    let lane = this.lanes.get(id);
    if (!lane) {
      lane = openLane(this.ctx.spool, id);
      this.lanes.set(id, lane);
    }
    return lane;
  }

  /** The last iteration waiting to be sent (or sent and not yet dropped), if any. */
  lastQueued(id: string): number | undefined {
    return this.lane(id).entries.at(-1)?.record.iteration;
  }

  /** Whether the identical record waits in the lane. */
  holds(id: string, line: string): boolean {
    return this.lane(id).entries.some((e) => e.line === line);
  }

  /** The server did not answer the store itself (before anything was sent): the lane waits, and says so once. */
  wentOffline(id: string, cause: unknown): void {
    const lane = this.lane(id);
    if (!lane.offline) this.failed(lane, cause, "records");
  }

  /** A record just appended to the spool (`search`: its iteration may be on the server already). */
  enqueue(record: ExperimentRecord, line: string, search: boolean): void {
    const lane = this.lane(record.experiment_id);
    lane.entries.push({ line, record, state: "queued", search });
    this.pump(lane);
  }

  /** A meta just written to the spool: sent after the records appended before it. */
  metaWritten(id: string): void {
    const lane = this.lane(id);
    lane.metaAfter = lane.entries.length;
    this.pump(lane);
  }

  /** Experiments with a lane (touched by this store or loaded from the spool). */
  ids(): string[] {
    return [...this.lanes.keys()];
  }

  /** What a lane sent and what waits; for an experiment without a lane, what its spool file holds (no lane is made). */
  counts(id: string): { uploaded: number; skipped: number; waiting: number } {
    const lane = this.lanes.get(id);
    if (!lane) return { uploaded: 0, skipped: 0, waiting: this.ctx.spool.lines(id).length };
    const waiting = lane.entries.filter((e) => e.state !== "done").length;
    return { ...lane.counts, waiting };
  }

  /**
   * Sends everything the lane holds now (trying again at once if it had
   * stopped), then the parent's waiting points, and rebuilds the parent's
   * trajectory when the spool marks it behind. Rejects with what stopped it.
   */
  async drain(id: string): Promise<void> {
    const lane = this.lane(id);
    const { spool } = this.ctx;
    // Attempts started before a failure may still be on their way (retrying inside the
    // client): let them end first, so that one of them failing late cannot fail this round.
    while (lane.inFlight > 0 || lane.metaSending) {
      await nextChange(lane);
    }
    if (lane.error !== undefined || lane.offline) this.resume(lane);
    this.pump(lane);
    while (!laneIdle(lane) && lane.error === undefined && !lane.offline) {
      await nextChange(lane);
    }
    if (lane.error !== undefined) throw lane.error;
    if (lane.offline) throw this.offlineError(lane);
    clearTimeout(lane.parentTimer);
    lane.parentTimer = undefined;
    try {
      await this.ctx.serial(id, () => flushParent(this.ctx, id));
    } catch (error) {
      lane.rebuild = true;
      throw error;
    }
    this.dropDone(lane);
    if (lane.rebuild) {
      await this.ctx.serial(id, () => rebuildParentHistory(this.ctx, id));
      lane.rebuild = false;
    }
    spool.setParentBehind(id, false);
    lane.marked = false;
  }

  /** Stops the timers (the store is closing); what was not sent stays in the spool. */
  stop(): void {
    this.stopped = true;
    for (const lane of this.lanes.values()) {
      clearTimeout(lane.retryTimer);
      clearTimeout(lane.parentTimer);
    }
  }

  private resume(lane: Lane): void {
    clearTimeout(lane.retryTimer);
    lane.retryTimer = undefined;
    lane.error = undefined;
    lane.offline = false;
  }

  private pump(lane: Lane): void {
    if (this.stopped || lane.error !== undefined || lane.offline) {
      wake(lane); // a drain may be waiting for the last attempt in flight to end
      return;
    }
    for (const entry of lane.entries) {
      if (lane.inFlight >= this.settings.inFlight) break;
      if (entry.state === "queued") this.send(lane, entry);
    }
    const metaDue =
      lane.metaAfter !== undefined &&
      !lane.metaSending &&
      lane.entries.slice(0, lane.metaAfter).every((e) => e.state === "done");
    if (metaDue) this.sendMeta(lane);
    wake(lane);
  }

  private send(lane: Lane, entry: Entry): void {
    entry.state = "sending";
    lane.inFlight++;
    uploadRecord(this.ctx, entry.record, entry.line, entry.search)
      .then(
        (outcome) => {
          entry.state = "done";
          lane.counts[outcome]++;
          this.succeeded(lane);
          this.advance(lane);
        },
        (error: unknown) => {
          entry.state = "queued";
          entry.search = true; // it may have reached the server before the answer was lost
          this.failed(lane, error, `iteration ${entry.record.iteration}`);
        },
      )
      .finally(() => {
        lane.inFlight--;
        this.pump(lane);
      });
  }

  private sendMeta(lane: Lane): void {
    const meta = this.ctx.spool.readMeta(lane.id);
    if (!meta) {
      lane.metaAfter = undefined;
      return;
    }
    lane.metaSending = true;
    this.ctx
      .serial(lane.id, () => uploadMeta(this.ctx, meta))
      .then(
        () => {
          this.ctx.spool.removeMeta(lane.id, meta);
          if (this.ctx.spool.readMeta(lane.id) === null) lane.metaAfter = undefined;
          this.succeeded(lane);
        },
        (error: unknown) => this.failed(lane, error, "the meta"),
      )
      .finally(() => {
        lane.metaSending = false;
        this.pump(lane);
      });
  }

  /** Queues the parent points of the leading uploaded entries, in iteration order. */
  private advance(lane: Lane): void {
    const s = this.ctx.stateOf(lane.id);
    while (lane.pointed < lane.entries.length && lane.entries[lane.pointed]?.state === "done") {
      queueParentPoints(this.ctx, (lane.entries[lane.pointed] as Entry).record);
      lane.pointed++;
    }
    const half = lane.pointed * 2 >= lane.entries.length;
    if ((lane.pointed >= DROP_EVERY && half) || lane.pointed === lane.entries.length)
      this.dropDone(lane);
    // Should this process die before the points are sent, the marker has the next one rebuild them.
    if (s.parentMetrics.length > 0 && !lane.marked) {
      this.ctx.spool.setParentBehind(lane.id, true);
      lane.marked = true;
    }
    if (s.parentMetrics.length >= PARENT_BATCH) this.sendParent(lane);
    else if (s.parentMetrics.length > 0 && lane.parentTimer === undefined) {
      lane.parentTimer = setTimeout(() => {
        lane.parentTimer = undefined;
        this.sendParent(lane);
      }, PARENT_DELAY_MS);
      lane.parentTimer.unref();
    }
  }

  /** Removes the leading uploaded entries from the spool file. */
  private dropDone(lane: Lane): void {
    if (lane.pointed === 0) return;
    this.ctx.spool.dropFirst(lane.id, lane.pointed);
    lane.entries.splice(0, lane.pointed);
    if (lane.metaAfter !== undefined) lane.metaAfter = Math.max(0, lane.metaAfter - lane.pointed);
    lane.pointed = 0;
  }

  private sendParent(lane: Lane): void {
    if (lane.parentSending || this.stopped) return;
    lane.parentSending = true;
    this.ctx
      .serial(lane.id, () => flushParent(this.ctx, lane.id))
      .then(
        () => {
          const s = this.ctx.stateOf(lane.id);
          if (s.parentMetrics.length === 0 && !lane.rebuild) {
            this.ctx.spool.setParentBehind(lane.id, false);
            lane.marked = false;
          }
        },
        (error: unknown) => {
          // The points stay queued in memory, and the marker stays for a later sync.
          lane.rebuild = true;
          if (isUnreachable(error)) this.failed(lane, error, "the parent's trajectory");
        },
      )
      .finally(() => {
        lane.parentSending = false;
      });
  }

  private succeeded(lane: Lane): void {
    if (lane.failures > 0 || lane.offline) {
      this.ctx.notify({
        kind: "synced",
        experimentId: lane.id,
        message: `MLflow at ${this.ctx.client.trackingUri} answers again: sending the spool of "${lane.id}"`,
      });
    }
    lane.failures = 0;
    this.ctx.markOnline();
  }

  private failed(lane: Lane, error: unknown, what: string): void {
    const { ctx } = this;
    if (isUnreachable(error)) {
      const first = !lane.offline && lane.failures === 0;
      lane.offline = true;
      lane.failures++;
      ctx.markOffline();
      if (first) {
        ctx.notify({
          kind: "spooled",
          experimentId: lane.id,
          file: ctx.spool.recordsFile(lane.id),
          message: `MLflow at ${ctx.client.trackingUri} is unreachable (${firstLine(error)}): the records of "${lane.id}" wait in the spool ${ctx.spool.recordsFile(lane.id)}; they are sent when it answers again (or by \`converge sync\`)`,
        });
      }
      if (!this.stopped) {
        const delay = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (lane.failures - 1));
        clearTimeout(lane.retryTimer);
        lane.retryTimer = setTimeout(() => {
          lane.retryTimer = undefined;
          lane.offline = false;
          this.pump(lane);
        }, delay);
        lane.retryTimer.unref();
      }
    } else if (lane.error === undefined) {
      lane.error = error;
      ctx.notify({
        kind: "sync-failed",
        experimentId: lane.id,
        file: ctx.spool.recordsFile(lane.id),
        message: `MLflow at ${ctx.client.trackingUri} refused ${what} of "${lane.id}": ${firstLine(error)}; it and the records after it stay in the spool ${ctx.spool.recordsFile(lane.id)}`,
      });
    }
    wake(lane);
  }

  private offlineError(lane: Lane): MlflowError {
    const waiting = lane.entries.filter((e) => e.state !== "done").length;
    return new MlflowError(
      `MLflow at ${this.ctx.client.trackingUri} is unreachable: ${waiting} record(s) of "${lane.id}" wait in the spool ${this.ctx.spool.recordsFile(lane.id)}.`,
      {
        unreachable: true,
        hint: "nothing is lost: they are sent when the server answers (`converge sync`, or `store.sync()`)",
      },
    );
  }
}
