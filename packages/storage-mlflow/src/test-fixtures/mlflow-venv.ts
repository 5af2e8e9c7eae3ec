/**
 * The Python virtual environment holding the pinned `mlflow` that the MLflow tests run
 * their server (and the official-client cross-checks) from.
 *
 * All the work is done by `scripts/ensure-venv.sh` (also run by `.ci/run`), so the venv
 * path, the lock protocol and the pinned version (`mlflow-version.txt`) live in one place.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** `packages/storage-mlflow/` (this file is `src/test-fixtures/mlflow-venv.ts`). */
export const PACKAGE_DIR: string = fileURLToPath(new URL("../../", import.meta.url));

/** `packages/storage-mlflow/scripts/`. */
export const SCRIPTS_DIR: string = join(PACKAGE_DIR, "scripts");

/** The pinned mlflow version, read from `packages/storage-mlflow/mlflow-version.txt`. */
export const MLFLOW_VERSION: string = readFileSync(join(PACKAGE_DIR, "mlflow-version.txt"), "utf8")
  .trim()
  .replace(/^v/, "");

export interface MlflowVenv {
  /** `<venv>/bin/python` */
  python: string;
  /** `<venv>/bin/mlflow` */
  mlflow: string;
  /** The venv directory. */
  venvDir: string;
  /** The installed (= pinned) mlflow version. */
  version: string;
}

export type MlflowAvailability =
  | ({ ok: true } & MlflowVenv)
  | { ok: false; reason: string /** true when running under CI=true */; ci: boolean };

/** Thrown when the venv cannot be made; the message says what is missing and how to fix it. */
export class MlflowUnavailableError extends Error {
  override name = "MlflowUnavailableError";
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

/** Under CI (`CI=true`) a missing Python/PyPI is a failure, never a skip. */
export function isCi(): boolean {
  return process.env.CI === "true";
}

const FIXES: Record<number, string> = {
  10: "Python 3 is missing: install it (Debian/Ubuntu: `apt-get install python3 python3-venv`) or point CONVERGE_PYTHON at a python3.",
  11: "`python3 -m venv` does not work: install the venv module (Debian/Ubuntu: `apt-get install python3-venv`).",
  12: `pip could not install mlflow==${MLFLOW_VERSION}: PyPI is unreachable or blocked (set HTTPS_PROXY / PIP_INDEX_URL), or pre-build the venv with \`bash packages/storage-mlflow/scripts/ensure-venv.sh\`.`,
  13: `the venv holds the wrong mlflow version: delete it and rerun \`bash packages/storage-mlflow/scripts/ensure-venv.sh\`.`,
  14: "another process has held the venv lock for 20 minutes: if no install is running, delete the `.lock` directory next to the venv.",
};

let pending: Promise<MlflowVenv> | undefined;

/**
 * Creates the venv once (`python3 -m venv`, `pip install mlflow==<pinned>`) and reuses it
 * afterwards; safe when several test files (processes) race for it. Memoised per process.
 * Rejects with {@link MlflowUnavailableError} when Python, `venv` or PyPI is missing.
 */
export function ensureMlflowVenv(
  options: { log?: (line: string) => void } = {},
): Promise<MlflowVenv> {
  pending ??= runEnsureScript(options.log).catch((error: unknown) => {
    pending = undefined; // let a later call retry
    throw error;
  });
  return pending;
}

function runEnsureScript(log?: (line: string) => void): Promise<MlflowVenv> {
  const script = join(SCRIPTS_DIR, "ensure-venv.sh");
  return new Promise<MlflowVenv>((resolve, reject) => {
    const child = spawn("bash", [script], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
      if (log) for (const line of chunk.split("\n")) if (line.trim()) log(line);
    });
    child.on("error", (error) => {
      reject(
        new MlflowUnavailableError(
          `MLflow test server unavailable: cannot run bash (${error.message}); the harness needs bash and python3.`,
          null,
        ),
      );
    });
    child.on("close", (code) => {
      if (code === 0) {
        const venvDir = stdout.trim().split("\n").pop() ?? "";
        resolve({
          venvDir,
          python: join(venvDir, "bin", "python"),
          mlflow: join(venvDir, "bin", "mlflow"),
          version: MLFLOW_VERSION,
        });
        return;
      }
      const fix =
        (code !== null && FIXES[code]) ||
        `\`bash ${script}\` failed (exit ${code}); run it by hand to see why.`;
      const tail = stderr.trim().split("\n").slice(-15).join("\n");
      reject(
        new MlflowUnavailableError(
          `MLflow test server unavailable: ${fix}\n--- ensure-venv.sh output (tail) ---\n${tail}`,
          code,
        ),
      );
    });
  });
}

/**
 * Whether the MLflow tests can run here. Never throws: `{ ok: false, reason }` when the venv
 * cannot be made. Test files decide with {@link mlflowSuiteGate}.
 */
export async function mlflowAvailability(): Promise<MlflowAvailability> {
  try {
    return { ok: true, ...(await ensureMlflowVenv()) };
  } catch (error) {
    return {
      ok: false,
      reason: error instanceof Error ? error.message : String(error),
      ci: isCi(),
    };
  }
}

/**
 * The decision a test file needs, at top level:
 *
 * ```ts
 * const gate = await mlflowSuiteGate();
 * describe.skipIf(gate.skip)("mlflow store against a real server", () => { ... });
 * ```
 *
 * Outside CI a missing Python/PyPI prints a loud banner (console.warn) and returns
 * `{ skip: true }`; under `CI=true` it throws, so the test file fails.
 */
export async function mlflowSuiteGate(
  suite = "MLflow tests",
): Promise<{ skip: false; venv: MlflowVenv } | { skip: true; reason: string }> {
  const availability = await mlflowAvailability();
  if (availability.ok) {
    const { ok: _ok, ...venv } = availability;
    return { skip: false, venv };
  }
  if (availability.ci) {
    throw new Error(`${suite}: CI=true, so this is a failure, not a skip.\n${availability.reason}`);
  }
  const bar = "!".repeat(78);
  console.warn(
    `\n${bar}\n!! SKIPPING ${suite}: no MLflow server can be started here.\n!! ${availability.reason.replaceAll("\n", "\n!! ")}\n!! (Under CI=true this fails instead of skipping.)\n${bar}\n`,
  );
  return { skip: true, reason: availability.reason };
}
