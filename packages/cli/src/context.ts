import type { StoreNotice } from "@converge/core";
import { createStyle, type Style, useColor } from "./style.js";

/** A stream the CLI writes to: `process.stdout` or anything with `write`. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Where the CLI reads its environment and writes its output; `process` by default. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Relative store directories and file paths are resolved against it. */
  cwd: string;
}

/** What every command is given. */
export interface CommandContext {
  io: CliIo;
  /** Styles for stdout (colour off for NO_COLOR, non-TTY, TERM=dumb). */
  style: Style;
  /** Writes one line to stdout. */
  out(line?: string): void;
  /** Writes one line to stderr. */
  err(line?: string): void;
  /** Reports a store notice (torn tail cut, skipped line) on stderr. */
  notice(notice: StoreNotice): void;
}

/** The io of the running process. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Builds the context commands share from an io. */
export function createContext(io: CliIo): CommandContext {
  const style = createStyle(useColor(io.env, io.stdout));
  const errStyle = createStyle(useColor(io.env, io.stderr));
  const err = (line = "") => {
    io.stderr.write(`${line}\n`);
  };
  return {
    io,
    style,
    out: (line = "") => {
      io.stdout.write(`${line}\n`);
    },
    err,
    notice: (n) => err(`${errStyle.yellow("warning:")} ${n.message}`),
  };
}
