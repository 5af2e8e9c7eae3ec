/**
 * A throwaway PostgreSQL cluster for the team-deployment tests: Debian's `postgresql`
 * binaries, a cluster in a temp directory, TCP on 127.0.0.1 only (a free port), its unix
 * socket inside the temp dir, one database and password user for MLflow. It runs under
 * `scripts/serve_guard.py` in its own process group and is SIGKILLed if this process exits.
 *
 * PostgreSQL refuses to run as root: when we are root it runs as the `postgres` system user
 * (`setpriv`), the temp dir chowned to it.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isCi, type MlflowVenv, mlflowSuiteGate } from "./mlflow-venv.js";
import {
  freePort,
  type GuardedProcess,
  type Live,
  outputBuffer,
  processGroupMembers,
  spawnGuarded,
  stopGroup,
  trackLive,
  untrackLive,
  waitReady,
} from "./processes.js";

export interface PostgresOptions {
  /** Python that runs the guard script (default `$CONVERGE_PYTHON` or `python3`). */
  python?: string;
  /** How long to wait until it accepts connections (default 60 s). */
  startTimeoutMs?: number;
  /** Copy its log to this process's stderr. */
  echo?: boolean;
}

export interface PostgresCluster {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** The MLflow database and its owner (password login over TCP). */
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** `postgresql+psycopg2://user:password@127.0.0.1:port/database`, for `--backend-store-uri`. */
  readonly uri: string;
  /** The temp dir (data directory and unix socket), removed by `stop()`. */
  readonly dir: string;
  /** Process-group id while running. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Wall time of initdb + start + creating the database. */
  readonly startMs: number;
  output(): string;
  /** Runs SQL as the cluster's superuser over the unix socket; stdout of `psql -tA`. */
  psql(sql: string, database?: string): Promise<string>;
  /** Fast shutdown (SIGINT), SIGKILL after 10 s, temp dir removed. Idempotent. */
  stop(): Promise<void>;
}

/** Where PostgreSQL's server binaries are: `$CONVERGE_PG_BIN`, else the newest Debian one. */
export function postgresBinDir(): string | undefined {
  const given = process.env.CONVERGE_PG_BIN;
  if (given) return existsSync(join(given, "initdb")) ? given : undefined;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}

export const POSTGRES_MISSING =
  "PostgreSQL server binaries not found (/usr/lib/postgresql/<version>/bin/initdb): install Debian's postgresql (`apt-get install postgresql`) or point CONVERGE_PG_BIN at a directory holding initdb, postgres and psql.";

/**
 * {@link mlflowSuiteGate} plus PostgreSQL: outside CI a missing venv or missing PostgreSQL
 * binaries print a loud banner and skip; under `CI=true` they fail the file.
 */
export async function teamSuiteGate(
  suite: string,
): Promise<{ skip: false; venv: MlflowVenv } | { skip: true; reason: string }> {
  const gate = await mlflowSuiteGate(suite);
  if (gate.skip || postgresBinDir()) return gate;
  if (isCi())
    throw new Error(`${suite}: CI=true, so this is a failure, not a skip.\n${POSTGRES_MISSING}`);
  const bar = "!".repeat(78);
  console.warn(`\n${bar}\n!! SKIPPING ${suite}: ${POSTGRES_MISSING}\n${bar}\n`);
  return { skip: true, reason: POSTGRES_MISSING };
}

const ADMIN = "converge_admin";

/** As root: run as the `postgres` system user; otherwise as ourselves. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      "PostgreSQL refuses to run as root and there is no `postgres` system user to run it as: install Debian's postgresql (it creates the user) or run the tests as an ordinary user.",
    );
  }
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolveRun, reject) => {
    execFile(file, args, { env, timeout: 60_000, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
      else resolveRun(stdout);
    });
  });
}

/** As root, wraps a command in setpriv to run as `postgres` (setpriv execs: no extra process). */
function asOwner(owner: boolean, command: string[]): string[] {
  return owner
    ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", ...command]
    : command;
}

function initdbCommand(bin: string, data: string): string[] {
  return [join(bin, "initdb"), "-D", data, "-U", ADMIN]
    .concat(["--auth-local=trust", "--auth-host=scram-sha-256", "--no-locale", "-E", "UTF8"])
    .concat(["--no-sync", "--no-instructions"]);
}

function postgresCommand(bin: string, data: string, port: number, socketDir: string): string[] {
  const settings = ["listen_addresses=127.0.0.1", `unix_socket_directories=${socketDir}`]
    // A throwaway cluster: durability buys nothing here and costs the shared CPUs.
    .concat(["fsync=off", "synchronous_commit=off", "full_page_writes=off"])
    .concat(["logging_collector=off", "max_connections=200"]);
  return [join(bin, "postgres"), "-D", data, "-p", String(port)].concat(
    settings.flatMap((setting) => ["-c", setting]),
  );
}

/** Initialises, starts and prepares a cluster; pair with `await cluster.stop()`. */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const owner = runAs();
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "converge-pg-"));
  const data = join(dir, "data");
  const socketDir = join(dir, "socket");
  await mkdir(socketDir);
  if (owner) for (const path of [dir, socketDir]) chownSync(path, owner.uid, owner.gid);
  // A clean environment: nothing from the caller's PG* variables or locale leaks in.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LC_ALL: "C", HOME: dir };
  const log = outputBuffer(64 * 1024, options.echo);
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  const database = "mlflow";
  const user = "mlflow";
  let child: GuardedProcess | undefined;
  let stopped = false;
  const record: Live = { pgid: () => child?.pgid, ownedDir: dir };
  trackLive(record);

  const psql = (sql: string, db = "postgres") =>
    run(
      join(bin, "psql"),
      ["-X", "-tA", "-v", "ON_ERROR_STOP=1", "-h", socketDir, "-p", String(port)].concat([
        "-U",
        ADMIN,
        "-d",
        db,
        "-c",
        sql,
      ]),
      env,
    );

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      // SIGINT is PostgreSQL's fast shutdown: SIGTERM would wait for every client to leave.
      if (child) await stopGroup(child, "SIGINT", 10_000);
    } finally {
      untrackLive(record);
      await rm(dir, { recursive: true, force: true });
    }
  };

  try {
    const [cmd, ...args] = asOwner(owner !== undefined, initdbCommand(bin, data));
    await run(cmd as string, args, env);
    child = spawnGuarded({
      python: options.python ?? process.env.CONVERGE_PYTHON ?? "python3",
      command: asOwner(owner !== undefined, postgresCommand(bin, data, port, socketDir)),
      cwd: dir,
      env,
      output: log.append,
      orphanSignal: "INT",
    });
    const ready = child;
    await waitReady(
      `postgres on 127.0.0.1:${port}`,
      ready,
      async () => (await psql("SELECT 1")).trim() === "1",
      options.startTimeoutMs ?? 60_000,
      log.text,
    );
    await psql(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
    await psql(`CREATE DATABASE ${database} OWNER ${user}`);
  } catch (error) {
    await stop();
    throw error;
  }
  const startMs = Date.now() - started;

  return {
    host: "127.0.0.1",
    port,
    database,
    user,
    password,
    uri: `postgresql+psycopg2://${user}:${password}@127.0.0.1:${port}/${database}`,
    dir,
    get pid() {
      return stopped ? undefined : child?.pgid;
    },
    get running() {
      return !stopped && child !== undefined && processGroupMembers(child.pgid).length > 0;
    },
    startMs,
    output: log.text,
    psql,
    stop,
  };
}
