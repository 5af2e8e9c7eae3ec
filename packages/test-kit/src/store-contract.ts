/**
 * The conformance suite every `Store` must pass, written once against core's
 * `Store` contract so each implementation is held to the same promises. It
 * tests what the contract says and nothing more: durability modes, notices,
 * locks and wire formats stay in each store's own tests.
 */
import {
  ExperimentNotFoundError,
  type ExperimentRecord,
  IterationConflictError,
  type Store,
} from "@converge/core";
import { afterEach, describe, expect, it } from "vitest";
import { contractMeta, contractRecord, richRecords } from "./contract-records.js";
import { firstDifference } from "./first-difference.js";

/** How {@link describeStoreContract} runs the suite against one store. */
export interface StoreContractOptions<S extends Store = Store> {
  /** The `describe` title; default "Store contract". */
  name?: string;
  /**
   * A new store over the same data as `store` (after `store.close()`), as
   * another process would open it. When given, the suite checks that what was
   * appended and written before `close` is there afterwards; stores that keep
   * nothing beyond their own lifetime (an in-memory store) leave it out.
   */
  reopen?: (store: S) => Store | Promise<Store>;
  /** Per-test timeout in ms, for stores behind a network; default vitest's. */
  timeoutMs?: number;
}

/** What each test of the suite is handed. */
interface Context<S extends Store> {
  /** A fresh, empty store (closed after the test unless the test closed it). */
  open(): Promise<S>;
  /** Closes a store opened with `open`, so the suite does not close it again. */
  close(store: S): Promise<void>;
  options: StoreContractOptions<S>;
}

type ContractTest = (title: string, body: () => Promise<void>) => void;

/**
 * Declares a `describe` block that checks `makeStore`'s stores against core's
 * `Store` contract: append and read back in iteration order, records that come
 * back exactly (non-finite metrics, nested parameters, code, advice, usage),
 * iteration conflicts that leave nothing behind, meta written and replaced,
 * listing, not-found, and close.
 *
 * @param makeStore Called once or more per test; each call must return a new,
 *   empty store that shares nothing with the stores of other tests.
 */
export function describeStoreContract<S extends Store>(
  makeStore: () => S | Promise<S>,
  options: StoreContractOptions<S> = {},
): void {
  describe(options.name ?? "Store contract", () => {
    const openStores = new Set<S>();
    afterEach(async () => {
      const stores = [...openStores];
      openStores.clear();
      for (const store of stores) await store.close();
    });
    const context: Context<S> = {
      async open() {
        const store = await makeStore();
        openStores.add(store);
        return store;
      },
      async close(store) {
        openStores.delete(store);
        await store.close();
      },
      options,
    };
    const test: ContractTest = (title, body) => it(title, body, options.timeoutMs);
    describeAppendAndRead(test, context);
    describeConflicts(test, context);
    describeMetaAndListing(test, context);
    describeClose(test, context);
  });
}

/** Asserts `actual` equals `expected` record by record, naming the first field that differs. */
function expectSameRecords(actual: ExperimentRecord[], expected: ExperimentRecord[]): void {
  expect(actual.map((r) => r.iteration)).toEqual(expected.map((r) => r.iteration));
  expected.forEach((record, i) => {
    expect(firstDifference(actual[i], record), `iteration ${record.iteration}`).toBeUndefined();
  });
}

