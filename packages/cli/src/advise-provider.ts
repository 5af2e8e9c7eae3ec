/**
 * `converge advise --provider ...`: which advisor answers (the offline rule
 * advisor, or an LLM advisor on OpenAI / Anthropic with the rule advisor as
 * its fallback), and the lines and JSON fields that say who answered and
 * what it cost. API keys come from the environment only and are never
 * printed.
 */
import {
  type Advice,
  type Advisor,
  type AdvisorInput,
  ConfigurationError,
  ConvergeError,
  DEFAULT_MODELS,
  type LanguageModel,
  type LlmCallUsage,
  llmUsageToRecord,
  terminalSafe,
} from "@converge/core";
import { InvalidArgumentError, Option } from "commander";
import { TEXT_WIDTH, wrap } from "./analyze-text.js";
import { redactSecrets } from "./store-uri.js";
import type { Style } from "./style.js";
import { UsageError } from "./usage-error.js";

/** The advisors `--provider` chooses from. */
export const PROVIDERS = ["rule", "openai", "anthropic"] as const;
export type ProviderName = (typeof PROVIDERS)[number];
type LlmProvider = Exclude<ProviderName, "rule">;

/** Where each provider's key is read from (the only place: there is no key flag). */
export const KEY_ENVS: Readonly<Record<LlmProvider, string>> = {
  openai: "OPENAI_API_KEY",
  anthropic: "ANTHROPIC_API_KEY",
};
/** The SDKs' own base-URL variables, used when `--base-url` is not given. */
export const BASE_URL_ENVS: Readonly<Record<LlmProvider, string>> = {
  openai: "OPENAI_BASE_URL",
  anthropic: "ANTHROPIC_BASE_URL",
};

/** The options `--provider` and its companions add to `converge advise`. */
export interface ProviderOptions {
  provider?: string;
  model?: string;
  baseUrl?: string;
  timeout?: number;
  api?: string;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(n) || n * 1000 < 1) {
    throw new InvalidArgumentError("expected a number of seconds > 0, e.g. 30");
  }
  // The whole call gets 3× this, and Node's timers stop at 2^31 - 1 ms.
  if (n * 3000 > 2_147_483_647) {
    throw new InvalidArgumentError("expected at most 715,827 seconds (the whole call gets 3×)");
  }
  return n;
}

const isHttpUrl = (value: string): boolean => {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
};

function httpUrl(value: string): string {
  if (!isHttpUrl(value)) {
    throw new InvalidArgumentError("expected an http(s) URL, e.g. http://127.0.0.1:11434/v1");
  }
  return value;
}

/** `--provider`, `--model`, `--base-url`, `--timeout`, `--api`. */
export function providerOptions(): Option[] {
  return [
    new Option("--provider <name>", "who advises: the offline rule advisor or an LLM")
      .choices(PROVIDERS)
      .default("rule"),
    new Option(
      "--model <id>",
      `the LLM to ask (default: ${DEFAULT_MODELS.openai} for openai, ${DEFAULT_MODELS.anthropic} for anthropic); not with --provider rule`,
    ),
    new Option(
      "--base-url <url>",
      `the provider's API base URL, e.g. an OpenAI-compatible server such as Ollama or vLLM (default: $${BASE_URL_ENVS.openai} / $${BASE_URL_ENVS.anthropic}, else the provider)`,
    ).argParser(httpUrl),
    new Option(
      "--timeout <seconds>",
      "time limit of each LLM request; the whole call, retries included, gets 3x (default: 60)",
    ).argParser(seconds),
    new Option(
      "--api <api>",
      "OpenAI endpoint: chat (Chat Completions, what compatible servers speak) or responses",
    ).choices(["chat", "responses"]),
  ];
}

/** What the command line asks for, checked. */
export type ProviderChoice =
  | { provider: "rule" }
  | {
      provider: LlmProvider;
      model: string;
      apiKey: string;
      baseURL: string | undefined;
      timeoutMs: number | undefined;
      api: "chat" | "responses" | undefined;
    };

/**
 * Checks the provider options against each other and the environment. A
 * missing key is a usage error (exit 2) naming the variable to export: the
 * LLM advisor would otherwise quietly fall back to the rule advisor.
 */
