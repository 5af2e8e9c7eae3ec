/**
 * Running a user's command (an evaluator, a refiner) the one way Converge
 * does it: argv without a shell, one JSON document on stdin, stdout captured,
 * stderr kept as a capped log (its tail: the end of a traceback is what
 * explains it), a timeout that kills the whole process group, and an
 * environment without the secrets the user did not pass on.
 */
import { spawn } from "node:child_process";
import { ConfigurationError } from "../errors.js";

/** Environment variable names that look like secrets: dropped unless named in `passEnv`. */
export const SECRET_ENV_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

/** How long a timed-out command gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2_000;

/** The most stdout kept: a command printing more is a failure, not a memory problem. */
export const MAX_STDOUT_BYTES = 16 * 1024 * 1024;

/** How a user's command is run: what `commandEvaluator` and `commandRefiner` take. */
export interface CommandOptions {
  /** argv, run without a shell, e.g. `["python3", "backtest.py"]`. */
  command: string[];
  /** Working directory (default: this process's). */
  cwd?: string;
  /** Default 600,000 (10 minutes); then the process group is killed. */
  timeoutMs?: number;
  /** Variables set for the command. */
  env?: Record<string, string>;
  /**
   * Secret-looking variables (names matching /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i)
   * are not passed to the command unless named here.
   */
  passEnv?: string[];
  /** The stderr kept (the iteration's log, the tail shown on failure): its last this many bytes (default 16,384). */
  maxLogBytes?: number;
}

/** What to run and how. */
export interface RunCommandOptions {
  /** argv: the program and its arguments, run without a shell. */
  command: readonly string[];
  /** Written to the command's stdin, which is then closed. */
  input: string;
  cwd?: string;
  timeoutMs: number;
  /** Variables set for the command on top of the filtered environment. */
  env?: Readonly<Record<string, string>>;
  /** Secret-looking variables to pass on all the same. */
  passEnv?: readonly string[];
  /** The stderr kept: its last `maxLogBytes` bytes. */
  maxLogBytes: number;
  /** Aborting kills the process group as a timeout does. */
  signal?: AbortSignal;
}

/** How a command ended. */
export interface CommandOutcome {
  stdout: string;
  /** stderr, capped to its tail. */
  log: string;
  /** The exit code, null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Set when stdout went over {@link MAX_STDOUT_BYTES} (the process group was killed). */
  stdoutOverflow: boolean;
  /** The command could not be started (not found, not executable). */
  spawnError?: Error;
}

/**
 * The environment a command sees: `base` without secret-looking names
 * (unless in `passEnv`), then `env` on top (set explicitly, so kept).
 */
export function commandEnv(
  base: NodeJS.ProcessEnv,
  env: Readonly<Record<string, string>> = {},
  passEnv: readonly string[] = [],
): Record<string, string> {
  const allowed = new Set(passEnv);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (SECRET_ENV_NAME.test(name) && !allowed.has(name)) continue;
    out[name] = value;
  }
  return { ...out, ...env };
}

/** Checks argv and the limits, naming the option to fix. */
export function checkCommandOptions(
  where: string,
  options: { command?: unknown; timeoutMs?: unknown; maxLogBytes?: unknown },
): void {
  const { command, timeoutMs, maxLogBytes } = options;
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    !command.every((a) => typeof a === "string") ||
    command[0] === ""
  ) {
    throw new ConfigurationError(`${where}: command must be a non-empty array of strings (argv).`, {
      hint: 'e.g. command: ["python3", "evaluate.py"]; it runs without a shell',
    });
  }
  for (const [name, value] of [
    ["timeoutMs", timeoutMs],
    ["maxLogBytes", maxLogBytes],
  ] as const) {
    if (value !== undefined && !(typeof value === "number" && value > 0 && Number.isFinite(value)))
      throw new ConfigurationError(`${where}: ${name} must be a number > 0, got ${String(value)}.`);
  }
}

