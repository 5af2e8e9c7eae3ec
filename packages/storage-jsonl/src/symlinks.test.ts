/**
 * Store files that are symbolic links to files outside the store. Reading
 * through a link is allowed; writing, cutting a torn tail, replacing a meta
 * file or taking a lock through one never is, and the outside file stays
 * byte-for-byte as it was.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { ExperimentMetaSchema, StoreError, serializeRecord } from "@converge/core";
import { describe, expect, it } from "vitest";
import { writeNewFile } from "./file-safety.js";
import { jsonlStore } from "./index.js";
import { record, rejection, tempDir } from "./test-fixtures/helpers.js";

/** A store directory and, beside it (outside the store), a file the links point at. */
function storeAndOutside(outsideName: string, content: string) {
  const base = tempDir();
  const dir = join(base, "store");
  const outsideDir = join(base, "outside");
  mkdirSync(dir);
  mkdirSync(outsideDir);
  const outside = join(outsideDir, outsideName);
  writeFileSync(outside, content);
  return { dir, outside, before: readFileSync(outside) };
}

const lines = (...iterations: number[]) =>
  iterations.map((i) => `${serializeRecord(record("exp", i))}\n`).join("");

async function storeError(promise: Promise<unknown>): Promise<StoreError> {
  const error = await rejection(promise);
  if (!StoreError.isInstance(error)) throw error;
  return error;
}

describe("a records file that is a symbolic link", () => {
  it("is read through, but an append is refused and the outside file is unchanged", async () => {
    const { dir, outside, before } = storeAndOutside("victim.jsonl", lines(1, 2));
    const file = join(dir, "exp.jsonl");
    symlinkSync(outside, file);
    const store = jsonlStore({ dir });

    expect((await store.read("exp")).map((r) => r.iteration)).toEqual([1, 2]);

    const error = await storeError(store.append(record("exp", 3)));
    expect(error.code).toBe("ELOOP");
    expect(error.message).toContain(
      `Refused to open ${file} for append: it is a symbolic link (to ${outside})`,
    );
    expect(error.message).toContain("never writes through a link");
    expect(error.hint).toContain("replace the link with the file itself");
    await store.close();

    expect(readFileSync(outside).equals(before)).toBe(true);
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(existsSync(join(dir, "exp.jsonl.lock"))).toBe(false);
  });

  it("with a torn tail: a read reports it and cuts nothing; an append refuses before any repair", async () => {
    const torn = '{"experiment_id":"exp","iteration":3,"metr';
    const { dir, outside, before } = storeAndOutside("victim.jsonl", lines(1, 2) + torn);
    const file = join(dir, "exp.jsonl");
    symlinkSync(outside, file);
    const store = jsonlStore({ dir });

    expect((await store.read("exp")).map((r) => r.iteration)).toEqual([1, 2]);
    expect(store.notices.map((n) => [n.kind, n.line])).toEqual([["torn-tail", 3]]);
    expect(readFileSync(outside).equals(before)).toBe(true);

    const error = await storeError(store.append(record("exp", 3)));
    expect(error.code).toBe("ELOOP");
    expect(readFileSync(outside).equals(before)).toBe(true);
    // No repair happened: no sidecar, no notice of a cut.
    expect(readdirSync(dir)).toEqual(["exp.jsonl"]);
    expect(readdirSync(join(outside, ".."))).toEqual(["victim.jsonl"]);
    expect(store.notices.map((n) => n.kind)).toEqual(["torn-tail"]);
  });

  it("dangling: the append neither creates the target nor writes anywhere", async () => {
    const { dir, outside } = storeAndOutside("unrelated", "x");
    const target = join(outside, "..", "created-through-link.jsonl");
    symlinkSync(target, join(dir, "exp.jsonl"));
    const store = jsonlStore({ dir });
    expect((await storeError(store.append(record("exp", 1)))).code).toBe("ELOOP");
    expect(existsSync(target)).toBe(false);
  });
});

describe("a meta file that is a symbolic link", () => {
  it("is read through, but writeMeta is refused and neither the link nor its target changes", async () => {
    const meta = ExperimentMetaSchema.parse({ experiment_id: "exp", directive: "outside" });
    const { dir, outside, before } = storeAndOutside("meta.json", JSON.stringify(meta));
    const file = join(dir, "exp.meta.json");
    symlinkSync(outside, file);
    const store = jsonlStore({ dir });

    expect((await store.readMeta("exp"))?.directive).toBe("outside");
    const error = await storeError(store.writeMeta({ ...meta, directive: "new" }));
    expect(error.code).toBe("ELOOP");
    expect(error.message).toContain(`Refused to write the meta of "exp" to ${file}`);
    expect(error.hint).toContain("replace the link with the file itself");

    expect(readFileSync(outside).equals(before)).toBe(true);
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    // No temp file left behind either.
    expect(readdirSync(dir)).toEqual(["exp.meta.json"]);
  });
});

describe("a lock file that is a symbolic link", () => {
  it("is never followed: the append fails naming the lock, and the outside file is unchanged", async () => {
    const { dir, outside, before } = storeAndOutside("precious.txt", "do not touch\n");
    const lock = join(dir, "exp.jsonl.lock");
    symlinkSync(outside, lock);
    const store = jsonlStore({ dir, lockTimeoutMs: 100 });
    const error = await storeError(store.append(record("exp", 1)));
    expect(error.code).toBe("ELOOP");
    expect(error.message).toContain(`Could not read the lock file ${lock}`);
    expect(error.hint).toContain(`delete ${lock}`);
    expect(readFileSync(outside).equals(before)).toBe(true);
    expect(lstatSync(lock).isSymbolicLink()).toBe(true);
    expect(existsSync(join(dir, "exp.jsonl"))).toBe(false);
  });

  it("dangling: the lock's target is never created", async () => {
    const { dir, outside } = storeAndOutside("unrelated", "x");
    const target = join(outside, "..", "created-by-lock");
    symlinkSync(target, join(dir, "exp.jsonl.lock"));
    const store = jsonlStore({ dir, lockTimeoutMs: 100 });
    expect((await storeError(store.append(record("exp", 1)))).code).toBe("ELOOP");
    expect(existsSync(target)).toBe(false);
  });
});

describe("new files (torn sidecars, meta temp files)", () => {
  it("are never created through a link planted at their path", () => {
    const { dir, outside, before } = storeAndOutside("victim", "kept\n");
    const planted = join(dir, "exp.jsonl.torn-2026-01-18T14-30-22-000Z-1");
    symlinkSync(outside, planted);
    expect(() => writeNewFile(planted, "torn bytes", true)).toThrow(/EEXIST/);
    expect(readFileSync(outside).equals(before)).toBe(true);
    // The planted link is not ours to remove.
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);

    const fresh = join(dir, "fresh");
    writeNewFile(fresh, "new bytes", true);
    expect(readFileSync(fresh, "utf8")).toBe("new bytes");
  });
});
