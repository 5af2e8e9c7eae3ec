/**
 * The loop file of `converge loop`: what to evaluate, how, against which
 * gate, with which refiner and where to log. JSON or YAML, validated with
 * zod; an invalid file is a `LoopFileError` (exit 2) listing every bad field
 * by its path with the fix. Paths in it are relative to the file.
 */
import { readFile } from "node:fs/promises";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import {
  ConvergeError,
  GateSpecSchema,
  MetricSpecsSchema,
  ParameterSpaceSchema,
  parameterProblems,
} from "@converge/core";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { UsageError } from "./usage-error.js";

/** Examples quoted in the fixes: what a right value looks like. */
const FIXES: Record<string, string> = {
  experimentId: 'a name for this run\'s records, e.g. "momentum_v1" (letters, digits, _ - .)',
  directive: 'what the loop tries to achieve, e.g. "Sharpe >= 1 with drawdown <= 20%"',
  gate: 'the quality gate, e.g. { "criteria": [{ "metric": "sharpe_ratio", "op": ">=", "threshold": 1 }] }',
  metrics:
    'which way is better per metric, e.g. { "sharpe_ratio": "maximize", "max_drawdown": "minimize" }',
  strategy: 'the starting strategy, e.g. { "name": "momentum", "parameters": { "lookback": 20 } }',
  "strategy.name": 'a name for the strategy, e.g. "momentum"',
  "strategy.parameters": 'the starting parameters, e.g. { "lookback": 20, "threshold": 0.5 }',
  "strategy.code_file":
    'a file holding the strategy\'s code, relative to the loop file, e.g. "strategy.py"',
  parameters:
    'the space the refiner searches, e.g. { "lookback": { "type": "int", "min": 5, "max": 60 } }',
  maxIterations: "the most iterations to run, a whole number >= 1, e.g. 15",
  budget: 'limits that end the loop early, e.g. { "costUsd": 1, "wallTimeSeconds": 3600 }',
  store:
    'where records go, as --store takes it, e.g. "jsonl:./experiments" or "mlflow+http://127.0.0.1:5000"',
  advisor:
    'who reads the trajectory, e.g. { "kind": "rule" } or { "kind": "openai", "model": "gpt-4.1" }',
  evaluator: 'how one strategy is evaluated, e.g. { "command": ["python3", "backtest.py"] }',
  "evaluator.command": 'the command that evaluates one strategy, e.g. ["python3", "backtest.py"]',
  "evaluator.timeoutSeconds": "how long one evaluation may take, in seconds, e.g. 600",
  "evaluator.passEnv": 'secret-looking variables the evaluator may see, e.g. ["DATA_API_KEY"]',
  refiner:
    'who proposes the next parameters, e.g. { "kind": "rule" }, { "kind": "llm", "provider": "openai", "model": "gpt-4.1" } or { "kind": "command", "command": ["python3", "refine.py"] }',
  onEvaluationError: 'what a failed evaluation does: "stop" (the default) or "continue"',
  allowRepeats: "whether the loop may evaluate the same parameters twice: true or false",
  report: 'where the HTML report goes, relative to the loop file, e.g. "report.html"',
};

const argv = z
  .array(z.string().min(1, "an argument cannot be empty"))
  .min(1, "name at least the program");

const AdvisorSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("rule") }).strict(),
  z.object({ kind: z.literal("openai"), model: z.string().min(1).optional() }).strict(),
  z.object({ kind: z.literal("anthropic"), model: z.string().min(1).optional() }).strict(),
]);

const RefinerSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("rule") }).strict(),
  z
    .object({
      kind: z.literal("llm"),
      provider: z.enum(["openai", "anthropic"]),
      model: z.string().min(1).optional(),
      /** Let the model change the strategy's code (a unified diff against `strategy.code_file`). */
      allowCode: z.boolean().optional(),
    })
    .strict(),
  z.object({ kind: z.literal("command"), command: argv }).strict(),
]);

