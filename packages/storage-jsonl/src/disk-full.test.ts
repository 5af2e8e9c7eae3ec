/**
 * A full disk. Preferred: a real 64 KB tmpfs (needs root and permission to
 * mount; works in this sandbox), filled by appends until write() fails, so a
 * short write is cut back and the experiment is read back from the same full
 * file system. Always: a records file that is a symlink to /dev/full is
 * refused before anything is written (the store never writes through a link
 * nor to a device), and the store recovers once the file is back.
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { StoreError } from "@converge/core";
import { afterAll, describe, expect, it } from "vitest";
import { jsonlStore } from "./index.js";
import { record, tempDir } from "./test-fixtures/helpers.js";

function mountTmpfs(dir: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false; // not root, or no CAP_SYS_ADMIN in this container
  }
}

const small = tempDir("converge-jsonl-tmpfs-");
const mounted = mountTmpfs(small);
afterAll(() => {
  if (mounted) execFileSync("umount", [small]);
});

async function failure(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    if (StoreError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected the append to fail");
}

describe("disk full", () => {
  if (mounted) {
    it("on a full tmpfs: ENOSPC, no partial line, everything before still loads, appends resume once space is freed", async () => {
      // Ballast to delete later, to make room again.
      writeFileSync(join(small, "ballast"), Buffer.alloc(16 * 1024));
      const store = jsonlStore({ dir: small, durability: "every" });
      const code = "x".repeat(10_000); // ~10 KB a line: the last one does not fit
      let stored = 0;
      let error: StoreError | undefined;
      for (let i = 1; i <= 20 && !error; i++) {
        try {
          await store.append(record("full", i, { strategy_code: code }));
          stored = i;
        } catch (e) {
          if (!StoreError.isInstance(e)) throw e;
          error = e;
        }
      }
      expect(error, "the 64 KB file system never filled up").toBeDefined();
      expect(stored).toBeGreaterThan(0);
      const file = join(small, "full.jsonl");
      expect(error?.code).toBe("ENOSPC");
      expect(error?.message).toContain(
        `disk full while appending iteration ${stored + 1} of "full" to ${file}`,
      );
      expect(error?.message).toContain("nothing was written");
      expect(error?.hint).toContain("free space");

      // No partial line: the file is exactly the records that were acknowledged.
      const text = readFileSync(file, "utf8");
      expect(text.endsWith("\n")).toBe(true);
      expect(text.split("\n")).toHaveLength(stored + 1);
      const reader = jsonlStore({ dir: small });
      expect((await reader.read("full")).map((r) => r.iteration)).toEqual(
        Array.from({ length: stored }, (_, i) => i + 1),
      );
      expect(reader.notices).toEqual([]);
      // The failed append released the lock: nothing of ours is left holding the experiment.
      expect(existsSync(join(small, "full.jsonl.lock"))).toBe(false);

      unlinkSync(join(small, "ballast"));
      await store.append(record("full", stored + 1, { strategy_code: "short" }));
      await store.close();
      expect((await reader.read("full")).at(-1)?.iteration).toBe(stored + 1);
    });
  }

  it("a records file linked to /dev/full is refused before any write, and the store recovers", async () => {
    const dir = tempDir();
    const file = join(dir, "full.jsonl");
    const first = jsonlStore({ dir });
    for (let i = 1; i <= 3; i++) await first.append(record("full", i));
    await first.close();

    renameSync(file, `${file}.saved`);
    symlinkSync("/dev/full", file);
    const store = jsonlStore({ dir });
    const error = await failure(store.append(record("full", 4)));
    expect(error.code).toBe("ELOOP");
    expect(error.message).toContain(
      `Refused to open ${file} for append: it is a symbolic link (to /dev/full)`,
    );
    expect(error.hint).toContain("replace the link with the file itself");
    expect(existsSync(join(dir, "full.jsonl.lock"))).toBe(false);

    // The file is back: the same store re-reads the file and iteration 4 goes in, after 1..3.
    rmSync(file);
    renameSync(`${file}.saved`, file);
    await store.append(record("full", 4));
    await store.close();
    expect((await store.read("full")).map((r) => r.iteration)).toEqual([1, 2, 3, 4]);
  });
});
