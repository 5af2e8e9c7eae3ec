import type { ExperimentListing, Store } from "./contracts.js";
import { ExperimentNotFoundError, IterationConflictError } from "./errors.js";
import { type ExperimentMeta, ExperimentMetaSchema } from "./meta.js";
import {
  deserializeRecord,
  type ExperimentRecord,
  parseRecord,
  serializeRecord,
} from "./record.js";

/**
 * A store that keeps everything in this process's memory: for tests, notebooks
 * and throw-away runs. Records are kept serialised, so what comes back is what
 * a durable store would give (a copy, non-finite metrics included). `append`
 * takes only iterations after the last stored one, so `read` returns one
 * record per iteration in iteration order.
 */
export function memoryStore(): Store {
  const lines = new Map<string, string[]>();
  const metas = new Map<string, string>();
  const readMeta = async (experimentId: string): Promise<ExperimentMeta | null> => {
    const text = metas.get(experimentId);
    return text === undefined ? null : ExperimentMetaSchema.parse(JSON.parse(text));
  };
  return {
    specificationVersion: "v1",
    name: "memory",
    async append(record: ExperimentRecord) {
      const valid = parseRecord(record);
      const list = lines.get(valid.experiment_id) ?? [];
      const last = list.at(-1);
      const lastIteration = last === undefined ? 0 : deserializeRecord(last).iteration;
      if (last !== undefined && valid.iteration <= lastIteration) {
        throw new IterationConflictError({
          experimentId: valid.experiment_id,
          iteration: valid.iteration,
          lastIteration,
        });
      }
      list.push(serializeRecord(valid));
      lines.set(valid.experiment_id, list);
    },
    async read(experimentId: string) {
      const list = lines.get(experimentId);
      if (!list && !metas.has(experimentId))
        throw new ExperimentNotFoundError({ experimentId, where: "the memory store" });
      return (list ?? []).map(deserializeRecord);
    },
    async writeMeta(meta: ExperimentMeta) {
      const valid = ExperimentMetaSchema.parse(meta);
      metas.set(valid.experiment_id, JSON.stringify(valid));
    },
    readMeta,
    async list(): Promise<ExperimentListing[]> {
      const ids = [...new Set([...lines.keys(), ...metas.keys()])].sort();
      return Promise.all(ids.map(async (id) => ({ experiment_id: id, meta: await readMeta(id) })));
    },
    async close() {},
  };
}
