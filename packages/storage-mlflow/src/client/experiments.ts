/**
 * The experiment endpoints of the tracking REST API, as `createMlflowClient`'s
 * methods call them.
 */
import { MlflowError } from "./errors.js";
import type { Http } from "./http.js";
import type { MlflowExperiment, MlflowKeyValue } from "./types.js";
import { TRACKING_API as API, experimentOf, type RawExperiment } from "./wire.js";

/** The experiment of that name, or null when the server has none. */
export async function getExperimentByName(
  http: Http,
  name: string,
): Promise<MlflowExperiment | null> {
  try {
    const res = await http.json<{ experiment?: RawExperiment }>(
      "GET",
      `${API}/experiments/get-by-name`,
      { query: { experiment_name: name } },
    );
    return res.experiment ? experimentOf(res.experiment) : null;
  } catch (error) {
    if (MlflowError.isInstance(error) && error.errorCode === "RESOURCE_DOES_NOT_EXIST") return null;
    throw error;
  }
}

/** One experiment by id. */
export async function getExperiment(http: Http, experimentId: string): Promise<MlflowExperiment> {
  const res = await http.json<{ experiment?: RawExperiment }>("GET", `${API}/experiments/get`, {
    query: { experiment_id: experimentId },
  });
  return experimentOf(res.experiment ?? {});
}

/** Creates an experiment and returns its id. */
export async function createExperiment(
  http: Http,
  name: string,
  tags: MlflowKeyValue[] | undefined,
): Promise<string> {
  const res = await http.json<{ experiment_id?: string }>("POST", `${API}/experiments/create`, {
    json: { name, tags: tags ?? [] },
  });
  return String(res.experiment_id ?? "");
}

/** The client methods `getOrCreateExperiment` goes through. */
export interface ExperimentLookup {
  getExperimentByName(name: string): Promise<MlflowExperiment | null>;
  createExperiment(name: string, tags?: MlflowKeyValue[]): Promise<string>;
}

/**
 * The experiment of that name, created (with `tags`) when missing (a
 * concurrent create is fine). It calls the client's own methods, so that it sees what they see.
 */
export async function getOrCreateExperiment(
  client: ExperimentLookup,
  name: string,
  tags?: MlflowKeyValue[],
): Promise<MlflowExperiment> {
  const existing = await client.getExperimentByName(name);
  if (existing) return existing;
  try {
    await client.createExperiment(name, tags);
  } catch (error) {
    if (!(MlflowError.isInstance(error) && error.errorCode === "RESOURCE_ALREADY_EXISTS"))
      throw error;
  }
  const made = await client.getExperimentByName(name);
  if (!made) {
    throw new MlflowError(`MLflow experiment "${name}" was created but cannot be found.`, {
      hint: "check the server's backend store",
    });
  }
  return made;
}

/** Every matching experiment (follows `next_page_token`). */
export async function searchExperiments(
  http: Http,
  opts: { filter?: string; viewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL" },
): Promise<MlflowExperiment[]> {
  const out: MlflowExperiment[] = [];
  let token: string | undefined;
  do {
    const res = await http.json<{ experiments?: RawExperiment[]; next_page_token?: string }>(
      "POST",
      `${API}/experiments/search`,
      {
        json: {
          max_results: 1000,
          filter: opts.filter,
          view_type: opts.viewType ?? "ACTIVE_ONLY",
          page_token: token,
        },
      },
    );
    for (const e of res.experiments ?? []) out.push(experimentOf(e));
    token = res.next_page_token || undefined;
  } while (token);
  return out;
}

/** Deletes an experiment (MLflow keeps it, marked deleted). */
export async function deleteExperiment(http: Http, experimentId: string): Promise<void> {
  await http.json("POST", `${API}/experiments/delete`, {
    json: { experiment_id: experimentId },
  });
}
