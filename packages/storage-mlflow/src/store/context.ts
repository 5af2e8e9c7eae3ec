/**
 * What the parts of one `mlflowStore` share: the client, the spool, what is
 * known of each Converge experiment, and the queue that keeps each
 * experiment's operations in order.
 */
import type { StoreNotice } from "@converge/core";
import type { MlflowClient } from "../client/client.js";
import { MlflowError } from "../client/errors.js";
import type { MlflowExperiment, MlflowMetric, MlflowRun } from "../client/types.js";
import { quote, TAG } from "./mapping.js";
import type { Spool } from "./spool.js";

/** A notice of the MLflow store: the core kinds plus the spool's. */
export interface MlflowStoreNotice extends Omit<StoreNotice, "kind"> {
  kind: StoreNotice["kind"] | "spooled" | "synced" | "sync-failed";
}

/** What this store knows of one Converge experiment. */
export interface ExperimentState {
  parent: MlflowRun | undefined;
  /** The last iteration known to be on the server. */
  last: number | undefined;
  /** The last iteration in the spool. */
  spoolLast: number | undefined;
  /**
   * True while this store's last upload of the experiment succeeded: then the
   * next iteration cannot be on the server yet (one writer per experiment),
   * and the idempotency search before creating its run is skipped.
   */
  certain: boolean;
  /** The parent run's trajectory points not sent yet (sent in batches: see PARENT_BATCH). */
  parentMetrics: MlflowMetric[];
  queue: Promise<unknown>;
}

/** One per `mlflowStore`, handed to its upload, read and sync parts. */
export interface StoreContext {
  readonly client: MlflowClient;
  readonly spool: Spool;
  readonly experimentName: string;
  /** Every Converge experiment this store has touched. */
  readonly states: Map<string, ExperimentState>;
  stateOf(id: string): ExperimentState;
  /** Runs `work` after every earlier operation on the experiment. */
  serial<T>(id: string, work: () => Promise<T>): Promise<T>;
  notify(notice: MlflowStoreNotice): void;
  /** The MLflow experiment, created when missing. */
  ensureExperiment(): Promise<MlflowExperiment>;
  /** The MLflow experiment when it exists (reads never create it). */
  findExperiment(): Promise<MlflowExperiment | null>;
}

export function createStoreContext(
  client: MlflowClient,
  spool: Spool,
  experimentName: string,
  notify: (notice: MlflowStoreNotice) => void,
): StoreContext {
  const states = new Map<string, ExperimentState>();
  let experimentPromise: Promise<MlflowExperiment> | undefined;

  const stateOf = (id: string): ExperimentState => {
    let s = states.get(id);
    if (!s) {
      s = {
        parent: undefined,
        last: undefined,
        spoolLast: undefined,
        certain: false,
        parentMetrics: [],
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
    states,
    stateOf,
    serial<T>(id: string, work: () => Promise<T>): Promise<T> {
      const s = stateOf(id);
      const next = s.queue.then(work, work);
      s.queue = next.catch(() => undefined);
      return next;
    },
    notify,
    ensureExperiment(): Promise<MlflowExperiment> {
      experimentPromise ??= client.getOrCreateExperiment(experimentName).then(checkActive);
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
  };
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
