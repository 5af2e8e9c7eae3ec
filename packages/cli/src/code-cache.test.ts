/**
 * The built binary's V8 code cache (code-cache.ts): written after a run,
 * used by the next, and ignored (then rewritten) when stale or corrupt; the
 * command's output never depends on it, and a cache that cannot be written
 * costs nothing but speed.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CODE_CACHE_ENV, codeCacheDir } from "./code-cache.js";
import { BIN, removeTempDirs, tempDir } from "./test-fixtures/run-cli.js";

afterAll(removeTempDirs);

const FIXTURES = fileURLToPath(new URL("./bench/fixtures/", import.meta.url));
const EXPERIMENT = "demo_seed43_20261204_172114_905";
let store: string;

beforeAll(() => {
  store = tempDir();
  for (const file of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, file), join(store, file));
});

/** Runs `converge analyze` on the fixture with exactly these cache variables. */
function analyze(cacheEnv: Record<string, string>) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...cacheEnv };
  const r = spawnSync(process.execPath, [BIN, "analyze", EXPERIMENT, "--store", store], {
    cwd: store,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

const sha1 = (data: Uint8Array) => createHash("sha1").update(data).digest();
const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".v8"));

describe("the code cache of the built binary", () => {
  it("is written by a first run and used, unchanged, by the next, with the same output", () => {
    const off = analyze({ [CODE_CACHE_ENV]: "0", HOME: tempDir() });
    const cache = tempDir();
    expect(analyze({ [CODE_CACHE_ENV]: cache })).toBe(off);
    const files = cacheFiles(cache);
    // The entry chunk and at least the analyze action's chunks.
    expect(files.length).toBeGreaterThanOrEqual(2);
    const before = files.map((f) => statSync(join(cache, f)).mtimeMs);
    expect(analyze({ [CODE_CACHE_ENV]: cache })).toBe(off);
    expect(cacheFiles(cache)).toEqual(files);
    // Accepted: not one file rewritten.
    expect(files.map((f) => statSync(join(cache, f)).mtimeMs)).toEqual(before);
  });

  it("ignores a corrupt or stale file and writes it anew", () => {
    const cache = tempDir();
    const expected = analyze({ [CODE_CACHE_ENV]: cache });
    const [corrupt, stale] = cacheFiles(cache)
      .map((f) => join(cache, f))
      .sort((a, b) => statSync(b).size - statSync(a).size);
    if (corrupt === undefined || stale === undefined) throw new Error("expected two cache files");
    const good = { corrupt: readFileSync(corrupt), stale: readFileSync(stale) };
    // Corrupt: bytes of the V8 data flipped (its checksum no longer matches).
    const flipped = Buffer.from(good.corrupt);
    for (let i = 60; i < flipped.length; i += 97) flipped[i] = (flipped[i] as number) ^ 0xff;
    writeFileSync(corrupt, flipped);
    // Stale: made for another source (the first 20 bytes are the source's SHA-1).
    const other = Buffer.from(good.stale);
    other.fill(0, 0, 20);
    writeFileSync(stale, other);
    expect(analyze({ [CODE_CACHE_ENV]: cache })).toBe(expected);
    // Both rewritten: for this source again, with data matching its checksum.
    for (const [file, was] of [
      [corrupt, good.corrupt],
      [stale, good.stale],
    ] as const) {
      const now = readFileSync(file);
      expect(now.subarray(0, 20)).toEqual(was.subarray(0, 20));
      expect(now.subarray(20, 40)).toEqual(sha1(now.subarray(40)));
    }
  });

  it("goes to $XDG_CACHE_HOME/converge/code-cache by default, and nowhere with CONVERGE_CODE_CACHE=0", () => {
    const xdg = tempDir();
    analyze({ XDG_CACHE_HOME: xdg, [CODE_CACHE_ENV]: "0" });
    expect(readdirSync(xdg)).toEqual([]);
    analyze({ XDG_CACHE_HOME: xdg });
    expect(cacheFiles(join(xdg, "converge", "code-cache")).length).toBeGreaterThanOrEqual(2);
    expect(codeCacheDir({ HOME: "/home/u" })).toMatch(/[\\/]\.cache[\\/]converge[\\/]code-cache$/);
    expect(codeCacheDir({ XDG_CACHE_HOME: "/x", [CODE_CACHE_ENV]: "0" })).toBeNull();
  });

  it("costs nothing but speed when it cannot be written", () => {
    const parent = tempDir();
    const blocked = join(parent, "not-a-directory");
    writeFileSync(blocked, "a file where the cache directory would go");
    const expected = analyze({ [CODE_CACHE_ENV]: "0", HOME: parent });
    expect(analyze({ [CODE_CACHE_ENV]: join(blocked, "cache") })).toBe(expected);
    expect(readdirSync(parent)).toEqual(["not-a-directory"]);
  });
});
