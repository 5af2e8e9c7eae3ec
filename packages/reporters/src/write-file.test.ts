import { execFileSync } from "node:child_process";
import { constants, openSync } from "node:fs";
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "./write-file.js";

const temps = (names: string[]) => names.filter((f) => f.endsWith(".tmp"));

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
    expect(temps(await readdir(dir))).toEqual([]);
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
    expect(temps(await readdir(dir))).toEqual([]);
  });
});

describe("writeFileAtomic on targets that are not regular files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "converge-targets-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes into a character device node in place: it stays that device", async () => {
    // A real null device node (major 1, minor 3) inside the test's own directory.
    const node = join(dir, "null");
    execFileSync("mknod", [node, "c", "1", "3"]);
    const before = await stat(node);
    await writeFileAtomic(node, "report text ".repeat(10_000));
    const after = await lstat(node);
    expect(after.isCharacterDevice()).toBe(true);
    expect(after.rdev).toBe(before.rdev);
    expect(after.ino).toBe(before.ino);
    expect(await readFile(node, "utf8")).toBe("");
    expect(temps(await readdir(dir))).toEqual([]);
  });

  it("writes through a symbolic link to a device node (a /dev/stdout-style link) and keeps both", async () => {
    const node = join(dir, "null2");
    execFileSync("mknod", [node, "c", "1", "3"]);
    const link = join(dir, "stdout");
    await symlink(node, link);
    await writeFileAtomic(link, "to the device");
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(node);
    expect((await lstat(node)).isCharacterDevice()).toBe(true);
  });

  it("streams a report larger than the pipe buffer into a FIFO that has a reader", async () => {
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const reader = new Socket({
      fd: openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK),
      readable: true,
      writable: false,
    });
    const chunks: Buffer[] = [];
    reader.on("data", (c: Buffer) => chunks.push(c));
    const ended = new Promise((resolve) => reader.on("end", resolve));
    const content = `${"0123456789abcdef".repeat(40_000)}end`;
    await writeFileAtomic(fifo, content);
    await ended;
    expect(Buffer.concat(chunks).toString("utf8")).toBe(content);
    expect((await lstat(fifo)).isFIFO()).toBe(true);
    expect(temps(await readdir(dir))).toEqual([]);
  });

  it("fails at once, naming the missing reader, when nobody reads the FIFO", async () => {
    const fifo = join(dir, "lonely");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    await expect(writeFileAtomic(fifo, "x")).rejects.toThrow(
      /could not write .*lonely \(a FIFO, written in place\): .*ENXIO.*has no reader: start the program that reads it first/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it("fails instead of hanging when the FIFO's reader stops taking data", async () => {
    const fifo = join(dir, "stuck");
    execFileSync("mkfifo", [fifo]);
    // A reader that never reads: the pipe buffer fills and stays full.
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const reader = new Socket({ fd, readable: true, writable: false });
    reader.pause();
    try {
      await expect(
        writeFileAtomic(fifo, "x".repeat(1_000_000), { stallTimeoutMs: 200 }),
      ).rejects.toThrow(/could not write .*stuck.*took no data for 200 ms.*stopped reading/);
    } finally {
      reader.destroy();
    }
  });

  it("replaces the file a symbolic link points to atomically and keeps the link", async () => {
    const real = join(dir, "real-dir");
    await mkdir(real);
    const file = join(real, "report.html");
    await writeFile(file, "old");
    const link = join(dir, "report-link.html");
    await symlink(file, link);
    await writeFileAtomic(link, "new");
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(file);
    expect(await readFile(file, "utf8")).toBe("new");
    expect(temps([...(await readdir(dir)), ...(await readdir(real))])).toEqual([]);
  });

  it("refuses a directory, a link to a directory, a dangling link and a socket", async () => {
    const sub = join(dir, "sub");
    await mkdir(sub);
    await expect(writeFileAtomic(sub, "x")).rejects.toThrow(
      /could not write .*sub: it is a directory \(EISDIR\); give a file name/,
    );
    const toDir = join(dir, "to-dir");
    await symlink(sub, toDir);
    await expect(writeFileAtomic(toDir, "x")).rejects.toThrow(/to-dir: it is a directory/);
    expect((await lstat(toDir)).isSymbolicLink()).toBe(true);

    const dangling = join(dir, "dangling");
    await symlink(join(dir, "nowhere", "x.html"), dangling);
    await expect(writeFileAtomic(dangling, "x")).rejects.toThrow(
      /dangling: it is a symbolic link that leads nowhere \(ENOENT\); .*fix or remove the link/,
    );
    expect((await lstat(dangling)).isSymbolicLink()).toBe(true);

    const socketPath = join(dir, "sock");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      await expect(writeFileAtomic(socketPath, "x")).rejects.toThrow(
        /sock: it is a socket, which cannot be written as a file/,
      );
      expect((await lstat(socketPath)).isSocket()).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
