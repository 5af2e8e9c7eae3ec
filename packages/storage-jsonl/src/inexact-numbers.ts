/**
 * Number literals in a record's `parameters` and `metrics` that JavaScript
 * cannot hold as written: an integer beyond 2^53 that rounds (a Python seed
 * of 2**64), `-0` (JSON writes it back as 0) and a non-zero literal that
 * underflows to 0 (`1e-400`). `JSON.parse` changes them silently, so they
 * are found and reported.
 *
 * Reads stay fast: the parsed values are checked first (a few comparisons a
 * number), and only a record holding a suspicious value (-0, 0 or an integer
 * beyond 2^53) has its raw line scanned; a plain 0 only when the line also
 * holds a large negative exponent or a long run of zeros.
 */

/** One literal that changed on parse. */
export interface InexactNumber {
  /** Where it is, e.g. `parameters.seed` or `parameters.grid[2]`. */
  path: string;
  /** The literal as written in the line. */
  literal: string;
  /** What JavaScript holds instead, as text (`-0` for minus zero). */
  held: string;
  /** Why it changed, e.g. "an integer beyond 2^53 loses precision". */
  reason: string;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/**
 * A decimal without an exponent needs at least 224 leading zeros to underflow
 * (with an exponent of two digits at most); any exponent of three digits is
 * suspicious. The short needle keeps `indexOf` fast; the run is measured after.
 */
const ZEROS = "0000000000000000";
const MIN_ZERO_RUN = 200;

/** Nothing suspicious, only zeros (0 may be an underflow), or something else (-0, beyond 2^53). */
const NONE = 0;
const ZERO = 1;
const OTHER = 2;
type Suspicion = typeof NONE | typeof ZERO | typeof OTHER;

function numberSuspicion(value: number): Suspicion {
  if (value === 0) return Object.is(value, -0) ? OTHER : ZERO;
  return value > MAX_SAFE || value < -MAX_SAFE ? OTHER : NONE;
}

/**
 * The worst suspicion among the values of a parameters or metrics object.
 * Hot (every record of every read): a flat loop, recursing only into nested values.
 */
function suspicionOf(object: Record<string, unknown>): Suspicion {
  let worst: Suspicion = NONE;
  for (const key in object) {
    const value = object[key];
    if (typeof value === "number") {
      if (value === 0 || value > MAX_SAFE || value < -MAX_SAFE) {
        if (numberSuspicion(value) === OTHER) return OTHER;
        worst = ZERO;
      }
    } else if (typeof value === "object" && value !== null) {
      const nested = nestedSuspicion(value);
      if (nested === OTHER) return OTHER;
      if (nested === ZERO) worst = ZERO;
    }
  }
  return worst;
}

function nestedSuspicion(value: unknown): Suspicion {
  if (typeof value === "number") return numberSuspicion(value);
  if (typeof value !== "object" || value === null) return NONE;
  let worst: Suspicion = NONE;
  const items: unknown[] = Array.isArray(value) ? value : Object.values(value);
  for (const item of items) {
    const s = nestedSuspicion(item);
    if (s === OTHER) return OTHER;
    if (s === ZERO) worst = ZERO;
  }
  return worst;
}

/** A negative exponent of three or more digits (`e-400`, `E-0324`) somewhere in `line`. */
function hasLargeNegativeExponent(line: string): boolean {
  for (const marker of ["e-", "E-"]) {
    for (let at = line.indexOf(marker); at !== -1; at = line.indexOf(marker, at + 2)) {
      const a = line.charCodeAt(at + 2);
      const b = line.charCodeAt(at + 3);
      const c = line.charCodeAt(at + 4);
      if (isDigit(a) && isDigit(b) && isDigit(c)) return true;
    }
  }
  return false;
}

/** A run of at least MIN_ZERO_RUN zeros somewhere in `line`. */
function hasLongZeroRun(line: string): boolean {
  for (let at = line.indexOf(ZEROS); at !== -1; at = line.indexOf(ZEROS, at + 1)) {
    let end = at + ZEROS.length;
    while (line.charCodeAt(end) === 0x30) end++;
    if (end - at >= MIN_ZERO_RUN) return true;
    at = end;
  }
  return false;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * The literals of `parameters` and `metrics` in `line` that JavaScript holds
 * differently; `[]` for almost every line, after a few comparisons.
 */
export function inexactNumbers(
  line: string,
  record: { parameters: Record<string, unknown>; metrics: Record<string, unknown> },
): InexactNumber[] {
  const inParameters = suspicionOf(record.parameters);
  const worst =
    inParameters === OTHER ? OTHER : Math.max(inParameters, suspicionOf(record.metrics));
  if (worst === NONE) return [];
  // Only zeros: one of them may be an underflow, which needs a long exponent or many zeros.
  if (worst === ZERO && !hasLargeNegativeExponent(line) && !hasLongZeroRun(line)) return [];
  const found: InexactNumber[] = [];
  for (const { path, literal } of numberLiterals(line)) {
    if (path[0] !== "parameters" && path[0] !== "metrics") continue;
    if (path.length < 2) continue;
    const change = changeOf(literal);
    if (change) found.push({ path: formatPath(path), literal, ...change });
  }
  return found;
}

/** How `literal` changes when parsed, or undefined when JavaScript holds it as written. */
export function changeOf(literal: string): { held: string; reason: string } | undefined {
  const value = Number(literal);
  const mantissa = literal.replace(/[eE].*$/, "");
  const nonZero = /[1-9]/.test(mantissa);
  if (value === 0 && nonZero) {
    return {
      held: Object.is(value, -0) ? "-0" : "0",
      reason: "a non-zero number too small for a double underflows to 0",
    };
  }
  if (Object.is(value, -0)) {
    return { held: "-0", reason: "JSON writes -0 back as 0, so its sign is lost on export" };
  }
  if (/^-?\d+$/.test(literal) && (value > MAX_SAFE || value < -MAX_SAFE)) {
    if (BigInt(literal) !== heldInteger(value)) {
      return { held: String(value), reason: "an integer beyond 2^53 loses precision" };
    }
  }
  return undefined;
}

/**
 * The integer JavaScript writes for `value` (its shortest round-trip digits),
 * e.g. 12345678901234567000 for the double nearest 12345678901234567890. A
 * literal equal to it survives a read and a write unchanged.
 */
function heldInteger(value: number): bigint {
  const text = String(value);
  const e = text.indexOf("e");
  if (e === -1) return BigInt(text);
  // "1.2345e+25": the digits, shifted by the exponent less the fraction's length.
  const [whole = "", fraction = ""] = text.slice(0, e).split(".");
  const shift = Number(text.slice(e + 1)) - fraction.length;
  return BigInt(whole + fraction) * 10n ** BigInt(shift);
}

/** `parameters.seed`, `parameters.grid[2]`, `metrics["odd key"]`. */
function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** A number literal of a JSON text and where it sits. */
export interface NumberLiteral {
  path: (string | number)[];
  literal: string;
}

/**
 * Every number literal of one valid JSON text with its path (object keys and
 * array indices from the root). Only called on lines that already parsed, so
 * it assumes valid JSON.
 */
export function numberLiterals(text: string): NumberLiteral[] {
  const out: NumberLiteral[] = [];
  // One entry per open container: its current key or index; `inObject` says which.
  const path: (string | number)[] = [];
  const inObject: boolean[] = [];
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      path.push("");
      inObject.push(true);
      expectKey = true;
      i++;
    } else if (c === 0x5b /* [ */) {
      path.push(0);
      inObject.push(false);
      expectKey = false;
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      path.pop();
      inObject.pop();
      i++;
    } else if (c === 0x2c /* , */) {
      const top = path.length - 1;
      if (inObject[top]) expectKey = true;
      else path[top] = (path[top] as number) + 1;
      i++;
    } else if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (expectKey) {
        path[path.length - 1] = JSON.parse(text.slice(i, end)) as string;
        expectKey = false;
      }
      i = end;
    } else if (c === 0x2d /* - */ || isDigit(c)) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
      out.push({ path: path.slice(), literal: text.slice(i, end) });
      i = end;
    } else {
      i++; // whitespace, ":", true, false, null
    }
  }
  return out;
}

/** Index just after the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote === -1) return text.length;
    // An escaped quote has an odd number of backslashes before it.
    let slashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === 0x5c; j--) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

function isNumberChar(code: number): boolean {
  // digits . e E + -
  return (
    isDigit(code) ||
    code === 0x2e ||
    code === 0x65 ||
    code === 0x45 ||
    code === 0x2b ||
    code === 0x2d
  );
}
