/**
 * What the harness's servers (mlflow, PostgreSQL, moto) share: free ports, process groups
 * that are stopped as a whole, a guard process that takes a group down when this Node
 * process dies without cleaning up, and a registry of everything started here that is
 * SIGKILLed on exit.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SCRIPTS_DIR } from "./mlflow-venv.js";

/** A free TCP port on 127.0.0.1 (asks the kernel for one). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Pids of the live (non-zombie) members of a process group; [] when it is gone. */
export function processGroupMembers(pgid: number): number[] {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return [];
    throw error;
  }
  if (!existsSync("/proc/self/stat")) return [pgid];
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...: comm may contain spaces, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") {
      members.push(Number(entry));
    }
  }
  return members;
}

/** Signals a whole process group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Waits until no live member of the group is left; false after `timeoutMs`. */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processGroupMembers(pgid).length > 0) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

// ---- everything this process started, torn down on exit -------------------------------

/** A started group: SIGKILLed, and its owned directory removed, when this process exits. */
export interface Live {
  pgid(): number | undefined;
  ownedDir: string | undefined;
}
const live = new Set<Live>();
let exitHooksInstalled = false;

function killAllSync(): void {
  for (const entry of live) {
    const pgid = entry.pgid();
    if (pgid !== undefined) signalGroup(pgid, "SIGKILL");
    if (entry.ownedDir) rmSync(entry.ownedDir, { recursive: true, force: true });
  }
  live.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on("exit", killAllSync);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const handler = () => {
      killAllSync();
      // Re-raise with the default behaviour unless someone else handles the signal.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once(signal, handler);
  }
}

/** Registers a group (and its temp dir) for the SIGKILL-on-exit sweep. */
export function trackLive(entry: Live): void {
  live.add(entry);
  installExitHooks();
}

/** Forgets a group that was stopped properly. */
export function untrackLive(entry: Live): void {
  live.delete(entry);
}

// ---- a command under scripts/serve_guard.py --------------------------------------------

export interface GuardedProcess {
  /** Process-group id (= the guard's pid). */
  readonly pgid: number;
  /** Resolves with the guard's exit code once it is gone (-1 when it could not spawn). */
  readonly exited: Promise<number | null>;
  /** Whether the guard has exited. */
  readonly dead: () => boolean;
}

export interface GuardedSpawn {
  /** The Python that runs `serve_guard.py` (any python3). */
  python: string;
  /** The command and its arguments, run by the guard in the guard's process group. */
  command: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Receives stdout and stderr (utf-8 chunks) and the harness's own lines. */
  output: (chunk: string) => void;
  /**
   * The signal the guard sends its group when orphaned (then SIGKILL after 5 s). Default
   * SIGTERM; PostgreSQL wants SIGINT (SIGTERM waits for every client to leave).
   */
  orphanSignal?: "TERM" | "INT";
}

/**
 * Spawns `python serve_guard.py <command...>` as the leader of a new process group, so the
 * command and its children stop with one `kill(-pgid, signal)`, and the guard takes the
 * group down if this Node process dies without cleaning up.
 */
export function spawnGuarded(options: GuardedSpawn): GuardedProcess {
  const proc = spawn(options.python, [join(SCRIPTS_DIR, "serve_guard.py"), ...options.command], {
    cwd: options.cwd,
    env: { ...options.env, CONVERGE_GUARD_SIGNAL: options.orphanSignal ?? "TERM" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (proc.pid === undefined) {
    throw new Error(`cannot spawn ${options.python} (${options.command[0]}): no pid`);
  }
  proc.stdout?.setEncoding("utf8").on("data", options.output);
  proc.stderr?.setEncoding("utf8").on("data", options.output);
  let dead = false;
  const exited = new Promise<number | null>((resolveExit) => {
    proc.on("error", (error) => {
      options.output(`[harness] spawn error: ${error.message}\n`);
      dead = true;
      resolveExit(-1);
    });
    proc.on("exit", (code, signal) => {
      options.output(`[harness] ${options.command[0]} exited (code ${code}, signal ${signal})\n`);
      dead = true;
      resolveExit(code);
    });
  });
  return { pgid: proc.pid, exited, dead: () => dead };
}

/**
 * Stops a group: `signal` (followed by SIGCONT so a frozen group sees it), SIGKILL after
 * `graceMs`, then waits for the guard's exit. Throws if the group survives SIGKILL.
 */
export async function stopGroup(
  child: GuardedProcess,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<void> {
  signalGroup(child.pgid, signal);
  if (signal !== "SIGKILL") signalGroup(child.pgid, "SIGCONT");
  if (!(await waitGroupGone(child.pgid, graceMs))) {
    signalGroup(child.pgid, "SIGKILL");
    if (!(await waitGroupGone(child.pgid, 10_000))) {
      throw new Error(`process group ${child.pgid} survived SIGKILL`);
    }
  }
  await Promise.race([child.exited, sleep(2_000)]);
}

/** Keeps the last `limit` characters of a stream of chunks (at most twice that in memory). */
export function outputBuffer(
  limit: number,
  echo = false,
): { append: (chunk: string) => void; text: () => string } {
  let output = "";
  return {
    append(chunk: string) {
      output += chunk;
      if (output.length > limit * 2) output = output.slice(-limit);
      if (echo) process.stderr.write(chunk);
    },
    text: () => output,
  };
}

/**
 * Polls `ready()` every 100 ms until it is true. Throws when the process died first or
 * `timeoutMs` passed, with `what` and the output's tail in the message.
 */
export async function waitReady(
  what: string,
  child: GuardedProcess,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.dead()) {
      throw new Error(
        `${what} exited before it was ready.\n--- output (tail) ---\n${tail(output)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} was not ready within ${timeoutMs} ms.\n--- output (tail) ---\n${tail(output)}`,
      );
    }
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
}

function tail(output: () => string): string {
  return output().slice(-8000);
}

/** Whether `GET url` answers `status` within 2 s. */
export async function answers(url: string, status = 200): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === status;
  } catch {
    return false;
  }
}
