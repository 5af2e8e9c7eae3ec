/**
 * What the parts of one `mlflowStore` share: the clients, the spool, what is
 * known of each Converge experiment, whether the server answers, and the
 * queue that keeps each experiment's operations in order.
 */
import { userInfo } from "node:os";
import { type ExperimentRecord, type StoreNotice, truncate } from "@converge/core";
import type { MlflowClient } from "../client/client.js";
import { isUnreachable, MlflowError } from "../client/errors.js";
import type { MlflowExperiment, MlflowKeyValue, MlflowMetric, MlflowRun } from "../client/types.js";
import { quote, TAG } from "./mapping.js";
import type { Spool } from "./spool.js";

/** A notice of the MLflow store: core's kinds plus the spool's. */
export interface MlflowStoreNotice extends Omit<StoreNotice, "kind"> {
  kind:
    | StoreNotice["kind"]
    | "spooled"
    | "synced"
    | "sync-failed"
    | "offline"
    | "parent-rebuilt"
    | "partial-experiment"
    | "artifacts-unavailable";
}

/** What this store knows of one Converge experiment. */
export interface ExperimentState {
  parent: MlflowRun | undefined;
  /** The parent being found or created (one lookup however many uploads ask). */
  parentPromise: Promise<MlflowRun> | undefined;
  /** The last iteration known to be on the server. */
  last: number | undefined;
  /** Whether `last` was looked up on the server (or the server had no such experiment). */
  known: boolean;
  /** Whether this store tried to look `last` up (once; records appended unknown are searched for when sent). */
  checked: boolean;
  /** Operations queued by `serial` and not finished. */
  pending: number;
  /** Trajectory points of iterations on the server that the parent run does not have yet. */
  parentMetrics: MlflowMetric[];
  /** The starting parameters, for the parent run (sent once, with its next points). */
  parentParams: MlflowKeyValue[];
  /** The best iteration on the server so far (highest gate score), for the parent's `best_*` metrics. */
  best: ExperimentRecord | undefined;
  queue: Promise<unknown>;
}

/** One per `mlflowStore`, handed to its upload, read, send and sync parts. */
export interface StoreContext {
  readonly client: MlflowClient;
  readonly spool: Spool;
  readonly experimentName: string;
  /** Tags every run this store creates carries: who and what logged it, as MLflow's Python client sets them. */
  readonly sourceTags: readonly MlflowKeyValue[];
  /** Every Converge experiment this store has touched. */
  readonly states: Map<string, ExperimentState>;
  stateOf(id: string): ExperimentState;
  /** Runs `work` after every earlier operation on the experiment. */
  serial<T>(id: string, work: () => Promise<T>): Promise<T>;
  notify(notice: MlflowStoreNotice): void;
  /** True the first time it is called with `key` (a notice said once per store). */
  once(key: string): boolean;
  /** The MLflow experiment, created when missing (its description from `directive`). */
  ensureExperiment(directive?: string): Promise<MlflowExperiment>;
  /** The MLflow experiment when it exists (reads never create it). */
  findExperiment(): Promise<MlflowExperiment | null>;
  /**
   * Whether the server answers: one quick request without retries the first
   * time (and again, at most every few seconds, while it did not answer).
   */
  online(): Promise<boolean>;
  /** Records that a request ran out of retries: the server is taken as down until it answers again. */
  markOffline(): void;
  /** Why the last probe found no server. */
  readonly lastProbeError: MlflowError | undefined;
  /** Records that a request went through. */
  markOnline(): void;
}

/** The experiment description's length: the smallest limit of experiment tags across MLflow 2.x/3.x. */
const EXPERIMENT_NOTE_LIMIT = 5000;

/** How long a failed probe is believed before the next one. */
const PROBE_INTERVAL_MS = 2000;