/** The loop file, as written (before paths are resolved). */
export const LoopFileSchema = z
  .object({
    experimentId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "use letters, digits, _ - and . only")
      .optional(),
    directive: z.string().optional(),
    gate: GateSpecSchema,
    metrics: MetricSpecsSchema.optional(),
    strategy: z
      .object({
        name: z.string().min(1),
        parameters: z.record(z.string(), z.unknown()),
        code_file: z.string().min(1).optional(),
      })
      .strict(),
    parameters: ParameterSpaceSchema,
    maxIterations: z.number().int().min(1),
    budget: z
      .object({
        costUsd: z.number().positive().optional(),
        wallTimeSeconds: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    store: z.string().min(1).optional(),
    advisor: AdvisorSchema.default({ kind: "rule" }),
    evaluator: z
      .object({
        command: argv,
        timeoutSeconds: z.number().positive().optional(),
        passEnv: z.array(z.string().min(1)).optional(),
      })
      .strict(),
    refiner: RefinerSchema.default({ kind: "rule" }),
    onEvaluationError: z.enum(["stop", "continue"]).default("stop"),
    allowRepeats: z.boolean().default(false),
    report: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((file, ctx) => {
    for (const problem of parameterProblems(file.parameters, file.strategy.parameters)) {
      ctx.addIssue({
        code: "custom",
        path: ["strategy", "parameters"],
        message: `${problem}: start inside the declared \`parameters\` space`,
      });
    }
  });

export type LoopFileInput = z.input<typeof LoopFileSchema>;
export type LoopFileData = z.output<typeof LoopFileSchema>;

/** A checked loop file with its paths made absolute. */
export interface LoopFile extends LoopFileData {
  /** The loop file's own absolute path. */
  path: string;
  /** Its directory: the evaluator's working directory and the base of relative paths. */
  dir: string;
  /** The strategy's code read from `strategy.code_file`, if any. */
  code?: string;
  /** `strategy.code_file` made absolute. */
  codePath?: string;
  /** `report` made absolute (undefined: the default beside the log). */
  reportPath?: string;
}

/** A loop file that cannot be used: exit 2, with every problem named. */
export class LoopFileError extends UsageError {
  static override readonly isInstance = ConvergeError.instanceCheck<LoopFileError>(
    "converge.error.cli-loop-file",
  );

  /** One line per problem: `field.path: what is wrong — the fix`. */
  readonly problems: readonly string[];

  constructor(path: string, problems: readonly string[]) {
    super(`The loop file ${path} is not valid:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "LoopFileError";
    this.problems = problems;
  }
}

/** `a.b[2].c` from a zod issue path. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(the file)" : out;
}

/** The fix for a field: its own, else its nearest parent's. */
function fixFor(path: readonly PropertyKey[]): string | undefined {
  const names = path.filter((k): k is string => typeof k === "string");
  for (let n = names.length; n > 0; n--) {
    const fix = FIXES[names.slice(0, n).join(".")];
    if (fix !== undefined) return fix;
  }
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = fieldPath(issue.path);
  let what = issue.message.replace(/^Invalid (input|option): /, "");
  if (issue.code === "invalid_type" && /received undefined/.test(issue.message)) what = "required";
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.join(", ");
    const known = issue.path.length === 0 ? Object.keys(FIXES).filter((k) => !k.includes(".")) : [];
    return `${field}: unknown field${issue.keys.length > 1 ? "s" : ""} ${keys}${known.length > 0 ? ` — the fields are ${known.join(", ")}` : " — remove it or check its spelling"}`;
  }
  const fix = fixFor(issue.path);
  return fix === undefined || /e\.g\./.test(what)
    ? `${field}: ${what}`
    : `${field}: ${what} — ${fix}`;
}

/**
 * Checks parsed loop-file data. Returns the data, or throws a `LoopFileError`
 * (named by `path`) listing every problem.
 */
export function checkLoopFile(data: unknown, path = "loop file"): LoopFileData {
  const result = LoopFileSchema.safeParse(data);
  if (!result.success) throw new LoopFileError(path, result.error.issues.map(describeIssue));
  const { refiner, strategy } = result.data;
  if (refiner.kind === "llm" && refiner.allowCode === true && strategy.code_file === undefined) {
    throw new LoopFileError(path, [
      `refiner.allowCode: true, but there is no code to change — ${FIXES["strategy.code_file"]} (or drop allowCode)`,
    ]);
  }
  return result.data;
}

/** Parses the text of a loop file: YAML for .yaml/.yml, else JSON. */
export function parseLoopText(text: string, path: string): unknown {
  const yaml = /\.ya?ml$/i.test(extname(path));
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new LoopFileError(path, [
      `(the file): not valid ${yaml ? "YAML" : "JSON"}: ${why} — fix the syntax (a .yaml or .yml file is read as YAML, anything else as JSON)`,
    ]);
  }
}

/** Reads, parses and checks a loop file; relative paths in it are resolved against its directory. */
export async function loadLoopFile(file: string, cwd: string): Promise<LoopFile> {
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `The loop file ${path} does not exist. Write one (see \`converge loop --help\`) or fix the path.`
        : `The loop file ${path} cannot be read: ${(error as Error).message}`,
    );
  }
  const data = checkLoopFile(parseLoopText(text, path), path);
  const dir = dirname(path);
  const out: LoopFile = { ...data, path, dir };
  if (data.strategy.code_file !== undefined) {
    const codePath = resolve(dir, data.strategy.code_file);
    try {
      out.code = await readFile(codePath, "utf8");
      out.codePath = codePath;
    } catch (error) {
      throw new LoopFileError(path, [
        `strategy.code_file: ${codePath} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}) — ${FIXES["strategy.code_file"]}`,
      ]);
    }
  }
  if (data.report !== undefined) out.reportPath = resolve(dir, data.report);
  return out;
}
