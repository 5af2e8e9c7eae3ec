/**
 * FIFOs, character devices, sockets and directories named like store files,
 * made for real inside a temp directory (mkfifo, mknod: we are root). Opening
 * a FIFO for reading blocks the whole thread, which no in-process timer can
 * interrupt, so each call runs in a child process (the BUILT package) that is
 * killed after 5 s: a regression fails fast instead of hanging the run.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type StoreNotice, serializeRecord } from "@converge/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { record, tempDir } from "./test-fixtures/helpers.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const root = join(packageDir, "..", "..");
const script = fileURLToPath(new URL("./test-fixtures/store-op.mjs", import.meta.url));
const HANG_MS = 5_000;

beforeAll(() => {
  // tsc -b is incremental: a no-op when dist is current, a rebuild when src changed.
  execFileSync(
    process.execPath,
    [join(root, "node_modules/typescript/bin/tsc"), "-b", packageDir],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}, 120_000);

interface Outcome {
  ok: boolean;
  value?: unknown;
  error?: { name: string; code?: string; message: string; hint?: string };
  notices: StoreNotice[];
}

/** One store call in a child process; fails the test if it has not answered within 5 s. */
function call(dir: string, op: string, id = "exp"): Outcome {
  let out: string;
  try {
    out = execFileSync(process.execPath, [script, dir, op, id], {
      encoding: "utf8",
      timeout: HANG_MS,
      killSignal: "SIGKILL",
    });
  } catch (error) {
    const signal = (error as { signal?: string }).signal;
    if (signal === "SIGKILL") throw new Error(`store.${op}("${id}") hung for ${HANG_MS} ms`);
    throw error;
  }
  return JSON.parse(out) as Outcome;
}

const line = (id: string, iteration: number) => `${serializeRecord(record(id, iteration))}\n`;

function storeWithGoodExperiment(): string {
  const dir = tempDir();
  writeFileSync(join(dir, "good.jsonl"), line("good", 1) + line("good", 2));
  return dir;
}

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