export function providerChoice(options: ProviderOptions, env: NodeJS.ProcessEnv): ProviderChoice {
  const provider = (options.provider ?? "rule") as ProviderName;
  if (!PROVIDERS.includes(provider)) {
    throw new UsageError(`unknown provider "${provider}": choose one of ${PROVIDERS.join(", ")}.`);
  }
  if (provider === "rule") {
    const llmOnly = [
      options.model !== undefined && "--model",
      options.baseUrl !== undefined && "--base-url",
      options.timeout !== undefined && "--timeout",
      options.api !== undefined && "--api",
    ].filter((o): o is string => o !== false);
    if (llmOnly.length > 0) {
      throw new UsageError(
        `${llmOnly.join(", ")} only go${llmOnly.length === 1 ? "es" : ""} with an LLM provider: add --provider openai or --provider anthropic, or drop ${llmOnly.length === 1 ? "it" : "them"}.`,
      );
    }
    return { provider };
  }
  if (options.api !== undefined && provider !== "openai") {
    throw new UsageError("--api is for --provider openai only.");
  }
  const model = options.model?.trim() || DEFAULT_MODELS[provider];
  const keyEnv = KEY_ENVS[provider];
  const apiKey = env[keyEnv]?.trim();
  if (!apiKey) {
    throw new UsageError(
      `--provider ${provider} needs an API key: ${keyEnv} is not set. Run \`export ${keyEnv}=...\` first (keys are read from the environment only; a local server that needs no key takes any value, e.g. ${keyEnv}=local).`,
    );
  }
  const baseEnv = BASE_URL_ENVS[provider];
  const fromEnv = env[baseEnv]?.trim() || undefined;
  if (options.baseUrl === undefined && fromEnv !== undefined && !isHttpUrl(fromEnv)) {
    throw new UsageError(
      `$${baseEnv} is not an http(s) URL: set it to e.g. http://127.0.0.1:11434/v1, or pass --base-url.`,
    );
  }
  return {
    provider,
    model,
    apiKey,
    baseURL: options.baseUrl ?? fromEnv,
    timeoutMs: options.timeout === undefined ? undefined : Math.round(options.timeout * 1000),
    api: options.api as "chat" | "responses" | undefined,
  };
}

/**
 * @converge/llm-adapters, loaded on first use: the SDKs take a while to load
 * and only `advise --provider openai|anthropic` needs them.
 */
export function loadLlmAdapters(): Promise<typeof import("@converge/llm-adapters")> {
  return import("@converge/llm-adapters");
}

/**
 * The advisor for a checked choice: `rule` itself, or the LLM advisor with
 * `rule` as its fallback. Adapter warnings go to `warn`.
 */
export async function chooseAdvisor(
  choice: ProviderChoice,
  rule: Advisor,
  warn: (message: string) => void,
): Promise<Advisor> {
  if (choice.provider === "rule") return rule;
  const { anthropic, llmAdvisor, openai } = await loadLlmAdapters();
  const common = {
    model: choice.model,
    apiKey: choice.apiKey,
    ...(choice.baseURL !== undefined && { baseURL: choice.baseURL }),
    ...(choice.timeoutMs !== undefined && {
      timeoutMs: choice.timeoutMs,
      totalTimeoutMs: 3 * choice.timeoutMs,
    }),
    onWarning: warn,
  };
  let model: LanguageModel;
  try {
    model =
      choice.provider === "openai"
        ? openai({ ...common, ...(choice.api !== undefined && { api: choice.api }) })
        : anthropic(common);
  } catch (error) {
    if (ConvergeError.isInstance(error)) throw new UsageError(firstLine(error.message));
    throw error;
  }
  return llmAdvisor({ model, fallback: rule });
}

/**
 * Asks the advisor; a setup problem the LLM advisor does not hide behind its
 * fallback (a ConfigurationError, e.g. no key) becomes a usage error (exit 2).
 */
export async function adviseOrUsageError(advisor: Advisor, input: AdvisorInput): Promise<Advice> {
  try {
    return await advisor.advise(input);
  } catch (error) {
    if (ConfigurationError.isInstance(error)) throw new UsageError(firstLine(error.message));
    throw error;
  }
}

