import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "./write-file.js";

describe("writeFileAtomic", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "converge-write-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes text and bytes, creating missing directories", async () => {
    await writeFileAtomic(join(dir, "a", "b", "x.txt"), "hello");
    await writeFileAtomic(join(dir, "a", "y.bin"), new Uint8Array([1, 2, 3]));
    expect(await readFile(join(dir, "a", "b", "x.txt"), "utf8")).toBe("hello");
    expect([...(await readFile(join(dir, "a", "y.bin")))]).toEqual([1, 2, 3]);
  });

  it("replaces an existing file and leaves no temporary file behind", async () => {
    const path = join(dir, "replace.txt");
    await writeFile(path, "old");
    await writeFileAtomic(path, "new");
    expect(await readFile(path, "utf8")).toBe("new");
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("fails with the path, the cause and a fix, and keeps the old file", async () => {
    const path = join(dir, "keep.txt");
    await writeFile(path, "kept");
    // A file where a directory should be: the temp file cannot be created.
    await expect(writeFileAtomic(join(path, "child.txt"), "x", { mkdirs: false })).rejects.toThrow(
      /could not write .*keep\.txt\/child\.txt: .*ENOTDIR.*create it or choose another output path/,
    );
    await expect(writeFileAtomic(dir, "x")).rejects.toThrow(
      /could not write .*EISDIR.*give a file name/,
    );
    expect(await readFile(path, "utf8")).toBe("kept");
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
