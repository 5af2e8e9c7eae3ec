/**
 * The reading side of `converge watch`: looks at the experiment every interval
 * and, when it changed, analyses it, asks the rule advisor and renders the live
 * report, as `converge report` does. A JSONL experiment is only re-read when
 * its files' sizes or times changed; an MLflow one is read each time and
 * compared by what was read. A failed look keeps the last report and says why.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  ExperimentIdSchema,
  ExperimentNotFoundError,
  type ExperimentRecord,
  type TrajectoryAnalysis,
} from "@converge/core";
import type { LiveState } from "@converge/reporters";
import type { AnalysisTarget, PreparedExperiment } from "./analyze-command-load.js";
import { loadTargets } from "./analyze-command-load.js";
import type { CommandContext } from "./context.js";
import { reportExperiments } from "./report-experiments.js";
import type { WatchView } from "./watch-server.js";

/** What to follow: one experiment, or the newest experiment of a JSONL directory. */
export type WatchTarget =
  | { kind: "experiment"; target: AnalysisTarget }
  | { kind: "directory"; dir: string; target: AnalysisTarget & { location: { kind: "jsonl" } } };

/** A running follower. */
export interface Follower {
  /** Stops looking; resolves once the look in progress has ended. */
  stop(): Promise<void>;
}

export interface FollowOptions {
  ctx: CommandContext;
  intervalMs: number;
  title?: string;
  /** Called with each new view (a new version), and with a changed message when a look fails. */
  onView(view: WatchView): void;
}

/** Starts following; the first look happens at once. */
export function followExperiment(start: WatchTarget, options: FollowOptions): Follower {
  let stopped = false;
  let wake: (() => void) | null = null;
  let version = 0;
  let lastToken = "";
  let lastMessage: string | null = null;
  let current: LiveState = emptyState(start.target.experimentId, null);
  let watched = start;

  const look = async () => {
    watched = newestIn(watched);
    const target = watched.target;
    if (target.experimentId === "") {
      const message = waitingMessage(watched);
      if (message !== lastMessage) {
        lastMessage = message;
        options.onView({ state: { ...current, message } });
      }
      return;
    }
    const fileToken = jsonlToken(target);
    if (fileToken !== null && fileToken === lastToken) return;
    let experiment: PreparedExperiment;
    try {
      const loaded = await loadTargets([target], {}, readingContext(options.ctx));
      experiment = loaded.experiments[0] as PreparedExperiment;
    } catch (error) {
      const message = ExperimentNotFoundError.isInstance(error)
        ? waitingMessage(watched)
        : `could not read ${target.experimentId}: ${(error as Error).message}`;
      if (message !== lastMessage) {
        lastMessage = message;
        current = { ...current, experiment_id: target.experimentId, message };
        options.onView({ state: current });
      }
      return;
    }
    const token = fileToken ?? dataToken(experiment);
    if (token === lastToken && lastMessage === null) return;
    lastToken = token;
    lastMessage = null;
    const [report] = await reportExperiments([experiment]);
    if (report === undefined) return;
    version++;
    current = liveState(version, experiment, report.trajectory);
    const { renderHtmlReport } = await import("@converge/reporters");
    const html = await renderHtmlReport(report, {
      ...(options.title !== undefined && { title: options.title }),
      live: { version },
    });
    options.onView({ html, state: current });
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await look();
      } catch (error) {
        options.ctx.err(`warning: converge watch: ${(error as Error).message}`);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

/** What the status line says before the experiment has a record or a meta. */
export function waitingMessage(watched: WatchTarget): string {
  const { experimentId, location } = watched.target;
  return experimentId === ""
    ? `waiting for an experiment to appear in ${location.display}`
    : `waiting for ${experimentId} to appear in ${location.display}`;
}

/** The state the page's status line shows. */
function liveState(
  version: number,
  x: PreparedExperiment,
  trajectory: TrajectoryAnalysis | undefined,
): LiveState {
  const last = x.records.at(-1);
  const success = trajectory?.success_probability;
  return {
    version,
    experiment_id: x.experimentId,
    iterations: x.records.length,
    status: x.meta.status,
    decision: latestDecision(x.records),
    probability: success?.probability ?? null,
    horizon: success?.horizon ?? null,
    updated_at: last?.timestamp ?? null,
    message: null,
  };
}

/** The latest advisor's next action, else the latest iteration's action. */
function latestDecision(records: readonly ExperimentRecord[]): string | null {
  for (let i = records.length - 1; i >= 0; i--) {
    const advice = records[i]?.advice;
    if (advice !== undefined) return advice.assessment.next_action;
  }
  return records.at(-1)?.action_taken ?? null;
}

/** The state before anything was read: nothing known yet, and why (`message`). */
export function emptyState(experimentId: string, message: string | null): LiveState {
  return {
    version: 0,
    experiment_id: experimentId,
    iterations: 0,
    status: null,
    decision: null,
    probability: null,
    horizon: null,
    updated_at: null,
    message,
  };
}

/** Sizes and times of a JSONL experiment's files; null for other stores. */
function jsonlToken(target: AnalysisTarget): string | null {
  if (target.location.kind !== "jsonl") return null;
  const dir = target.location.dir;
  const parts = [".jsonl", ".meta.json"].map((ext) => {
    try {
      const s = statSync(join(dir, `${target.experimentId}${ext}`));
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return "-";
    }
  });
  return `${target.experimentId}|${parts.join("|")}`;
}

/** What identifies a read experiment's content cheaply: count, last record, meta status and time. */
function dataToken(x: PreparedExperiment): string {
  const last = x.records.at(-1);
  return [
    x.experimentId,
    x.records.length,
    last?.iteration ?? "",
    last?.timestamp ?? "",
    x.meta.status,
    x.meta.updated_at ?? "",
  ].join("|");
}

/** In directory mode, the experiment whose files changed last. */
function newestIn(watched: WatchTarget): WatchTarget {
  if (watched.kind !== "directory") return watched;
  const newest = newestExperiment(watched.dir);
  if (newest === null || newest === watched.target.experimentId) return watched;
  return { ...watched, target: { ...watched.target, experimentId: newest } };
}

/** The id of the `<id>.jsonl` (or `.meta.json`) in `dir` modified last, or null when there is none. */
export function newestExperiment(dir: string): string | null {
  let best: { id: string; time: number } | null = null;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    const match = /^(.+)\.(?:jsonl|meta\.json)$/.exec(name);
    const id = match?.[1];
    if (id === undefined || !ExperimentIdSchema.safeParse(id).success) continue;
    let time: number;
    try {
      const s = statSync(join(dir, name));
      if (!s.isFile()) continue;
      time = s.mtimeMs;
    } catch {
      continue;
    }
    if (best === null || time > best.time) best = { id, time };
  }
  return best?.id ?? null;
}

/** The command's context for reading: a torn last line is an append in progress, not worth a warning. */
function readingContext(ctx: CommandContext): CommandContext {
  return { ...ctx, notice: (n) => (n.kind === "torn-tail" ? undefined : ctx.notice(n)) };
}
