/**
 * A real `mlflow server` for tests: 127.0.0.1 only, a free port, SQLite + an artifacts
 * directory in a temp dir, its own process group (stopped as a whole), and a guard that
 * takes it down if this Node process dies without cleaning up.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureMlflowVenv, type MlflowVenv, SCRIPTS_DIR } from "./mlflow-venv.js";

export interface MlflowServerOptions {
  /** Port on 127.0.0.1; default: a free one. */
  port?: number;
  /**
   * Data directory (holds `mlflow.db` and `artifacts/`). Default: a fresh temp dir that
   * `stop()` removes. A directory you pass is never removed.
   */
  dir?: string;
  /** How long to wait for `GET /health` (default 90 s). */
  startTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL in `stop()` / `restart()` (default 5 s). */
  stopGraceMs?: number;
  /** Extra environment for the server (inherited `MLFLOW_*` variables are dropped). */
  env?: Record<string, string | undefined>;
  /** Extra `mlflow server` arguments, e.g. `["--allowed-hosts", "example.org"]`. */
  extraArgs?: string[];
  /** The venv to run from; default `await ensureMlflowVenv()`. */
  venv?: MlflowVenv;
  /** Echo the server's output to this process's stderr (debugging). Default false. */
  echo?: boolean;
}

export interface MlflowServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Data directory: `mlflow.db` and `artifacts/`. */
  readonly dir: string;
  readonly dbPath: string;
  readonly artifactsDir: string;
  /** `<venv>/bin/python` (for `runPython`). */
  readonly python: string;
  /** `<venv>/bin/mlflow`. */
  readonly mlflow: string;
  /** The mlflow version the server runs. */
  readonly version: string;
  /** Process-group id (= pid of the group leader) while running, else undefined. */
  readonly pid: number | undefined;
  /** Whether the server process group is currently up. */
  readonly running: boolean;
  /** Wall time (ms) the last start took until `/health` answered 200. */
  readonly startMs: number;
  /** The last ~64 KB of the server's stdout + stderr. */
  output(): string;
  /** SIGTERM the process group, SIGKILL after the grace period, remove the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL the process group at once; keeps the data (for "server died mid-run" tests). */
  kill(): Promise<void>;
  /** Start again on the same port with the same data (stops it first if it is running). */
  restart(): Promise<void>;
  /** SIGSTOP the group: the port stays open but nothing answers (timeouts). */
  freeze(): void;
  /** SIGCONT after `freeze()`. */
  thaw(): void;
}

const OUTPUT_LIMIT = 64 * 1024;

/** Environment that keeps the server quick and quiet: no telemetry, no job runner, no sandbox. */
export const MLFLOW_SERVER_ENV: Readonly<Record<string, string>> = {
  MLFLOW_DISABLE_TELEMETRY: "true",
  DO_NOT_TRACK: "true",
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
  MLFLOW_ENABLE_ASSISTANT_SANDBOX: "false",
  PYTHONUNBUFFERED: "1",
  PYTHONWARNINGS: "ignore::DeprecationWarning",
};

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

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processGroupMembers(pgid).length > 0) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

// ---- everything this process started, torn down on exit -------------------------------

interface Live {
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

// ---- the server --------------------------------------------------------------------------

function serverEnv(venv: MlflowVenv, extra: Record<string, string | undefined> = {}) {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("MLFLOW_") || key.startsWith("_MLFLOW_")) continue;
    env[key] = value;
  }
  Object.assign(env, MLFLOW_SERVER_ENV, extra);
  env.PATH = `${join(venv.venvDir, "bin")}:${process.env.PATH ?? ""}`;
  env.VIRTUAL_ENV = venv.venvDir;
  return env;
}

/**
 * Starts `mlflow server --backend-store-uri sqlite:////<dir>/mlflow.db --artifacts-destination
 * <dir>/artifacts --host 127.0.0.1 --port <port> --workers 1` and waits until `GET /health`
 * answers 200. Always pair with `await server.stop()` (e.g. in `afterAll`).
 */
