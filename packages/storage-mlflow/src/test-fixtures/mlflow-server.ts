/**
 * A real `mlflow server` for tests: 127.0.0.1 only, a free port, its own process group
 * (stopped as a whole), and a guard that takes it down if this Node process dies without
 * cleaning up. Backend: SQLite in a temp dir (default) or a throwaway PostgreSQL cluster;
 * artifacts: a directory in the temp dir (default) or a bucket in moto's S3.
 */
import { copyFileSync, existsSync, renameSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureMlflowVenv, type MlflowVenv } from "./mlflow-venv.js";
import { type MotoS3, startMotoS3, withoutAwsEnv } from "./moto-s3.js";
import { type PostgresCluster, startPostgres } from "./postgres.js";
import {
  answers,
  freePort,
  type GuardedProcess,
  type Live,
  outputBuffer,
  processGroupMembers,
  signalGroup,
  spawnGuarded,
  stopGroup,
  trackLive,
  untrackLive,
  waitGroupGone,
  waitReady,
} from "./processes.js";

export { freePort, processGroupMembers } from "./processes.js";

/** Where the runs live: SQLite in the data dir, or a throwaway PostgreSQL cluster. */
export type MlflowBackend = "sqlite" | "postgres";
/** Where the artifacts go: a directory in the data dir, or a bucket of moto's S3. */
export type MlflowArtifacts = "local" | "s3";

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
  /** Default "sqlite". "postgres" starts a cluster that lives until `stop()`. */
  backend?: MlflowBackend;
  /** Default "local". "s3" starts moto's S3 (until `stop()`) and proxies artifacts to it. */
  artifacts?: MlflowArtifacts;
  /** `--workers N`; default 1. "default" omits the flag (mlflow's own default, 4 in 3.x). */
  workers?: number | "default";
}

export interface MlflowServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Data directory: `mlflow.db` and `artifacts/` (used by the sqlite / local variants). */
  readonly dir: string;
  readonly dbPath: string;
  readonly artifactsDir: string;
  readonly backend: MlflowBackend;
  readonly artifacts: MlflowArtifacts;
  /** `--backend-store-uri`; the PostgreSQL one holds a password, so never log it. */
  readonly backendUri: string;
  /** `--artifacts-destination`: `artifactsDir` or `s3://<bucket>/<prefix>`. */
  readonly artifactsDestination: string;
  /** The cluster behind a "postgres" backend (kept running by `kill()` / `restart()`). */
  readonly postgres: PostgresCluster | undefined;
  /** The object store behind "s3" artifacts (kept running by `kill()` / `restart()`). */
  readonly s3: MotoS3 | undefined;
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
  /**
   * SIGTERM the process group, SIGKILL after the grace period, then stop PostgreSQL / moto,
   * remove the temp dir. Idempotent.
   */
  stop(): Promise<void>;
  /** SIGKILL the mlflow process group at once; keeps the data, PostgreSQL and moto running. */
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

// ---- the server --------------------------------------------------------------------------

function serverEnv(venv: MlflowVenv, extra: Record<string, string | undefined> = {}) {
  // Inherited MLFLOW_* and AWS_* variables (a tracking URI, a profile, real keys) are dropped.
  const env = withoutAwsEnv(process.env);
  Object.assign(env, MLFLOW_SERVER_ENV, extra);
  env.PATH = `${join(venv.venvDir, "bin")}:${process.env.PATH ?? ""}`;
  env.VIRTUAL_ENV = venv.venvDir;
  return env;
}

/** Starts what the backend and the artifact store need (in parallel); stops both on failure. */
async function startStores(
  venv: MlflowVenv,
  options: MlflowServerOptions,
): Promise<{ postgres: PostgresCluster | undefined; s3: MotoS3 | undefined }> {
  const [pg, s3] = await Promise.allSettled([
    options.backend === "postgres"
      ? startPostgres({ python: venv.python, echo: options.echo })
      : undefined,
    options.artifacts === "s3" ? startMotoS3({ venv, echo: options.echo }) : undefined,
  ]);
  if (pg.status === "rejected" || s3.status === "rejected") {
    if (pg.status === "fulfilled") await pg.value?.stop();
    if (s3.status === "fulfilled") await s3.value?.stop();
    throw pg.status === "rejected" ? pg.reason : (s3 as PromiseRejectedResult).reason;
  }
  return { postgres: pg.value, s3: s3.value };
}

/**
 * Starts `mlflow server --backend-store-uri <sqlite:////<dir>/mlflow.db | postgresql+psycopg2://…>
 * --artifacts-destination <<dir>/artifacts | s3://…> --host 127.0.0.1 --port <port>
 * [--workers 1]` and waits until `GET /health` answers 200. Always pair with
 * `await server.stop()` (e.g. in `afterAll`), which also stops PostgreSQL and moto.
 */
