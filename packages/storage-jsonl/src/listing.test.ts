/**
 * list() on a directory that holds more than the store wrote: a meta file
 * that is not valid, names that are not experiment ids. Nothing hides the
 * other experiments, and nothing is skipped without a notice.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ExperimentMetaSchema,
  StoreError,
  type StoreNotice,
  serializeRecord,
} from "@converge/core";
import { describe, expect, it } from "vitest";
import { jsonlStore } from "./index.js";
import { record, rejection, tempDir } from "./test-fixtures/helpers.js";

const line = (id: string, iteration: number) => `${serializeRecord(record(id, iteration))}\n`;

describe("list with an invalid meta file", () => {
  it("lists every experiment, the broken one without meta, and names the file and the problem", async () => {
    const dir = tempDir();
    const seen: StoreNotice[] = [];
    const store = jsonlStore({ dir, onNotice: (n) => seen.push(n) });
    await store.writeMeta(ExperimentMetaSchema.parse({ experiment_id: "a_exp", directive: "A" }));
    await store.writeMeta(ExperimentMetaSchema.parse({ experiment_id: "c_exp", directive: "C" }));
    writeFileSync(join(dir, "b_exp.jsonl"), line("b_exp", 1));
    writeFileSync(join(dir, "b_exp.meta.json"), "{ not json");
    writeFileSync(join(dir, "d_exp.meta.json"), JSON.stringify({ experiment_id: "someone_else" }));
    writeFileSync(
      join(dir, "e_exp.meta.json"),
      JSON.stringify({ experiment_id: "e_exp", status: "DONE" }),
    );

    const listing = await store.list();
    expect(listing.map((l) => [l.experiment_id, l.meta?.directive ?? null])).toEqual([
      ["a_exp", "A"],
      ["b_exp", null],
      ["c_exp", "C"],
      ["d_exp", null],
      ["e_exp", null],
    ]);
    expect(seen.map((n) => [n.kind, n.experimentId, n.file])).toEqual([
      ["invalid-meta", "b_exp", join(dir, "b_exp.meta.json")],
      ["invalid-meta", "d_exp", join(dir, "d_exp.meta.json")],
      ["invalid-meta", "e_exp", join(dir, "e_exp.meta.json")],
    ]);
    expect(seen[0]?.message).toContain(
      `${join(dir, "b_exp.meta.json")}: not a valid experiment meta file: not JSON`,
    );
    expect(seen[0]?.message).toContain('"b_exp" is listed without meta (fix: fix or delete');
    expect(seen[0]?.message).not.toContain("\n");
    expect(seen[1]?.message).toContain('it holds experiment_id "someone_else", not "d_exp"');
    expect(seen[2]?.message).toContain("status");

    // readMeta of the broken one still throws: only list() turns it into a notice.
    const error = await rejection(store.readMeta("b_exp"));
    expect(StoreError.isInstance(error) && error.code).toBe("EBADMETA");
    // The records of the experiment with a broken meta are still readable.
    expect((await store.read("b_exp")).map((r) => r.iteration)).toEqual([1]);
  });
});

describe("list with files whose names are not experiment ids", () => {
  it("skips each with a skipped-file notice that shows the name safely", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "good.jsonl"), line("good", 1));
    const names = [
      "bad name!.jsonl",
      ".hidden.meta.json",
      "evil\u202eslmx.jsonl",
      "red\u001b[31m.jsonl",
      `${"x".repeat(129)}.jsonl`,
    ];
    for (const name of names) writeFileSync(join(dir, name), line("good", 1));
    // Not store files at all: ignored without a notice, as before.
    writeFileSync(join(dir, "notes.txt"), "x");
    writeFileSync(join(dir, "good.jsonl.lock.takeover"), "");

    const store = jsonlStore({ dir });
    expect(await store.list()).toEqual([{ experiment_id: "good", meta: null }]);
    expect(store.notices.map((n) => n.kind)).toEqual(names.map(() => "skipped-file"));
    const byFile = new Map(store.notices.map((n) => [n.file, n]));
    for (const name of names) {
      const notice = byFile.get(join(dir, name));
      expect(notice?.experimentId, name).toBe("");
      expect(notice?.message, name).toContain("its name is not a valid experiment id");
      expect(notice?.message, name).toContain("rename the file to list it");
    }
    expect(byFile.get(join(dir, "bad name!.jsonl"))?.message).toContain(
      `skipped "bad name!.jsonl" in ${dir}`,
    );
    const bidi = byFile.get(join(dir, names[2] as string))?.message ?? "";
    expect(bidi).toContain("evil\\u202eslmx.jsonl");
    expect(bidi).toContain("invisible characters U+202E");
    expect(bidi).not.toContain("\u202e");
    const control = byFile.get(join(dir, names[3] as string))?.message ?? "";
    expect(control).toContain("red\\x1b[31m.jsonl");
    expect(control).not.toContain("\u001b");
  });
});