/** What `promise` rejects with; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

function describeAppendAndRead<S extends Store>(test: ContractTest, { open }: Context<S>): void {
  test("is a v1 store with a name", async () => {
    const store = await open();
    expect(store.specificationVersion).toBe("v1");
    expect(typeof store.name).toBe("string");
    expect(store.name.length).toBeGreaterThan(0);
  });

  test("reads back appended records in iteration order, one per iteration", async () => {
    const store = await open();
    const records = [1, 2, 3, 4, 5].map((i) => contractRecord("ordered", i));
    for (const record of records) await store.append(record);
    expectSameRecords(await store.read("ordered"), records);
  });

  test("accepts any iteration after the last stored one, gaps included", async () => {
    const store = await open();
    const records = [contractRecord("gaps", 1), contractRecord("gaps", 3)];
    for (const record of records) await store.append(record);
    expectSameRecords(await store.read("gaps"), records);
  });

  test("gives back exactly what was appended: non-finite metrics, nested parameters, code, advice, usage", async () => {
    const store = await open();
    const records = richRecords("rich");
    for (const record of records) await store.append(record);
    const back = await store.read("rich");
    expectSameRecords(back, records);
    expect(Number.isNaN(back[0]?.metrics.sharpe_ratio)).toBe(true);
    expect(back[1]?.metrics.upside).toBe(Number.POSITIVE_INFINITY);
    expect(back[2]?.metrics.downside).toBe(Number.NEGATIVE_INFINITY);
  });

  test("keeps experiments apart: each has its own iterations", async () => {
    const store = await open();
    const a = [contractRecord("exp-a", 1), contractRecord("exp-a", 2)];
    const b = [contractRecord("exp-b", 1)];
    await store.append(a[0] as ExperimentRecord);
    await store.append(b[0] as ExperimentRecord);
    await store.append(a[1] as ExperimentRecord);
    expectSameRecords(await store.read("exp-a"), a);
    expectSameRecords(await store.read("exp-b"), b);
  });

  test("throws ExperimentNotFoundError for an experiment with neither records nor meta", async () => {
    const store = await open();
    await store.append(contractRecord("present", 1));
    const error = await rejectionOf(store.read("absent"));
    expect(ExperimentNotFoundError.isInstance(error), String(error)).toBe(true);
  });
}

function describeConflicts<S extends Store>(test: ContractTest, { open }: Context<S>): void {
  test("rejects a different record at a stored iteration with IterationConflictError, keeping the stored one", async () => {
    const store = await open();
    const stored = [contractRecord("clash", 1), contractRecord("clash", 2)];
    for (const record of stored) await store.append(record);
    const rival = contractRecord("clash", 2, {
      strategy_name: "rival",
      metrics: { sharpe_ratio: 9 },
    });
    const error = await rejectionOf(store.append(rival));
    expect(IterationConflictError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ experimentId: "clash", iteration: 2, lastIteration: 2 });
    expectSameRecords(await store.read("clash"), stored);
  });

  test("rejects an iteration before the last stored one with IterationConflictError", async () => {
    const store = await open();
    const stored = [contractRecord("late", 1), contractRecord("late", 3)];
    for (const record of stored) await store.append(record);
    const error = await rejectionOf(store.append(contractRecord("late", 2)));
    expect(IterationConflictError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ experimentId: "late", iteration: 2 });
    expectSameRecords(await store.read("late"), stored);
  });

  test("stores the same record appended twice once: the retry resolves or is an IterationConflictError", async () => {
    const store = await open();
    const record = contractRecord("twice", 1);
    await store.append(record);
    const retry = await store.append(record).then(
      () => null,
      (error: unknown) => error,
    );
    if (retry !== null) expect(IterationConflictError.isInstance(retry), String(retry)).toBe(true);
    expectSameRecords(await store.read("twice"), [record]);
  });

  test("takes the next iteration after a rejected one", async () => {
    const store = await open();
    await store.append(contractRecord("after", 1));
    await rejectionOf(store.append(contractRecord("after", 1, { strategy_name: "rival" })));
    await store.append(contractRecord("after", 2));
    expect((await store.read("after")).map((r) => r.iteration)).toEqual([1, 2]);
  });
}

function describeMetaAndListing<S extends Store>(test: ContractTest, { open }: Context<S>): void {
  test("readMeta is null for an experiment whose meta was never written", async () => {
    const store = await open();
    expect(await store.readMeta("unknown")).toBeNull();
    await store.append(contractRecord("records-only", 1));
    expect(await store.readMeta("records-only")).toBeNull();
  });

  test("writeMeta then readMeta gives the meta back; a second writeMeta replaces it", async () => {
    const store = await open();
    const first = contractMeta("meta");
    await store.writeMeta(first);
    expect(firstDifference(await store.readMeta("meta"), first)).toBeUndefined();
    const second = { ...contractMeta("meta", "second directive"), status: "SUCCESS" as const };
    await store.writeMeta(second);
    expect(firstDifference(await store.readMeta("meta"), second)).toBeUndefined();
  });

  test("an experiment with meta and no records reads as no records", async () => {
    const store = await open();
    await store.writeMeta(contractMeta("planned"));
    expect(await store.read("planned")).toEqual([]);
  });

  test("lists nothing when empty, then every experiment with its meta or null", async () => {
    const store = await open();
    expect(await store.list()).toEqual([]);
    await store.append(contractRecord("with-records", 1));
    const meta = contractMeta("with-meta");
    await store.writeMeta(meta);
    await store.append(contractRecord("with-both", 1));
    await store.writeMeta(contractMeta("with-both"));
    const listed = (await store.list()).sort((a, b) =>
      a.experiment_id.localeCompare(b.experiment_id),
    );
    expect(listed.map((l) => l.experiment_id)).toEqual(["with-both", "with-meta", "with-records"]);
    expect(firstDifference(listed[0]?.meta, contractMeta("with-both"))).toBeUndefined();
    expect(firstDifference(listed[1]?.meta, meta)).toBeUndefined();
    expect(listed[2]?.meta).toBeNull();
  });
}

function describeClose<S extends Store>(
  test: ContractTest,
  { open, close, options }: Context<S>,
): void {
  test("close resolves after appends and meta writes", async () => {
    const store = await open();
    await store.writeMeta(contractMeta("closing"));
    await store.append(contractRecord("closing", 1));
    await close(store);
  });

  const { reopen } = options;
  if (!reopen) return;
  test("what was appended and written before close is there for a store opened afterwards", async () => {
    const store = await open();
    const records = richRecords("kept");
    const meta = contractMeta("kept");
    await store.writeMeta(meta);
    for (const record of records) await store.append(record);
    await close(store);
    const again = await reopen(store);
    try {
      expectSameRecords(await again.read("kept"), records);
      expect(firstDifference(await again.readMeta("kept"), meta)).toBeUndefined();
      expect((await again.list()).map((l) => l.experiment_id)).toEqual(["kept"]);
      const error = await rejectionOf(again.append(contractRecord("kept", 3)));
      expect(IterationConflictError.isInstance(error), String(error)).toBe(true);
    } finally {
      await again.close();
    }
  });
}