export async function startMlflowServer(options: MlflowServerOptions = {}): Promise<MlflowServer> {
  const venv = options.venv ?? (await ensureMlflowVenv());
  const ownedDir = options.dir ? undefined : await mkdtemp(join(tmpdir(), "converge-mlflow-"));
  const dir = resolve(options.dir ?? (ownedDir as string));
  const dbPath = join(dir, "mlflow.db");
  const artifactsDir = join(dir, "artifacts");
  await mkdir(artifactsDir, { recursive: true });
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  const stopGraceMs = options.stopGraceMs ?? 5_000;
  const templateDb = join(venv.venvDir, `.converge-empty-mlflow-${venv.version}.db`);
  const env = serverEnv(venv, options.env);

  let port = options.port ?? (await freePort());
  let pgid: number | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  let output = "";
  let startMs = 0;
  let stopped = false;

  const record: Live = { pgid: () => pgid, ownedDir };
  live.add(record);
  installExitHooks();

  const append = (chunk: string) => {
    output += chunk;
    if (output.length > OUTPUT_LIMIT * 2) output = output.slice(-OUTPUT_LIMIT);
    if (options.echo) process.stderr.write(chunk);
  };

  const spawnOnce = async (): Promise<void> => {
    const freshDb = !existsSync(dbPath);
    if (freshDb && existsSync(templateDb)) copyFileSync(templateDb, dbPath); // skips migrations
    const args = [
      join(SCRIPTS_DIR, "serve_guard.py"),
      venv.mlflow,
      "server",
      "--backend-store-uri",
      `sqlite:///${dbPath}`, // dbPath is absolute, so this is sqlite:////abs/path
      "--artifacts-destination",
      artifactsDir,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      "1",
      ...(options.extraArgs ?? []),
    ];
    const started = Date.now();
    append(`[harness] starting mlflow server on 127.0.0.1:${port} (data ${dir})\n`);
    const proc = spawn(venv.python, args, {
      cwd: dir,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    pgid = proc.pid;
    proc.stdout?.setEncoding("utf8").on("data", append);
    proc.stderr?.setEncoding("utf8").on("data", append);
    exited = new Promise((resolveExit) => {
      proc.on("error", (error) => {
        append(`[harness] spawn error: ${error.message}\n`);
        resolveExit(-1);
      });
      proc.on("exit", (code, signal) => {
        append(`[harness] server process exited (code ${code}, signal ${signal})\n`);
        resolveExit(code);
      });
    });
    let died = false;
    void exited.then(() => {
      died = true;
    });
    const deadline = started + startTimeoutMs;
    for (;;) {
      if (died) {
        const gone = pgid;
        pgid = undefined;
        if (gone !== undefined) signalGroup(gone, "SIGKILL");
        throw new Error(
          `mlflow server exited before answering /health on 127.0.0.1:${port}.\n--- server output (tail) ---\n${output.slice(-8000)}`,
        );
      }
      if (Date.now() > deadline) {
        const gone = pgid;
        pgid = undefined;
        if (gone !== undefined) {
          signalGroup(gone, "SIGKILL");
          await waitGroupGone(gone, 5_000);
        }
        throw new Error(
          `mlflow server did not answer GET /health on 127.0.0.1:${port} within ${startTimeoutMs} ms.\n--- server output (tail) ---\n${output.slice(-8000)}`,
        );
      }
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`, {
          signal: AbortSignal.timeout(2_000),
        });
        await response.arrayBuffer();
        if (response.status === 200) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    startMs = Date.now() - started;
    append(`[harness] healthy after ${startMs} ms\n`);
    if (freshDb && !existsSync(templateDb)) {
      // Cache the freshly migrated empty database: later servers copy it and skip migrations.
      const tmp = `${templateDb}.${process.pid}.${Date.now()}.tmp`;
      try {
        copyFileSync(dbPath, tmp);
        renameSync(tmp, templateDb);
      } catch {
        rmSync(tmp, { force: true });
      }
    }
  };

  const terminate = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    const group = pgid;
    if (group === undefined) return;
    signalGroup(group, signal);
    if (signal !== "SIGKILL") signalGroup(group, "SIGCONT"); // a frozen group must see it
    if (!(await waitGroupGone(group, graceMs))) {
      signalGroup(group, "SIGKILL");
      if (!(await waitGroupGone(group, 10_000))) {
        throw new Error(`mlflow server process group ${group} survived SIGKILL`);
      }
    }
    await Promise.race([exited, sleep(2_000)]);
    pgid = undefined;
  };

  const startWithRetry = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await spawnOnce();
        return;
      } catch (error) {
        const portTaken = /address already in use|Errno 98/i.test(output.slice(-4000));
        if (options.port === undefined && portTaken && attempt < 3) {
          port = await freePort();
          continue;
        }
        throw error;
      }
    }
  };

  try {
    await startWithRetry();
  } catch (error) {
    live.delete(record);
    if (ownedDir) await rm(ownedDir, { recursive: true, force: true });
    throw error;
  }

  const server: MlflowServer = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dir,
    dbPath,
    artifactsDir,
    python: venv.python,
    mlflow: venv.mlflow,
    version: venv.version,
    get pid() {
      return pgid;
    },
    get running() {
      return pgid !== undefined && processGroupMembers(pgid).length > 0;
    },
    get startMs() {
      return startMs;
    },
    output: () => output,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await terminate("SIGTERM", stopGraceMs);
      } finally {
        live.delete(record);
        if (ownedDir) await rm(ownedDir, { recursive: true, force: true });
      }
    },
    async kill() {
      await terminate("SIGKILL", 0);
    },
    async restart() {
      if (stopped) throw new Error("restart() after stop(): the data is gone; start a new server");
      await terminate("SIGTERM", stopGraceMs);
      await spawnOnce();
    },
    freeze() {
      if (pgid !== undefined) signalGroup(pgid, "SIGSTOP");
    },
    thaw() {
      if (pgid !== undefined) signalGroup(pgid, "SIGCONT");
    },
  };
  return server;
}
