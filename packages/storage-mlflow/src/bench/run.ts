/**
 * `pnpm bench`: logging 1,000 iterations (10 params, 10 metrics each) to a local
 * `mlflow server` with its default workers (no `--workers`: 4 in MLflow 3.17) through
 * `mlflowStore`, against the official Python client (`MlflowClient`: create_run,
 * log_batch, set_terminated, and the parent's trajectory in a log_batch,
 * `scripts/log_with_python.py`) logging the same runs, measured in the same run on
 * fresh MLflow experiments of one server. Not a test: it prints a table and PASS/FAIL
 * against the targets and exits 0 either way. When the venv cannot be made (no
 * Python, no PyPI) it says so loudly and exits 0 outside CI (the root `pnpm bench`
 * lists it as SKIPPED), 1 under CI=true, as the MLflow test suites do.
 *
 * Targets (issue "non-blocking, overlapped logging"):
 * - wall time: Converge at most 0.3 of the Python client's. Converge's wall time runs
 *   from the first append until `await store.close()` returns, i.e. until everything
 *   is on the server, whether appends upload before they return or a background
 *   sender does it after;
 * - blocked time: at most 1 ms median per iteration, where blocked time is how long
 *   each `await store.append(record)` takes (the loop waits only there).
 * After the run the server is read back (one search): exactly one FINISHED child run
 * per iteration with the record's params and metrics, or the wall-time row fails.
 *
 * Size: BENCH_ITERATIONS (default 1000). The Python baseline uploads no artifact (4
 * requests per iteration); BENCH_PYTHON_ARTIFACTS=1 adds its record.json upload (5).
 * Requests are counted by the client itself (`store.client.stats.requests`, every
 * attempt) for Converge and by wrapping MLflow's `http_request` in the Python script.
 */

import { type BenchRow, reportBenchRows, reportBenchSkipped } from "@converge/bench-kit";
import type { ExperimentRecord } from "@converge/core";
import { mlflowStore } from "../index.js";
import { benchRecords, checkOnServer, type ServerCheck } from "./records.js";
import { type BenchServer, ensureVenv, logWithPython, startServer } from "./server.js";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 1000);
const PYTHON_ARTIFACTS = process.env.BENCH_PYTHON_ARTIFACTS === "1";
const SHAPE = { params: 10, metrics: 10 };
const WARMUP = 20;
const TARGET_RATIO = 0.3;
const TARGET_BLOCKED_MS = 1;

interface ConvergeResult {
  /** First append until close() returned, in seconds. */
  wall: number;
  /** Until the last append returned, in seconds. */
  appendsDone: number;
  /** Each `await store.append(record)`, in ms. */
  blocked: number[];
  requests: number;
  retries: number;
  /** Records left in the spool after close (the server did not get them). */
  spooled: number;
  check: ServerCheck;
}

/** Logs the records through the store as a loop does: one awaited append per iteration. */
async function logWithConverge(
  server: BenchServer,
  experimentName: string,
  records: ExperimentRecord[],
): Promise<ConvergeResult> {
  const store = mlflowStore({
    trackingUri: server.url,
    experimentName,
    spoolDir: `${server.dir}/spool-${experimentName}`,
  });
  const blocked: number[] = [];
  const start = performance.now();
  for (const record of records) {
    const t = performance.now();
    await store.append(record);
    blocked.push(performance.now() - t);
  }
  const appendsDone = (performance.now() - start) / 1000;
  await store.close();
  const wall = (performance.now() - start) / 1000;
  const { requests, retries } = store.client.stats;
  // After close, what the sender could not deliver waits in the spool.
  const spooled = await store.pending().catch(() => Number.NaN);
  const check = await checkOnServer(server.url, experimentName, records);
  return { wall, appendsDone, blocked, requests, retries, spooled, check };
}