/** Keeps the last `max` bytes of what a stream wrote, and how much was cut. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private held = 0;
  total = 0;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.held += chunk.length;
    this.total += chunk.length;
    if (this.held > 2 * this.max) this.compact();
  }
  private compact(): void {
    const all = Buffer.concat(this.chunks);
    const kept = all.subarray(Math.max(0, all.length - this.max));
    this.chunks = [kept];
    this.held = kept.length;
  }
  text(): string {
    this.compact();
    const kept = this.chunks[0] ?? Buffer.alloc(0);
    // A cut may split a UTF-8 character: drop the replacement character it leaves.
    const body = kept.toString("utf8").replace(/^\uFFFD+/, "");
    const cut = this.total - kept.length;
    return cut > 0 ? `[first ${cut} bytes of stderr cut]\n${body}` : body;
  }
}

/** Kills a process group, ignoring one that is already gone. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group has exited.
  }
}

/**
 * Runs a command and resolves how it ended; never rejects. The command
 * leads its own process group: on timeout, abort or a flood of stdout the
 * group gets SIGTERM, then SIGKILL after {@link KILL_GRACE_MS}; when the
 * command exits, what it left running in its group is killed too, so no
 * stray process holds the pipes open.
 */
export function runCommand(options: RunCommandOptions): Promise<CommandOutcome> {
  const { command, timeoutMs, signal } = options;
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    const stderr = new TailBuffer(options.maxLogBytes);
    const state = { timedOut: false, aborted: false, stdoutOverflow: false };
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(command[0] as string, command.slice(1), {
      cwd: options.cwd,
      env: commandEnv(process.env, options.env, options.passEnv),
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const stop = (why: "timedOut" | "aborted" | "stdoutOverflow") => {
      if (killTimer !== undefined) return;
      state[why] = true;
      killGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => stop("timedOut"), timeoutMs);
    const onAbort = () => stop("aborted");
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) onAbort();

    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_STDOUT_BYTES) return stop("stdoutOverflow");
      stdout.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // A command that does not read its stdin closes the pipe: not an error of ours.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input);
    child.on("exit", () => killGroup(child.pid, "SIGKILL"));

    let spawnError: Error | undefined;
    child.on("error", (error) => {
      spawnError = error;
    });
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      if (killTimer !== undefined) clearTimeout(killTimer);
      signal?.removeEventListener("abort", onAbort);
      resolve({
        stdout: Buffer.concat(stdout).toString("utf8"),
        log: stderr.text(),
        code,
        signal: sig,
        ...state,
        ...(spawnError && { spawnError }),
      });
    });
  });
}

/** The last `lines` lines of a log, for an error message. */
export function lastLines(log: string, lines = 20): string {
  const all = log.trimEnd().split("\n");
  return all.slice(-lines).join("\n");
}

/**
 * Why a command produced nothing usable, or null when it exited 0. The
 * sentence names the cause: could not start, timed out (group killed),
 * aborted, flooded stdout, a signal or an exit code.
 */
export function commandFailure(outcome: CommandOutcome, timeoutMs: number): string | null {
  if (outcome.spawnError) return `could not be started: ${outcome.spawnError.message}`;
  if (outcome.timedOut)
    return `timed out after ${timeoutMs / 1000} s (its process group was killed)`;
  if (outcome.aborted) return "was aborted (its process group was killed)";
  if (outcome.stdoutOverflow)
    return `printed more than ${MAX_STDOUT_BYTES} bytes on stdout (its process group was killed)`;
  if (outcome.signal !== null) return `was killed by ${outcome.signal}`;
  if (outcome.code !== 0) return `exited with code ${outcome.code}`;
  return null;
}

/**
 * A failure message with what to do, then the stderr tail as its last lines
 * (the end of a traceback is what explains the failure).
 */
export function withLogTail(message: string, log: string, fix: string): string {
  const tail = lastLines(log);
  const head = `${message}\nFix: ${fix}`;
  return tail === "" ? `${head}\n(no stderr)` : `${head}\n--- stderr (last lines) ---\n${tail}`;
}
