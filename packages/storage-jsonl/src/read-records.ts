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

/** One read's state: where it is in the file, and the records accepted since the last batch. */
interface ReadState {
  file: string;
  experimentId: string;
  lenient: boolean;
  notify: (notice: StoreNotice) => void;
  checks: RecordChecks;
  lineNumber: number;
  batch: ExperimentRecord[];
}

/** A whole line: blank, a record for the batch, or a bad line (thrown, or skipped when lenient). */
function takeLine(state: ReadState, line: string): void {
  const lineNumber = ++state.lineNumber;
  if (line.length === 0 || isBlank(line)) return;
  let record: ExperimentRecord;
  try {
    record = deserializeRecord(line);
  } catch (error) {
    const { file, experimentId } = state;
    const reason = reasonOf(error);
    if (!state.lenient)
      throw new CorruptRecordError({ file, line: lineNumber, reason, cause: error });
    state.notify({
      kind: "skipped-line",
      experimentId,
      file,
      line: lineNumber,
      message: `skipped line ${lineNumber} of ${file}: ${reason}`,
    });
    return;
  }
  if (state.checks.accept(record, line, lineNumber)) state.batch.push(record);
}

/** A last line without "\n": whole (e.g. a hand-edited file) or torn by a crash. */
function takeLastLine(state: ReadState, rest: string): void {
  const lineNumber = ++state.lineNumber;
  let record: ExperimentRecord;
  try {
    record = deserializeRecord(rest);
  } catch {
    const { file } = state;
    const bytes = Buffer.byteLength(rest);
    state.notify({
      kind: "torn-tail",
      experimentId: state.experimentId,
      file,
      line: lineNumber,
      message: `skipped a torn last line of ${bytes} bytes at line ${lineNumber} of ${file} (a crash cut it short; the next append moves it to a .torn-* file beside it)`,
    });
    return;
  }
  if (state.checks.accept(record, rest, lineNumber)) state.batch.push(record);
}

/**
 * Takes every whole line of `carry` + `text` and returns what is left after
 * the last "\n" (the start of a line the next chunk ends). The carry is joined
 * to the first line only: the rest of the chunk is sliced, never copied whole.
 */
function takeLines(state: ReadState, carry: string, text: string): string {
  let start = 0;
  let nl = text.indexOf("\n");
  if (carry.length > 0) {
    if (nl === -1) return carry + text;
    takeLine(state, carry + text.slice(0, nl));
    start = nl + 1;
    nl = text.indexOf("\n", start);
  }
  while (nl !== -1) {
    takeLine(state, text.slice(start, nl));
    start = nl + 1;
    nl = text.indexOf("\n", start);
  }
  return text.slice(start);
}

/** The stream's chunks, a failed read as a `StoreError`. */
async function* chunksOf(stream: AsyncIterable<unknown>, file: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw readError(file, error);
  }
}

async function* batches(
  handle: Awaited<ReturnType<typeof open>>,
  { file, experimentId, lenient, notify }: ReadRecordsOptions,
): AsyncGenerator<ExperimentRecord[]> {
  const decoder = new StringDecoder("utf8");
  const state: ReadState = {
    file,
    experimentId,
    lenient,
    notify,
    checks: new RecordChecks(file, experimentId, notify),
    lineNumber: 0,
    batch: [],
  };
  let carry = "";
  const stream = handle.createReadStream({ highWaterMark: HIGH_WATER_MARK });
  try {
    for await (const chunk of chunksOf(stream, file)) {
      carry = takeLines(state, carry, decoder.write(chunk));
      if (state.batch.length > 0) {
        yield state.batch;
        state.batch = [];
      }
    }
    const rest = carry + decoder.end();
    if (!isBlank(rest) && rest.length > 0) {
      takeLastLine(state, rest);
      if (state.batch.length > 0) yield state.batch;
    }
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
}
