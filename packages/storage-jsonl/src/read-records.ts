/**
 * Streaming reader of a records file. Lines are split here on "\n" rather than
 * with `readline`, which hands back a torn last line as if it were whole.
 */
import { constants } from "node:fs";
import { open, stat } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import {
  CorruptRecordError,
  deserializeRecord,
  type ExperimentRecord,
  StoreError,
  type StoreNotice,
  ValidationError,
} from "@converge/core";
import { fileTypeOf, notRegularError } from "./file-safety.js";
import { RecordChecks } from "./record-checks.js";
import { errorCode, errorMessage } from "./sys-error.js";

/** Large reads: fewer chunks, fewer carries of a line across two chunks. */
const HIGH_WATER_MARK = 1024 * 1024;

export interface ReadRecordsOptions {
  file: string;
  experimentId: string;
  lenient: boolean;
  notify: (notice: StoreNotice) => void;
}

/** Why a line is not a record, in one line of text. */
function reasonOf(error: unknown): string {
  if (ValidationError.isInstance(error)) {
    return error.issues.map((i) => `${i.path || "record"}: ${i.message}`).join("; ");
  }
  if (error instanceof SyntaxError) return `not JSON (${error.message})`;
  return errorMessage(error);
}

function readError(file: string, error: unknown): StoreError {
  return new StoreError(`Could not read ${file}: ${errorMessage(error)}`, {
    code: errorCode(error),
    cause: error,
    hint: "check that the file is a readable regular file (permissions, not a directory)",
  });
}

function isBlank(line: string): boolean {
  // Records start with "{"; only other lines need the (rarer) whitespace test.
  return line.charCodeAt(0) !== 0x7b && line.trim() === "";
}

/**
 * The records of `file` in file order, a chunk's worth at a time; `undefined`
 * when the file does not exist. Blank lines are ignored; a bad line is a
 * `CorruptRecordError` (or, when lenient, skipped and reported); a torn last
 * line (no final "\n" and not a whole record) is skipped and reported. A
 * record of another experiment or a repeated iteration is dropped, and the
 * first record out of order and every inexact number are reported (see
 * `RecordChecks`). Not a regular file (FIFO, device, directory): a
 * `StoreError`, without waiting on it.
 */
export async function openRecordBatches(
  options: ReadRecordsOptions,
): Promise<AsyncGenerator<ExperimentRecord[]> | undefined> {
  const { file } = options;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // A FIFO would block the open and every read, a device would never end:
    // the type is checked before the open (which is non-blocking) and after it.
    const before = await stat(file);
    if (!before.isFile()) throw notRegularError(file, "read", fileTypeOf(before));
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (StoreError.isInstance(error)) throw error;
    if (errorCode(error) === "ENOENT") return undefined;
    throw readError(file, error);
  }
  const after = await handle.stat().catch(() => undefined);
  if (!after?.isFile()) {
    await handle.close().catch(() => undefined);
    throw notRegularError(file, "read", after ? fileTypeOf(after) : "not a readable file");
  }
  return batches(handle, options);
}

async function* batches(
  handle: Awaited<ReturnType<typeof open>>,
  { file, experimentId, lenient, notify }: ReadRecordsOptions,
): AsyncGenerator<ExperimentRecord[]> {
  const decoder = new StringDecoder("utf8");
  let lineNumber = 0;
  let carry = "";
  let batch: ExperimentRecord[] = [];
  const checks = new RecordChecks(file, experimentId, notify);

  const take = (line: string): void => {
    lineNumber++;
    if (line.length === 0 || isBlank(line)) return;
    let record: ExperimentRecord;
    try {
      record = deserializeRecord(line);
    } catch (error) {
      const reason = reasonOf(error);
      if (!lenient) throw new CorruptRecordError({ file, line: lineNumber, reason, cause: error });
      notify({
        kind: "skipped-line",
        experimentId,
        file,
        line: lineNumber,
        message: `skipped line ${lineNumber} of ${file}: ${reason}`,
      });
      return;
    }
    if (checks.accept(record, line, lineNumber)) batch.push(record);
  };

  const stream = handle.createReadStream({ highWaterMark: HIGH_WATER_MARK });
  const chunks = (async function* () {
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (error) {
      throw readError(file, error);
    }
  })();
  try {
    for await (const chunk of chunks) {
      const text = decoder.write(chunk);
      let start = 0;
      let nl = text.indexOf("\n");
      if (carry.length > 0) {
        if (nl === -1) {
          carry += text;
          continue;
        }
        take(carry + text.slice(0, nl));
        carry = "";
        start = nl + 1;
        nl = text.indexOf("\n", start);
      }
      while (nl !== -1) {
        take(text.slice(start, nl));
        start = nl + 1;
        nl = text.indexOf("\n", start);
      }
      carry = text.slice(start);
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
    const rest = carry + decoder.end();
    if (!isBlank(rest) && rest.length > 0) {
      lastLine(rest);
      if (batch.length > 0) yield batch;
    }
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }

  // A last line without "\n": whole (e.g. a hand-edited file) or torn by a crash.
  function lastLine(rest: string): void {
    lineNumber++;
    let record: ExperimentRecord;
    try {
      record = deserializeRecord(rest);
    } catch {
      const bytes = Buffer.byteLength(rest);
      notify({
        kind: "torn-tail",
        experimentId,
        file,
        line: lineNumber,
        message: `skipped a torn last line of ${bytes} bytes at line ${lineNumber} of ${file} (a crash cut it short; the next append moves it to a .torn-* file beside it)`,
      });
      return;
    }
    if (checks.accept(record, rest, lineNumber)) batch.push(record);
  }
}
