/**
 * The value of `--gate`: a JSON file (a GateSpec, or a `.meta.json` with a
 * `gate`), JSON written on the command line, or criteria such as
 * `val_acc>=0.9,val_loss<0.3`.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  ConvergeError,
  type GateSpec,
  parseGate,
  terminalSafe,
  ValidationError,
} from "@converge/core";

const GATE_EXAMPLE = `{"criteria": [{"metric": "sharpe_ratio", "op": ">=", "threshold": 1}]}`;
const CRITERION_HINT =
  'each criterion is {"metric": NAME, "op": ">=" | "<=" | ">" | "<" | "between", "threshold": NUMBER or [LOW, HIGH], "weight"?: NUMBER > 0, "required"?: BOOLEAN}';

/** `NAME>=0.9`: one criterion written inline (a name without `<`, `>`, `=` or `,`). */
const INLINE =
  /^\s*([^<>=,]*[^<>=,\s])\s*(>=|<=|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

/** A GateSpec, or any object with a `gate` field (an experiment's `.meta.json`), validated. */
function gateOf(value: unknown, shown: string): GateSpec {
  const spec =
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    !("criteria" in value) &&
    "gate" in value
      ? (value as { gate: unknown }).gate
      : Array.isArray(value)
        ? { criteria: value }
        : value;
  try {
    return parseGate(spec);
  } catch (error) {
    if (!ValidationError.isInstance(error)) throw error;
    throw new ConvergeError(`${shown}: ${error.message}`, { hint: CRITERION_HINT });
  }
}

/**
 * Reads a gate from a JSON file: a GateSpec (`{"criteria": [...]}`), or any
 * object with a `gate` field (an experiment's `.meta.json`). A bad field is
 * named in the error (exit 1, like a corrupt record).
 */
export function readGateFile(path: string, cwd: string): GateSpec {
  const file = resolve(cwd, path);
  const shown = terminalSafe(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConvergeError(`Cannot read the gate file ${shown}: ${(error as Error).message}`, {
      hint: `write the gate as JSON, e.g. ${GATE_EXAMPLE}, or inline: --gate "sharpe_ratio>=1"`,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConvergeError(
      `The gate file ${shown} is not valid JSON: ${(error as Error).message}`,
      { hint: `write the gate as JSON, e.g. ${GATE_EXAMPLE}` },
    );
  }
  return gateOf(value, shown);
}

/**
 * The gate `--gate` gives. A file that exists is read as a file; otherwise
 * text starting with `{` or `[` is JSON (a GateSpec or its criteria array),
 * and `NAME>=X[,NAME<Y...]` (ops `>=`, `<=`, `>`, `<`) are criteria of weight
 * 1, all required. Anything else is taken as a file path (and fails as one).
 */
export function readGateOption(value: string, cwd: string): GateSpec {
  const text = value.trim();
  if (existsSync(resolve(cwd, value))) return readGateFile(value, cwd);
  if (text.startsWith("{") || text.startsWith("[")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ConvergeError(`--gate is not valid JSON: ${(error as Error).message}`, {
        hint: `write it as ${GATE_EXAMPLE}, or as criteria: --gate "sharpe_ratio>=1"`,
      });
    }
    return gateOf(json, "--gate");
  }
  const parts = text.split(",");
  const matches = parts.map((p) => INLINE.exec(p));
  if (text !== "" && /[<>]/.test(text) && matches.every((m) => m !== null)) {
    return gateOf(
      {
        criteria: matches.map((m) => ({
          metric: m?.[1] as string,
          op: m?.[2] as string,
          threshold: Number(m?.[3]),
        })),
      },
      "--gate",
    );
  }
  if (/[<>]/.test(text)) {
    const bad = parts.find((p) => INLINE.exec(p) === null) ?? text;
    throw new ConvergeError(
      `--gate "${terminalSafe(text)}": "${terminalSafe(bad.trim())}" is not a criterion like val_acc>=0.9.`,
      {
        hint: `write criteria as NAME>=X, NAME<=X, NAME>X or NAME<X, separated by commas (e.g. --gate "val_acc>=0.9,val_loss<0.3"), or JSON for "between", weights and optional criteria: ${GATE_EXAMPLE}`,
      },
    );
  }
  return readGateFile(value, cwd);
}
