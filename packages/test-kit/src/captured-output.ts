import type { ChildProcess } from "node:child_process";

/** What a child process printed, read as it runs, and how it ended. */
export interface CapturedOutput {
  /** Everything on stdout so far. */
  readonly stdout: string;
  /** Everything on stderr so far. */
  readonly stderr: string;
  /** Resolves when the process has exited and its output is closed; rejects if it could not start. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Collects a spawned process's stdout and stderr (spawned with
 * `stdio: [..., "pipe", "pipe"]`) as UTF-8 text, for tests that run real
 * processes and assert on what they printed.
 */
export function captureOutput(child: ChildProcess): CapturedOutput {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ code, signal }));
    },
  );
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    closed,
  };
}