export function createStoreContext(settings: {
  client: MlflowClient;
  /** The same server without retries and with a short timeout, for probes. */
  probeClient: MlflowClient;
  spool: Spool;
  experimentName: string;
  username: string | undefined;
  notify: (notice: MlflowStoreNotice) => void;
}): StoreContext {
  const { client, probeClient, spool, experimentName } = settings;
  const states = new Map<string, ExperimentState>();
  let experimentPromise: Promise<MlflowExperiment> | undefined;
  let reachable: boolean | undefined;
  let probedAt = 0;
  let lastProbeError: MlflowError | undefined;
  const said = new Set<string>();

  const stateOf = (id: string): ExperimentState => {
    let s = states.get(id);
    if (!s) {
      s = {
        parent: undefined,
        parentPromise: undefined,
        last: undefined,
        known: false,
        checked: false,
        pending: 0,
        parentMetrics: [],
        parentParams: [],
        best: undefined,
        queue: Promise.resolve(),
      };
      states.set(id, s);
    }
    return s;
  };

  const checkActive = (e: MlflowExperiment): MlflowExperiment => {
    if (e.lifecycle_stage === "deleted") {
      throw new MlflowError(
        `The MLflow experiment "${experimentName}" (id ${e.experiment_id}) is deleted; MLflow keeps the name reserved.`,
        {
          errorCode: "INVALID_STATE",
          hint: `restore it (\`mlflow experiments restore --experiment-id ${e.experiment_id}\` or the UI's trash) or choose another experimentName`,
        },
      );
    }
    return e;
  };

  return {
    client,
    spool,
    experimentName,
    sourceTags: sourceTags(settings.username),
    states,
    stateOf,
    serial<T>(id: string, work: () => Promise<T>): Promise<T> {
      const s = stateOf(id);
      s.pending++;
      const next = s.queue.then(work, work).finally(() => {
        s.pending--;
      });
      s.queue = next.catch(() => undefined);
      return next;
    },
    notify: settings.notify,
    once(key: string): boolean {
      if (said.has(key)) return false;
      said.add(key);
      return true;
    },
    ensureExperiment(directive?: string): Promise<MlflowExperiment> {
      const tags = directive
        ? [{ key: TAG.note, value: truncate(directive, EXPERIMENT_NOTE_LIMIT, "utf-16") }]
        : [];
      experimentPromise ??= client.getOrCreateExperiment(experimentName, tags).then(checkActive);
      experimentPromise.catch(() => {
        experimentPromise = undefined;
      });
      return experimentPromise;
    },
    async findExperiment(): Promise<MlflowExperiment | null> {
      if (experimentPromise) return experimentPromise;
      const e = await client.getExperimentByName(experimentName);
      if (!e) return null;
      return checkActive(e);
    },
    async online(): Promise<boolean> {
      if (reachable === true) return true;
      if (reachable === false && Date.now() - probedAt < PROBE_INTERVAL_MS) return false;
      probedAt = Date.now();
      try {
        await probeClient.health();
        reachable = true;
      } catch (error) {
        // Only a server that does not answer is offline; any answer (a 404 behind a proxy) is one.
        reachable = !isUnreachable(error);
        if (!reachable) lastProbeError = error as MlflowError;
      }
      return reachable;
    },
    get lastProbeError() {
      return lastProbeError;
    },
    markOffline() {
      reachable = false;
      probedAt = Date.now();
    },
    markOnline() {
      reachable = true;
    },
  };
}

/**
 * `mlflow.user` (the Basic-auth user, else the login name, looked up as
 * Python's `getpass.getuser` does), `mlflow.source.name` (the script that
 * runs) and `mlflow.source.type` LOCAL: what the MLflow UI shows as "Created
 * by" and "Source".
 */
function sourceTags(username: string | undefined): MlflowKeyValue[] {
  let user = username;
  for (const name of ["LOGNAME", "USER", "LNAME", "USERNAME"]) user ||= process.env[name];
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = "unknown";
    }
  }
  return [
    { key: TAG.user, value: user },
    { key: TAG.sourceName, value: process.argv[1] ?? "<console>" },
    { key: TAG.sourceType, value: "LOCAL" },
  ];
}

/** The search filter for the runs of one Converge experiment. */
export const idFilter = (id: string) => `tags.\`${TAG.experimentId}\` = ${quote(id)}`;

/** The parent run of a Converge experiment (the oldest, should there be two). */
export async function findParent(
  client: MlflowClient,
  exp: MlflowExperiment,
  id: string,
): Promise<MlflowRun | undefined> {
  const runs = await client.searchRuns({
    experimentIds: [exp.experiment_id],
    filter: `${idFilter(id)} and tags.\`${TAG.kind}\` = 'experiment'`,
    orderBy: ["attributes.start_time ASC"],
  });
  return runs[0];
}
