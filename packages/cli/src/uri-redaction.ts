/**
 * Keeping secrets out of messages: a store URI can carry a token in its query
 * string or a password in its userinfo, and the environment holds MLflow
 * credentials and LLM keys. Every message that shows a URI goes through
 * core's `redactUri` (one URI) or `redactUrisIn` (free text).
 */
import { redactUrisIn } from "@converge/core";

export { redactUri, redactUrisIn } from "@converge/core";

/** The variables holding MLflow credentials: read from the environment only, never printed. */
export const MLFLOW_SECRET_ENVS: readonly string[] = [
  "MLFLOW_TRACKING_TOKEN",
  "MLFLOW_TRACKING_PASSWORD",
];

/** The variables holding LLM provider keys (`converge advise --provider`): environment only, never printed. */
export const LLM_SECRET_ENVS: readonly string[] = [
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
];

/**
 * A notice callback that passes each notice on with every URI in its message
 * redacted: a store's notices quote its URL ("MLflow at ... is unreachable").
 */
export function redactingNotices<N extends { message: string }>(
  notify: (notice: N) => void,
): (notice: N) => void {
  return (notice) => notify({ ...notice, message: redactUrisIn(notice.message) });
}

/** The text with the value of every MLflow credential or LLM key variable replaced by `***`. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv): string {
  let out = text;
  const hide = (value: string | undefined, min: number) => {
    // Short values would blank out ordinary words; the libraries never print them anyway.
    if (value !== undefined && value.length >= min) out = out.split(value).join("***");
  };
  for (const name of MLFLOW_SECRET_ENVS) hide(env[name], 4);
  hide(env.MLFLOW_TRACKING_USERNAME, 4);
  // Placeholder keys of local servers ("local", "ollama") are not secrets; real keys are long.
  for (const name of LLM_SECRET_ENVS) hide(env[name], 8);
  return out;
}
