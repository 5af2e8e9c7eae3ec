import {
  type ExperimentMeta,
  ExperimentNotFoundError,
  type ExperimentRecord,
  type ExperimentSummary,
  type Store,
  summarize,
} from "@converge/core";

/** One experiment as the CLI shows it. */
export interface LoadedExperiment {
  experimentId: string;
  /** The stored meta; null for a log without one (e.g. written by the Python logger). */
  meta: ExperimentMeta | null;
  records: ExperimentRecord[];
  /** Core's summary; its status is the stored one, else derived from the records. */
  summary: ExperimentSummary;
  /** The directive from the meta, else from the first record. */
  directive: string;
  /** The later of the meta's `updated_at` and the last record's timestamp. */
  updatedAt: string | null;
}

/**
 * Reads an experiment's meta and records and summarises them.
 * `ExperimentNotFoundError` when the store holds neither.
 */
export async function loadExperiment(
  store: Store,
  experimentId: string,
  options: { lenient?: boolean } = {},
): Promise<LoadedExperiment> {
  const meta = await store.readMeta(experimentId);
  let records: ExperimentRecord[];
  try {
    records = await store.read(experimentId, { lenient: options.lenient === true });
  } catch (error) {
    // An experiment that was started but has no iteration yet has a meta only.
    if (meta === null || !ExperimentNotFoundError.isInstance(error)) throw error;
    records = [];
  }
  // The stored status is the loop's verdict; without a meta, derive it from the gate results.
  const summary = summarize(records, meta?.status, experimentId);
  const last = records.at(-1)?.timestamp ?? null;
  return {
    experimentId,
    meta,
    records,
    summary,
    directive: meta?.directive || records[0]?.research_directive || "",
    updatedAt: laterOf(meta?.updated_at ?? null, last),
  };
}

function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  // Compare as instants: "…55Z" and "…55.123Z" do not sort as text.
  return Date.parse(b) > Date.parse(a) ? b : a;
}