export async function startMlflowServer(options: MlflowServerOptions = {}): Promise<MlflowServer> {
  const venv = options.venv ?? (await ensureMlflowVenv());
  const ownedDir = options.dir ? undefined : await mkdtemp(join(tmpdir(), "converge-mlflow-"));
  const dir = resolve(options.dir ?? (ownedDir as string));
  const dbPath = join(dir, "mlflow.db");
  const artifactsDir = join(dir, "artifacts");
  await mkdir(artifactsDir, { recursive: true });
  const backend = options.backend ?? "sqlite";
  const artifacts = options.artifacts ?? "local";
  let stores: Awaited<ReturnType<typeof startStores>>;
  try {
    stores = await startStores(venv, options);
  } catch (error) {
    if (ownedDir) await rm(ownedDir, { recursive: true, force: true });
    throw error;
  }
  const { postgres, s3 } = stores;
  const backendUri = postgres?.uri ?? `sqlite:///${dbPath}`; // sqlite:////abs/path
  const artifactsDestination = s3?.destination ?? artifactsDir;
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  const stopGraceMs = options.stopGraceMs ?? 5_000;
  const templateDb = join(venv.venvDir, `.converge-empty-mlflow-${venv.version}.db`);
  const env = serverEnv(venv, { ...s3?.serverEnv, ...options.env });
  const workers = options.workers ?? 1;
  const log = outputBuffer(OUTPUT_LIMIT, options.echo);

  let port = options.port ?? (await freePort());
  let child: GuardedProcess | undefined;
  let startMs = 0;
  let stopped = false;
  const record: Live = { pgid: () => child?.pgid, ownedDir };
  trackLive(record);

  const spawnOnce = async (): Promise<void> => {
    const freshDb = backend === "sqlite" && !existsSync(dbPath);
    if (freshDb && existsSync(templateDb)) copyFileSync(templateDb, dbPath); // skips migrations
    const args = ["server", "--backend-store-uri", backendUri]
      .concat(["--artifacts-destination", artifactsDestination])
      .concat(["--host", "127.0.0.1", "--port", String(port)])
      .concat(workers === "default" ? [] : ["--workers", String(workers)])
      .concat(options.extraArgs ?? []);
    const started = Date.now();
    // Names the stores, never the backend URI (it holds the PostgreSQL password).
    log.append(
      `[harness] starting mlflow server on 127.0.0.1:${port} (${backend}, ${artifacts} artifacts, workers ${workers}, data ${dir})\n`,
    );
    const proc = spawnGuarded({
      python: venv.python,
      command: [venv.mlflow, ...args],
      cwd: dir,
      env,
      output: log.append,
    });
    child = proc;
    try {
      await waitReady(
        `mlflow server on 127.0.0.1:${port}`,
        proc,
        () => answers(`http://127.0.0.1:${port}/health`),
        startTimeoutMs,
        log.text,
      );
    } catch (error) {
      child = undefined;
      signalGroup(proc.pgid, "SIGKILL");
      await waitGroupGone(proc.pgid, 5_000);
      throw error;
    }
    startMs = Date.now() - started;
    log.append(`[harness] healthy after ${startMs} ms\n`);
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
    if (child === undefined) return;
    await stopGroup(child, signal, graceMs);
    child = undefined;
  };

  const stopAll = async (): Promise<void> => {
    try {
      await terminate("SIGTERM", stopGraceMs);
    } finally {
      untrackLive(record);
      // mlflow first: PostgreSQL's fast shutdown would otherwise cut live connections.
      await Promise.allSettled([postgres?.stop(), s3?.stop()]);
      if (ownedDir) await rm(ownedDir, { recursive: true, force: true });
    }
  };

  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await spawnOnce();
        break;
      } catch (error) {
        const portTaken = /address already in use|Errno 98/i.test(log.text().slice(-4000));
        if (options.port === undefined && portTaken && attempt < 3) {
          port = await freePort();
          continue;
        }
        throw error;
      }
    }
  } catch (error) {
    await stopAll();
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
    backend,
    artifacts,
    backendUri,
    artifactsDestination,
    postgres,
    s3,
    python: venv.python,
    mlflow: venv.mlflow,
    version: venv.version,
    get pid() {
      return child?.pgid;
    },
    get running() {
      return child !== undefined && processGroupMembers(child.pgid).length > 0;
    },
    get startMs() {
      return startMs;
    },
    output: log.text,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll();
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
      if (child !== undefined) signalGroup(child.pgid, "SIGSTOP");
    },
    thaw() {
      if (child !== undefined) signalGroup(child.pgid, "SIGCONT");
    },
  };
  return server;
}
