import { type StoreNotice, terminalSafe } from "@converge/core";
import { createStyle, type Style, useColor } from "./style.js";
import { jsonSafe, safeOutput } from "./terminal-text.js";

/** A stream the CLI writes to: `process.stdout` or anything with `write`. */
export interface OutputStream {
  /** Returns false (as Node streams do) when the caller should wait for "drain". */
  write(text: string): unknown;
  isTTY?: boolean;
  /** Node streams have it: long outputs wait for "drain" instead of piling up in memory. */
  once?(event: "drain", listener: () => void): unknown;
}

/** Where the CLI reads its environment and writes its output; `process` by default. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Relative store directories and file paths are resolved against it. */
  cwd: string;
}

/**
 * What every command is given. Every writer escapes control and invisible
 * characters (see terminal-text.ts): text from records never acts on the
 * terminal, whichever command prints it.
 */
export interface CommandContext {
  io: CliIo;
  /** Styles for stdout (colour off for NO_COLOR, non-TTY, TERM=dumb). */
  style: Style;
  /**
   * Writes one line to stdout. Control characters in it, a line break
   * included, are printed as escapes (`\x1b`, `\n`); the colour codes of
   * `style` are kept.
   */
  out(line?: string): void;
  /**
   * Writes a message to stderr. It may span lines (an error and its "Fix:"
   * line); every other control character is printed as an escape.
   */
  err(line?: string): void;
  /** Reports a store notice (torn tail cut, skipped line) on stderr as a one-line warning. */
  notice(notice: StoreNotice): void;
  /**
   * Writes JSON text to stdout as it is, line breaks kept and no newline
   * added: a whole document or one chunk of a long one. What JSON.stringify
   * leaves raw (DEL, C1 controls, bidi and zero-width characters, U+2028)
   * is written as `\uXXXX`, the same JSON value. Resolves when stdout can take
   * more.
   */
  json(text: string): Promise<void>;
}

/** The io of the running process. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Writes, and waits for "drain" when the stream asks for it. */
function writeAndWait(stream: OutputStream, text: string): Promise<void> {
  const ok = stream.write(text);
  if (ok !== false || typeof stream.once !== "function") return Promise.resolve();
  return new Promise((resolve) => stream.once?.("drain", resolve));
}

/** Builds the context commands share from an io. */
export function createContext(io: CliIo): CommandContext {
  const style = createStyle(useColor(io.env, io.stdout));
  const errStyle = createStyle(useColor(io.env, io.stderr));
  const err = (line = "") => {
    io.stderr.write(`${safeOutput(line, { colour: errStyle.enabled, keepNewlines: true })}\n`);
  };
  return {
    io,
    style,
    out: (line = "") => {
      io.stdout.write(`${safeOutput(line, { colour: style.enabled })}\n`);
    },
    err,
    // A notice is one line: a line break in its message (which may quote a
    // file name or a record) is escaped, not printed.
    notice: (n) => err(`${errStyle.yellow("warning:")} ${terminalSafe(n.message)}`),
    json: (text) => writeAndWait(io.stdout, jsonSafe(text)),
  };
}
