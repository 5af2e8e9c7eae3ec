import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { StoreError } from "@converge/core";
import { afterAll, describe, expect, it } from "vitest";
import { jsonlStore } from "./index.js";
import { record, tempDir } from "./test-fixtures/helpers.js";

function lockOf(pid: number, host = hostname()): string {
  return JSON.stringify({ pid, hostname: host, since: "2026-01-18T14:30:22.000Z" });
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(child.stdout);
}

const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
afterAll(() => {
  sleeper.kill("SIGKILL");
});

async function appendError(dir: string, lockTimeoutMs: number): Promise<StoreError> {
  const store = jsonlStore({ dir, lockTimeoutMs });
  try {
    await store.append(record("exp", 1));
  } catch (error) {
    if (StoreError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected the append to fail");
}

describe("lock file", () => {
  it("takes over a lock whose process is dead (a SIGKILLed writer does not block the next one)", async () => {
    const dir = tempDir();
    const lock = join(dir, "exp.jsonl.lock");
    writeFileSync(lock, lockOf(deadPid()));
    const store = jsonlStore({ dir, lockTimeoutMs: 1000 });
    await store.append(record("exp", 1));
    expect(JSON.parse(readFileSync(lock, "utf8"))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
    });
    await store.close();
    expect(existsSync(lock)).toBe(false);
  });

  it("takes over a lock naming this very pid that this process does not hold (a restarted container)", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "exp.jsonl.lock"), lockOf(process.pid));
    const store = jsonlStore({ dir, lockTimeoutMs: 1000 });
    await store.append(record("exp", 1));
    await store.close();
  });

  it("waits for a live holder, then says who holds it and what to do", async () => {
    const dir = tempDir();
    const lock = join(dir, "exp.jsonl.lock");
    expect(sleeper.pid).toBeGreaterThan(0);
    writeFileSync(lock, lockOf(sleeper.pid as number));
    const started = Date.now();
    const error = await appendError(dir, 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error.code).toBe("ELOCKED");
    expect(error.message).toContain(
      `Experiment "exp" is being written by pid ${sleeper.pid} since 2026-01-18T14:30:22.000Z`,
    );
    expect(error.message).toContain("wait for it or stop it");
    // The holder's lock is left alone.
    expect(readFileSync(lock, "utf8")).toBe(lockOf(sleeper.pid as number));
    expect(existsSync(join(dir, "exp.jsonl"))).toBe(false);
  });

  it("never breaks a lock held on another host, and names that host", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "exp.jsonl.lock"), lockOf(deadPid(), "other-host.example"));
    const error = await appendError(dir, 100);
    expect(error.message).toContain("on host other-host.example");
    expect(error.hint).toContain("delete");
  });

  it("treats an unreadable lock as stale only once it is old (its writer may still be filling it)", async () => {
    const dir = tempDir();
    const lock = join(dir, "exp.jsonl.lock");
    writeFileSync(lock, "");
    const error = await appendError(dir, 100);
    expect(error.message).toContain("unreadable lock file");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    const store = jsonlStore({ dir, lockTimeoutMs: 100 });
    await store.append(record("exp", 1));
    await store.close();
  });
});
