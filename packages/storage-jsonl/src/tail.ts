/**
 * Reading the end of a records file backwards, so opening an experiment for
 * append costs a few small reads however long the file is.
 */
import { readSync } from "node:fs";

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/** Reads bytes [start, end) of `fd` (positioned reads: the fd's offset is untouched). */
export function readRange(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.allocUnsafe(end - start);
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, start + done);
    if (n === 0) return buf.subarray(0, done); // the file shrank under us
    done += n;
  }
  return buf;
}

/** Offset of the last "\n" in bytes [0, end) of `fd`, or -1 when there is none. */
export function lastNewlineBefore(fd: number, end: number): number {
  let stop = end;
  while (stop > 0) {
    const start = Math.max(0, stop - CHUNK);
    const chunk = readRange(fd, start, stop);
    const at = chunk.lastIndexOf(NEWLINE);
    if (at !== -1) return start + at;
    stop = start;
  }
  return -1;
}

/** The end of a records file: what follows the last newline, and the last whole line. */
export interface Tail {
  /** Offset just after the last "\n" (0 when there is none): where a torn last line starts. */
  wholeEnd: number;
  /** Bytes after the last "\n": a torn (or unterminated) last line; empty when the file ends cleanly. */
  torn: Buffer;
  /** The last non-blank whole line, without its "\n"; undefined when there is none. */
  lastLine: string | undefined;
  /** Offset where `lastLine` starts. */
  lastLineStart: number;
}

function isBlank(text: string): boolean {
  return text.trim() === "";
}

/** Reads the tail of a file of `size` bytes. */
export function readTail(fd: number, size: number): Tail {
  const lastNewline = lastNewlineBefore(fd, size);
  const wholeEnd = lastNewline + 1;
  const torn = wholeEnd < size ? readRange(fd, wholeEnd, size) : Buffer.alloc(0);
  let end = lastNewline;
  while (end > 0) {
    const start = lastNewlineBefore(fd, end) + 1;
    const line = readRange(fd, start, end).toString("utf8");
    if (!isBlank(line)) return { wholeEnd, torn, lastLine: line, lastLineStart: start };
    end = start - 1;
  }
  return { wholeEnd, torn, lastLine: undefined, lastLineStart: 0 };
}

/** Number of "\n" in bytes [0, end) of `fd`: used only to name a line in a repair or an error. */
export function countNewlines(fd: number, end: number): number {
  let count = 0;
  const buf = Buffer.allocUnsafe(1024 * 1024);
  for (let pos = 0; pos < end; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
    if (n === 0) break;
    for (let i = buf.indexOf(NEWLINE, 0); i !== -1 && i < n; i = buf.indexOf(NEWLINE, i + 1))
      count++;
    pos += n;
  }
  return count;
}
