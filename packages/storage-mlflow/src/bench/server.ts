/**
 * The bench's own small copy of what the test harness does (the harness in
 * `src/test-fixtures/` is test-only and not part of the build): the venv from
 * `scripts/ensure-venv.sh`, `mlflow server` under `scripts/serve_guard.py` in
 * its own process group on a free port with a SQLite backend in a temp dir,
 * and the Python baseline `scripts/log_with_python.py`. Same scripts, same
 * protocol.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** `packages/storage-mlflow/scripts/` (this file is `dist-bench/bench/server.js`). */
const SCRIPTS = fileURLToPath(new URL("../../scripts/", import.meta.url));

const SERVER_ENV: Record<string, string> = {
  MLFLOW_DISABLE_TELEMETRY: "true",
  DO_NOT_TRACK: "true",
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
  MLFLOW_ENABLE_ASSISTANT_SANDBOX: "false",
  PYTHONUNBUFFERED: "1",
  PYTHONWARNINGS: "ignore::DeprecationWarning",
};

function childEnv(venv?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("MLFLOW_") && !k.startsWith("_MLFLOW_")) env[k] = v;
  }
  Object.assign(env, SERVER_ENV);
  if (venv) {
    env.PATH = `${join(venv, "bin")}:${process.env.PATH ?? ""}`;
    env.VIRTUAL_ENV = venv;
  }
  return env;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<string>((resolve, reject) => {
    execFile(
      file,
      args,
      { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`${file} ${args.join(" ")} failed: ${error.message}\n${stderr.slice(-4000)}`),
          );
        else resolve(stdout);
      },
    );
  });
}

/** The venv directory with the pinned mlflow (made once; the script prints its path). */
export async function ensureVenv(): Promise<string> {
  const out = await run("bash", [join(SCRIPTS, "ensure-venv.sh")], process.env, 1_800_000);
  const venv = out.trim().split("\n").at(-1);
  if (!venv) throw new Error("ensure-venv.sh printed no venv path");
  return venv;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface BenchServer {
  url: string;
  dir: string;
  python: string;
  version: string;
  stop(): Promise<void>;
}

/**
 * Starts `mlflow server` and waits for `/health`. Without `workers`, no `--workers` is
 * passed: the server runs MLflow's default number of worker processes (4 in 3.17), as a
 * team's server does.
 */
export async function startServer(
  venv: string,
  options: { workers?: number } = {},
): Promise<BenchServer> {
  const python = join(venv, "bin", "python");
  const version = (
    await run(
      python,
      ["-c", 'import importlib.metadata as m; print(m.version("mlflow"))'],
      childEnv(venv),
      60_000,
    )
  ).trim();
  const dir = mkdtempSync(join(tmpdir(), "converge-mlflow-bench-"));
  const port = await freePort();
  const proc = spawn(
    python,
    [
      join(SCRIPTS, "serve_guard.py"),
      join(venv, "bin", "mlflow"),
      "server",
      "--backend-store-uri",
      `sqlite:///${join(dir, "mlflow.db")}`,
      "--artifacts-destination",
      join(dir, "artifacts"),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      ...(options.workers === undefined ? [] : ["--workers", String(options.workers)]),
    ],
    { cwd: dir, env: childEnv(venv), detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  let exited = false;
  proc.stdout?.setEncoding("utf8").on("data", (c: string) => (output = (output + c).slice(-8000)));
  proc.stderr?.setEncoding("utf8").on("data", (c: string) => (output = (output + c).slice(-8000)));
  proc.on("exit", () => (exited = true));
  const pgid = proc.pid as number;
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pgid, signal);
    } catch {
      // already gone
    }
  };
  process.on("exit", () => kill("SIGKILL"));
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited || Date.now() > deadline) {
      kill("SIGKILL");
      throw new Error(`mlflow server did not start on ${url}:\n${output}`);
    }
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.status === 200) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dir,
    python,
    version,
    async stop() {
      kill("SIGTERM");
      for (let i = 0; i < 100 && !exited; i++) await new Promise((r) => setTimeout(r, 50));
      kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What `scripts/log_with_python.py` prints. */
export interface PythonResult {
  wall_seconds: number;
  requests: number;
  requests_per_iteration: number;
  requests_by_endpoint: Record<string, number>;
  mlflow_version: string;
}

/** Runs the Python baseline and returns its JSON. */
export async function logWithPython(
  server: BenchServer,
  options: {
    experimentName: string;
    iterations: number;
    params: number;
    metrics: number;
    artifacts: boolean;
  },
): Promise<PythonResult> {
  const args = [
    join(SCRIPTS, "log_with_python.py"),
    "--tracking-uri",
    server.url,
    "--experiment-name",
    options.experimentName,
    "--iterations",
    String(options.iterations),
    "--params",
    String(options.params),
    "--metrics",
    String(options.metrics),
  ];
  if (options.artifacts) args.push("--artifacts");
  const out = await run(server.python, args, childEnv(), 1_800_000);
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as PythonResult;
}
