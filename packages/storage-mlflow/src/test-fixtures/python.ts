/**
 * Run the Python scripts in `packages/storage-mlflow/scripts/` (official MLflow client)
 * and parse their JSON output.
 */
import { spawn } from "node:child_process";
import { isAbsolute, join } from "node:path";
import { MLFLOW_SERVER_ENV } from "./mlflow-server.js";
import { SCRIPTS_DIR } from "./mlflow-venv.js";

/** `packages/storage-mlflow/scripts/<name>`. */
export function scriptPath(name: string): string {
  return isAbsolute(name) ? name : join(SCRIPTS_DIR, name);
}

export class PythonScriptError extends Error {
  override name = "PythonScriptError";
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/**
 * Runs `python <script> ...args` (a bare script name resolves to `scripts/<name>`) and
 * returns its stdout parsed as JSON (the whole output, else its last non-empty line).
 * Rejects with {@link PythonScriptError} carrying stderr on a non-zero exit, a timeout
 * (default 120 s) or output that is not JSON. Inherited `MLFLOW_*` variables are dropped;
 * telemetry is off.
 */
export function runPython<T = unknown>(
  python: string,
  script: string,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
  options: { timeoutMs?: number } = {},
): Promise<T> {
  const file = scriptPath(script);
  const childEnv: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("MLFLOW_") && !key.startsWith("_MLFLOW_")) childEnv[key] = value;
  }
  Object.assign(childEnv, MLFLOW_SERVER_ENV, env);
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise<T>((resolve, reject) => {
    const child = spawn(python, [file, ...args], {
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const command = `${python} ${file} ${args.join(" ")}`;
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(
        new PythonScriptError(`cannot run ${command}: ${error.message}`, null, stdout, stderr),
      );
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const tail = stderr.trim().split("\n").slice(-30).join("\n");
      if (timedOut || code !== 0) {
        const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code}`;
        reject(
          new PythonScriptError(
            `${command} ${why}\n--- stderr (tail) ---\n${tail}`,
            code,
            stdout,
            stderr,
          ),
        );
        return;
      }
      const text = stdout.trim();
      for (const candidate of [text, text.split("\n").pop() ?? ""]) {
        try {
          resolve(JSON.parse(candidate) as T);
          return;
        } catch {
          // try the last line
        }
      }
      reject(
        new PythonScriptError(
          `${command} printed no JSON:\n${text.slice(0, 2000)}\n--- stderr (tail) ---\n${tail}`,
          code,
          stdout,
          stderr,
        ),
      );
    });
  });
}

// ---- read_back.py -----------------------------------------------------------------------

/** A metric value as the official client reads it; non-finite values as strings. */
export type ReadBackNumber = number | "NaN" | "Infinity" | "-Infinity";

/** A number as the scripts print it, back to a number (NaN and ±Infinity from their strings). */
export function readBackNumber(v: ReadBackNumber): number {
  if (v === "NaN") return Number.NaN;
  if (v === "Infinity") return Number.POSITIVE_INFINITY;
  if (v === "-Infinity") return Number.NEGATIVE_INFINITY;
  return v;
}

export interface ReadBackRun {
  run_id: string;
  run_name: string;
  experiment_id: string;
  status: string;
  lifecycle_stage: string;
  start_time: number | null;
  end_time: number | null;
  artifact_uri: string;
  /** The `mlflow.parentRunId` tag, null for a parent. */
  parent_run_id: string | null;
  params: Record<string, string>;
  /** Latest value per key. */
  metrics: Record<string, ReadBackNumber>;
  tags: Record<string, string>;
  /** Parents always (unless history "none"); children only with history "all". */
  metric_history?: Record<
    string,
    Array<{ step: number; value: ReadBackNumber; timestamp: number }>
  >;
  /** Files (recursive), absent with `artifacts: false`. */
  artifacts?: Array<{ path: string; file_size: number | null }>;
  /** Text of the `readArtifacts` paths that exist in this run. */
  artifact_contents?: Record<string, string>;
}

export interface ReadBackResult {
  mlflow_version: string;
  experiment: {
    experiment_id: string;
    name: string;
    lifecycle_stage: string;
    artifact_location: string;
    tags: Record<string, string>;
  } | null;
  /** Top-level runs (no `mlflow.parentRunId`), oldest first. */
  parents: ReadBackRun[];
  /** The only parent when there is exactly one, else null. */
  parent: ReadBackRun | null;
  /** Children of the parents, by `converge.iteration` tag then start time. */
  children: ReadBackRun[];
  /** Child runs whose parent is not among `parents` (only without convergeExperimentId). */
  orphans: ReadBackRun[];
}

export interface ReadBackQuery {
  experimentName: string;
  /** Keep only parents tagged `converge.experiment_id = <id>` (and their children). */
  convergeExperimentId?: string;
  /** Metric histories to fetch: "parent" (default), "all" (one request per key per run), "none". */
  history?: "parent" | "all" | "none";
  /** List artifacts (default true). */
  artifacts?: boolean;
  /** Artifact paths (relative to each run's root) to download and return as text. */
  readArtifacts?: string[];
  includeDeleted?: boolean;
  /** Point the official client somewhere else than `server.url` (e.g. through a proxy). */
  trackingUri?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** Reads what was logged with the official `MlflowClient` (`scripts/read_back.py`). */
export function readBack(
  server: { url: string; python: string },
  query: ReadBackQuery,
): Promise<ReadBackResult> {
  const args = [
    "--tracking-uri",
    query.trackingUri ?? server.url,
    "--experiment-name",
    query.experimentName,
    "--history",
    query.history ?? "parent",
  ];
  if (query.convergeExperimentId !== undefined) {
    args.push("--converge-experiment-id", query.convergeExperimentId);
  }
  if (query.artifacts === false) args.push("--no-artifacts");
  for (const path of query.readArtifacts ?? []) args.push("--read-artifact", path);
  if (query.includeDeleted) args.push("--include-deleted");
  return runPython<ReadBackResult>(server.python, "read_back.py", args, query.env, {
    timeoutMs: query.timeoutMs ?? 300_000,
  });
}

// ---- log_with_python.py -------------------------------------------------------------------

export interface LogWithPythonOptions {
  experimentName: string;
  iterations?: number; // default 1000
  params?: number; // default 10
  metrics?: number; // default 10
  /** Threads logging iterations in parallel (default 1: the plain sequential client). */
  concurrency?: number;
  /** Also upload a record.json artifact per child. */
  artifacts?: boolean;
  seed?: number;
  trackingUri?: string;
  timeoutMs?: number;
}

export interface LogWithPythonResult {
  /** Logging only: after Python imports and data generation. */
  wall_seconds: number;
  setup_seconds: number;
  iterations: number;
  runs_created: number;
  /** HTTP requests the official client made while logging. */
  requests: number;
  requests_by_endpoint: Record<string, number>;
  requests_per_iteration: number;
  experiment_id: string;
  parent_run_id: string;
  converge_experiment_id: string;
  mlflow_version: string;
  concurrency: number;
}

/** The benchmark baseline (`scripts/log_with_python.py`). */
export function logWithPython(
  server: { url: string; python: string },
  options: LogWithPythonOptions,
): Promise<LogWithPythonResult> {
  const args = [
    "--tracking-uri",
    options.trackingUri ?? server.url,
    "--experiment-name",
    options.experimentName,
    "--iterations",
    String(options.iterations ?? 1000),
    "--params",
    String(options.params ?? 10),
    "--metrics",
    String(options.metrics ?? 10),
    "--concurrency",
    String(options.concurrency ?? 1),
    "--seed",
    String(options.seed ?? 1),
  ];
  if (options.artifacts) args.push("--artifacts");
  return runPython<LogWithPythonResult>(
    server.python,
    "log_with_python.py",
    args,
    {},
    {
      timeoutMs: options.timeoutMs ?? 1_800_000,
    },
  );
}