const firstLine = (text: string): string => text.split("\n")[0] ?? text;

const count = (n: number): string => n.toLocaleString("en-US");

/** "$0.0123"; tiny amounts keep two significant digits ("$0.000012"). */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  return `$${usd >= 0.0001 ? usd.toFixed(4) : usd.toPrecision(2)}`;
}

/**
 * "$0.0123 (1,234 in / 456 out tokens)", or "unknown (no price for
 * <model>; ...)" when a call's cost is unknown. `priced` says whether the
 * price table knows a model (it tells an unknown price from missing usage).
 */
export function costText(usage: readonly LlmCallUsage[], priced: (model: string) => boolean) {
  const input = usage.reduce((sum, u) => sum + u.inputTokens, 0);
  const output = usage.reduce((sum, u) => sum + u.outputTokens, 0);
  const calls = usage.length === 1 ? "" : `, ${usage.length} calls`;
  const tokens = `${count(input)} in / ${count(output)} out tokens${calls}`;
  const unknown = usage.find((u) => u.costUsd === null);
  if (unknown) {
    const why = priced(unknown.model)
      ? `the server reported no token usage for ${unknown.model}`
      : `no price for ${unknown.model}`;
    return `unknown (${why}; ${tokens})`;
  }
  const usd = usage.reduce((sum, u) => sum + (u.costUsd ?? 0), 0);
  return `${formatUsd(usd)} (${tokens})`;
}

/** The warning when the LLM advisor failed and the fallback answered; undefined otherwise. */
export function fallbackWarning(advice: Advice, env: NodeJS.ProcessEnv): string | undefined {
  if (!advice.fallback) return undefined;
  const reason = redactSecrets(advice.fallback.reason, env);
  return `the LLM advisor ${advice.fallback.from} failed, so the ${advice.source} advisor answered instead: ${reason}`;
}

/**
 * The lines that go with an LLM advisor's advice: the warning when it fell
 * back (first, so it is seen), and which model and prompt were asked, at
 * what cost. Nothing for the rule advisor alone.
 */
export async function llmLines(
  advice: Advice,
  style: Style,
  env: NodeJS.ProcessEnv,
): Promise<{ warning: string[]; model: LlmRows | undefined }> {
  const text = fallbackWarning(advice, env);
  const warning: string[] = [];
  if (text !== undefined) {
    // The reason quotes the provider's error, which may hold anything: escaped before styling.
    const [first = "", ...rest] = wrap(terminalSafe(`warning: ${text}`), TEXT_WIDTH, "  ");
    const label = style.bold(style.yellow("warning:"));
    warning.push(first.trimStart().replace(/^warning:/, label));
    for (const line of rest) warning.push(line);
    warning.push("");
  }
  if (advice.model === undefined) return { warning, model: undefined };
  const usage = advice.usage ?? [];
  let cost = "none (no call reached the model)";
  if (usage.length > 0) {
    const { priceOf } = await loadLlmAdapters();
    cost = costText(usage, (m) => priceOf(m) !== undefined);
  }
  const prompt = advice.promptVersion === undefined ? "" : `, prompt ${advice.promptVersion}`;
  const failed = advice.fallback ? " (failed)" : "";
  return { warning, model: { model: `${advice.model}${failed}${prompt}`, cost } };
}

/** The "Model" and "Cost" rows of an LLM advisor's advice. */
export interface LlmRows {
  /** "openai/gpt-4.1, prompt trajectory-v2" ("(failed)" after the model when it fell back). */
  model: string;
  /** "$0.0123 (1,234 in / 456 out tokens)" or "unknown (no price for <model>; ...)". */
  cost: string;
}

/** The fields `--json` adds: model, prompt_version, fallback and usage (as the record's llm_usage). */
export function adviceJsonFields(advice: Advice, env: NodeJS.ProcessEnv) {
  return {
    model: advice.model ?? null,
    prompt_version: advice.promptVersion ?? null,
    fallback: advice.fallback
      ? { from: advice.fallback.from, reason: redactSecrets(advice.fallback.reason, env) }
      : null,
    usage: (advice.usage ?? []).map((u) => llmUsageToRecord(u)),
  };
}