/** The q-quantile (nearest rank) of the values. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const fmt = (n: number, digits = 2) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

let venv: string;
try {
  venv = await ensureVenv();
} catch (error) {
  const message = (error as Error).message;
  console.error(`bench: MLflow is not available, nothing measured: ${message}`);
  if (process.env.CI === "true") process.exit(1);
  // ensure-venv.sh's own last word says what is missing; the rest is the command line.
  const lines = message.split("\n").map((line) => line.trim());
  const last = lines.findLast((line) => line.startsWith("ensure-venv: "));
  const reason = last?.slice("ensure-venv: ".length) ?? lines[0] ?? "";
  console.error("bench: SKIPPED outside CI (under CI=true this is a failure).");
  reportBenchSkipped("storage-mlflow", `no MLflow venv: ${reason}`);
  process.exit(0);
}
const server = await startServer(venv);
try {
  console.log(
    `MLflow ${server.version} at ${server.url} (SQLite backend, MLflow's default workers); ${ITERATIONS} iterations, ${SHAPE.params} params + ${SHAPE.metrics} metrics each`,
  );
  const stamp = Date.now().toString(36);
  const python = (name: string, iterations: number) =>
    logWithPython(server, {
      experimentName: name,
      iterations,
      ...SHAPE,
      artifacts: PYTHON_ARTIFACTS,
    });
  // Warm the server (and undici) so neither side pays for the first requests.
  await logWithConverge(
    server,
    `bench-warmup-${stamp}`,
    benchRecords("bench_warmup", WARMUP, SHAPE),
  );
  await python(`bench-warmup-py-${stamp}`, WARMUP);

  // Python first: Converge then runs against the larger database, the less favourable order.
  const py = await python(`bench-python-${stamp}`, ITERATIONS);
  const records = benchRecords("bench_converge", ITERATIONS, SHAPE);
  const cv = await logWithConverge(server, `bench-converge-${stamp}`, records);
  report(py, cv);
} finally {
  await server.stop();
}

function report(py: Awaited<ReturnType<typeof logWithPython>>, cv: ConvergeResult): void {
  const complete = cv.check.exact === ITERATIONS && cv.check.runs === ITERATIONS;
  const ratio = cv.wall / py.wall_seconds;
  const median = quantile(cv.blocked, 0.5);
  const p95 = quantile(cv.blocked, 0.95);
  const wallPass = complete && ratio <= TARGET_RATIO;
  const blockedPass = complete && median <= TARGET_BLOCKED_MS;
  const pyLabel = `official Python MlflowClient (log_batch path${PYTHON_ARTIFACTS ? " + record.json" : ""}, sequential)`;
  const perIteration = (seconds: number) => fmt((1000 * seconds) / ITERATIONS);
  const verdict = (pass: boolean) => (pass ? "PASS" : complete ? "FAIL" : "FAIL (records lost)");
  console.table([
    {
      row: pyLabel,
      "wall s": fmt(py.wall_seconds),
      "ms/iteration": perIteration(py.wall_seconds),
      "requests/iteration": fmt(py.requests_per_iteration),
      ratio: "1.00",
      target: "",
      result: "",
    },
    {
      row: "Converge mlflowStore: first append until close() returned",
      "wall s": fmt(cv.wall),
      "ms/iteration": perIteration(cv.wall),
      "requests/iteration": fmt(cv.requests / ITERATIONS),
      ratio: fmt(ratio),
      target: `<= ${TARGET_RATIO}`,
      result: verdict(wallPass),
    },
    {
      row: "Converge: loop blocked per iteration (await append), median",
      "ms/iteration": fmt(median, 3),
      target: `<= ${TARGET_BLOCKED_MS} ms`,
      result: verdict(blockedPass),
    },
    {
      row: "Converge: loop blocked per iteration (await append), p95",
      "ms/iteration": fmt(p95, 3),
    },
  ]);
  console.log(
    `Server check: ${cv.check.runs} child runs, ${cv.check.exact} of ${ITERATIONS} FINISHED with the record's params and metrics${cv.check.problems.length ? `; ${cv.check.problems.join("; ")}` : ""}.`,
  );
  console.log(
    `Converge: appends done after ${fmt(cv.appendsDone)} s, close() after ${fmt(cv.wall - cv.appendsDone)} s more; ${cv.requests} requests (${cv.retries} retried); ${cv.spooled} records left in the spool. Python requests by endpoint: ${JSON.stringify(py.requests_by_endpoint)}.`,
  );
  reportBenchRows(rows(py, cv, { ratio, median, p95, wallPass, blockedPass, complete }));
}

function rows(
  py: Awaited<ReturnType<typeof logWithPython>>,
  cv: ConvergeResult,
  r: {
    ratio: number;
    median: number;
    p95: number;
    wallPass: boolean;
    blockedPass: boolean;
    complete: boolean;
  },
): BenchRow[] {
  const workload = `log ${ITERATIONS.toLocaleString("en-US")} iterations (${SHAPE.params} params, ${SHAPE.metrics} metrics), default workers`;
  const pyBaseline = `official Python MlflowClient: ${fmt(py.wall_seconds)} s`;
  const row = (benchmark: string, rest: Omit<BenchRow, "package" | "benchmark">): BenchRow => ({
    package: "storage-mlflow",
    benchmark: `${workload}, ${benchmark}`,
    ...rest,
  });
  return [
    row(
      `official Python MlflowClient wall time (log_batch path, ${fmt(py.requests_per_iteration)} requests per iteration)`,
      {
        measured: py.wall_seconds,
        unit: "s",
        baseline: "",
        ratio: 1,
        target: "",
        pass: null,
      },
    ),
    row("Converge child runs on the server, each with its record's params and metrics", {
      measured: cv.check.exact,
      unit: "runs",
      baseline: `${cv.check.runs} child runs found`,
      ratio: null,
      target: `= ${ITERATIONS}`,
      pass: r.complete,
    }),
    row(`Converge wall time, first append until close()${r.complete ? "" : " (records lost)"}`, {
      measured: cv.wall,
      unit: "s",
      baseline: pyBaseline,
      ratio: r.ratio,
      target: `≤ ${TARGET_RATIO}`,
      pass: r.wallPass,
    }),
    row("Converge requests per iteration", {
      measured: cv.requests / ITERATIONS,
      unit: "requests",
      baseline: `official Python MlflowClient: ${fmt(py.requests_per_iteration)}`,
      ratio: cv.requests / ITERATIONS / py.requests_per_iteration,
      target: "",
      pass: null,
    }),
    row("Converge loop blocked per iteration (await append), median", {
      measured: r.median,
      unit: "ms",
      baseline: `${fmt((1000 * py.wall_seconds) / ITERATIONS)} ms per iteration, Python client`,
      ratio: null,
      target: `≤ ${TARGET_BLOCKED_MS} ms`,
      pass: r.blockedPass,
    }),
    row("Converge loop blocked per iteration (await append), p95", {
      measured: r.p95,
      unit: "ms",
      baseline: "",
      ratio: null,
      target: "",
      pass: null,
    }),
  ];
}