describe("a FIFO named like a store file", () => {
  it("is skipped by list with a notice, and read, append and readMeta fail at once instead of hanging", () => {
    const dir = storeWithGoodExperiment();
    const fifo = join(dir, "exp.jsonl");
    execFileSync("mkfifo", [fifo]);

    const listed = call(dir, "list");
    expect(listed.value).toEqual([{ experiment_id: "good", meta: null }]);
    expect(listed.notices).toHaveLength(1);
    expect(listed.notices[0]).toMatchObject({
      kind: "skipped-file",
      experimentId: "exp",
      file: fifo,
    });
    expect(listed.notices[0]?.message).toContain(
      `skipped ${fifo}: it is a FIFO (named pipe), not a regular file, so it was not read`,
    );

    const read = call(dir, "read");
    expect(read.ok).toBe(false);
    expect(read.error).toMatchObject({ name: "StoreError", code: "ENOTREG" });
    expect(read.error?.message).toContain(
      `Could not read ${fifo}: it is a FIFO (named pipe), not a regular file.`,
    );
    expect(read.error?.hint).toContain(`move ${fifo} out of the store directory`);

    const append = call(dir, "append");
    expect(append.error).toMatchObject({ name: "StoreError", code: "ENOTREG" });
    expect(append.error?.message).toContain(`Could not open ${fifo} for append: it is a FIFO`);
    expect(existsSync(join(dir, "exp.jsonl.lock"))).toBe(false);

    // No meta file: null, as before.
    expect(call(dir, "readMeta").value).toBeNull();
    // The good experiment is untouched.
    expect(call(dir, "read", "good").value).toHaveLength(2);
  });

  it("as the meta file: listed without meta and reported; readMeta, writeMeta and a meta-only read fail fast", () => {
    const dir = storeWithGoodExperiment();
    const fifo = join(dir, "good.meta.json");
    execFileSync("mkfifo", [fifo]);
    execFileSync("mkfifo", [join(dir, "only.meta.json")]);

    const listed = call(dir, "list");
    expect(listed.value).toEqual([{ experiment_id: "good", meta: null }]);
    expect(listed.notices.map((n) => [n.kind, n.file])).toEqual(
      expect.arrayContaining([
        ["skipped-file", fifo],
        ["skipped-file", join(dir, "only.meta.json")],
      ]),
    );
    expect(listed.notices).toHaveLength(2);

    const readMeta = call(dir, "readMeta", "good");
    expect(readMeta.error).toMatchObject({ name: "StoreError", code: "ENOTREG" });
    expect(readMeta.error?.message).toContain(`Could not read ${fifo}: it is a FIFO (named pipe)`);

    const writeMeta = call(dir, "writeMeta", "good");
    expect(writeMeta.error).toMatchObject({ name: "StoreError", code: "ENOTREG" });
    expect(writeMeta.error?.message).toContain(`write the meta of "good" to ${fifo}`);

    // Records are read as they are; an id with only a FIFO meta fails rather than waiting.
    expect(call(dir, "read", "good").value).toHaveLength(2);
    expect(call(dir, "read", "only").error?.message).toContain("it is a FIFO (named pipe)");
  });

  it("as the lock file: the append fails fast naming the lock instead of waiting on it", () => {
    const dir = storeWithGoodExperiment();
    const lock = join(dir, "good.jsonl.lock");
    execFileSync("mkfifo", [lock]);
    const append = call(dir, "append", "good");
    expect(append.error).toMatchObject({ name: "StoreError", code: "ENOTREG" });
    expect(append.error?.message).toContain(`Could not read the lock file ${lock}`);
    expect(append.error?.hint).toContain(`delete ${lock}`);
  });

  it("behind a symbolic link: listed as a link to a FIFO and skipped; read fails fast", () => {
    const dir = storeWithGoodExperiment();
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    execFileSync("ln", ["-s", fifo, join(dir, "linked.jsonl")]);
    const listed = call(dir, "list");
    expect(listed.value).toEqual([{ experiment_id: "good", meta: null }]);
    expect(listed.notices[0]?.message).toContain("it is a symbolic link to a FIFO (named pipe)");
    expect(call(dir, "read", "linked").error?.message).toContain("it is a FIFO (named pipe)");
  });
});

describe("devices, sockets and directories named like store files", () => {
  it("a character device (mknod c 1 3) is skipped by list; read and append refuse it", () => {
    const dir = storeWithGoodExperiment();
    const device = join(dir, "dev.jsonl");
    execFileSync("mknod", [device, "c", "1", "3"]);
    const listed = call(dir, "list");
    expect(listed.value).toEqual([{ experiment_id: "good", meta: null }]);
    expect(listed.notices[0]).toMatchObject({ kind: "skipped-file", file: device });
    expect(listed.notices[0]?.message).toContain("it is a character device");
    expect(call(dir, "read", "dev").error?.message).toContain(
      `Could not read ${device}: it is a character device, not a regular file.`,
    );
    // Appending to /dev/null's twin would "succeed" and lose the record: refused.
    expect(call(dir, "append", "dev").error?.message).toContain(
      `Could not open ${device} for append: it is a character device`,
    );
  });

  it("a socket and a directory are skipped by list; reading them is a StoreError", async () => {
    const dir = storeWithGoodExperiment();
    const socket = join(dir, "sock.jsonl");
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const directory = join(dir, "folder.meta.json");
    mkdirSync(directory);

    const listed = call(dir, "list");
    expect(listed.value).toEqual([{ experiment_id: "good", meta: null }]);
    const byFile = new Map(listed.notices.map((n) => [n.file, n.message]));
    expect(byFile.get(socket)).toContain("it is a socket");
    expect(byFile.get(directory)).toContain("it is a directory");
    expect(listed.notices).toHaveLength(2);

    expect(call(dir, "read", "sock").error).toMatchObject({ code: "ENOTREG" });
    expect(call(dir, "readMeta", "folder").error).toMatchObject({ code: "EISDIR" });
  });
});
