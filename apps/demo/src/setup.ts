/**
 * What the demo's options and environment decide: where records go, who
 * advises, the experiment id and where the report is written. The store URI
 * follows the `converge` CLI's rules (its own parser), so the commands the
 * demo prints read exactly what it wrote.
 */
import { isAbsolute, join, resolve } from "node:path";
import {
  DEFAULT_STORE_URI,
  parseStoreUri,
  type StoreLocation,
  storeUriFrom,
  UsageError,
} from "@converge/cli";
import { ConvergeError } from "@converge/core";
import { DEFAULT_MODELS as LLM_DEFAULT_MODELS } from "@converge/llm-adapters";

export type AdvisorChoice = "rule" | "openai" | "anthropic";
export const ADVISOR_CHOICES: readonly AdvisorChoice[] = ["rule", "openai", "anthropic"];

/** The model asked when `--model` is not given (the `converge advise` defaults). */
export const DEFAULT_MODELS: Readonly<Record<Exclude<AdvisorChoice, "rule">, string>> =
  LLM_DEFAULT_MODELS;

/** Where each provider's key is read from (never printed). */
export const KEY_ENVS: Readonly<Record<Exclude<AdvisorChoice, "rule">, string>> = {
  openai: "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
};

/** A demo option that cannot work as given: a usage error, as the CLI's are. */
export class DemoUsageError extends UsageError {
  static override readonly isInstance = ConvergeError.instanceCheck<DemoUsageError>(
    "converge.error.demo-usage",
  );

  constructor(message: string) {
    super(message);
    this.name = "DemoUsageError";
  }
}

/**
 * The store: `--store`, else `$CONVERGE_STORE`, else `mlflow+$MLFLOW_TRACKING_URI`,
 * else `jsonl:./experiments` (relative to `cwd`).
 *
 * @throws UsageError (from `@converge/cli`) naming where the value came from
 *   and the fix when it cannot be used: an unknown scheme, or an MLflow
 *   tracking URI that is no HTTP(S) server (`databricks`, `./mlruns`,
 *   `sqlite:///x.db`), so the demo never logs into a folder by that name
 */
export function resolveStore(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): StoreLocation & { uri: string } {
  // storeUriFrom refuses a non-HTTP $MLFLOW_TRACKING_URI itself.
  const uri = storeUriFrom(option, env) || DEFAULT_STORE_URI;
  const location = parseStoreUri(uri, cwd, {
    mlflowExperiment: env.MLFLOW_EXPERIMENT_NAME || "converge",
    origin: storeOrigin(option, env),
  });
  return { ...location, uri: location.kind === "jsonl" ? `jsonl:${location.dir}` : uri };
}

/** Where the store URI came from, as the CLI names it in errors (the order of `storeUriFrom`). */
function storeOrigin(option: string | undefined, env: NodeJS.ProcessEnv): string {
  if (option !== undefined) return "--store";
  if (env.CONVERGE_STORE) return "$CONVERGE_STORE";
  if (env.MLFLOW_TRACKING_URI?.trim()) return "$MLFLOW_TRACKING_URI";
  return "the default";
}

/**
 * The advisor: `--advisor`, else an LLM when its key is set (OpenAI first),
 * else the offline rule advisor. An LLM chosen explicitly needs its key (a
 * placeholder for a compatible server that needs none).
 */
export function resolveAdvisor(
  option: string | undefined,
  model: string | undefined,
  env: NodeJS.ProcessEnv,
): { advisor: AdvisorChoice; model: string | null } {
  let advisor: AdvisorChoice;
  if (option !== undefined) {
    if (!ADVISOR_CHOICES.includes(option as AdvisorChoice)) {
      throw new DemoUsageError(
        `--advisor must be one of ${ADVISOR_CHOICES.join(", ")}, got "${option}".`,
      );
    }
    advisor = option as AdvisorChoice;
  } else if (env.OPENAI_API_KEY) advisor = "openai";
  else if (env.ANTHROPIC_API_KEY) advisor = "anthropic";
  else advisor = "rule";
  if (advisor === "rule") {
    if (model !== undefined)
      throw new DemoUsageError("--model needs --advisor openai or anthropic.");
    return { advisor, model: null };
  }
  if (!env[KEY_ENVS[advisor]]) {
    const baseUrlEnv = advisor === "openai" ? "OPENAI_BASE_URL" : "ANTHROPIC_BASE_URL";
    throw new DemoUsageError(
      `--advisor ${advisor} needs ${KEY_ENVS[advisor]} in the environment (a compatible server at ${baseUrlEnv} that needs no key takes any placeholder, e.g. ${KEY_ENVS[advisor]}=local).`,
    );
  }
  return { advisor, model: model ?? DEFAULT_MODELS[advisor] };
}

/** `demo_seed42_20260201_101500_123`: the seed and the UTC time, to the millisecond. */
export function experimentIdFor(seed: number, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace("T", "_")
    .replace(/\.(\d{3})Z$/, "_$1");
  return `demo_seed${seed}_${stamp}`;
}

/**
 * Where the HTML report goes: `--report` (relative to `cwd`), else beside the
 * JSONL log as `<dir>/<id>.html`, else (MLflow) `./<id>.html`.
 */
export function reportPathFor(
  option: string | undefined,
  location: StoreLocation,
  experimentId: string,
  cwd: string,
): string {
  if (option !== undefined) return isAbsolute(option) ? option : resolve(cwd, option);
  const dir = location.kind === "jsonl" ? location.dir : cwd;
  return join(dir, `${experimentId}.html`);
}

/** A whole number >= min from an option's text. */
export function wholeNumber(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new DemoUsageError(`${name} must be a whole number >= ${min}, got "${text}".`);
  }
  return n;
}
