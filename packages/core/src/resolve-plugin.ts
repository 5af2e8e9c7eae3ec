import { ConfigurationError } from "./errors.js";

/** How {@link resolvePlugin} checks a plugin and words its errors. */
export interface ResolvePluginOptions {
  /** Throw when the plugin is `undefined` too (by default an absent plugin is fine). */
  required?: boolean;
  /** Who asks, put before the message, e.g. `"llmAdvisor"`. */
  by?: string;
  /** Functions the plugin must have, e.g. `["generateObject"]`. */
  methods?: readonly string[];
  /** A call that makes one, for the hint, e.g. `jsonlStore({ dir: "experiments" })`. */
  example?: string;
}

/**
 * Checks that `plugin` is a plugin object of specification v1 (with the
 * functions `options.methods` names) and returns it. Every place that takes a
 * plugin checks it here, so a plugin of a newer specification is refused the
 * same way everywhere, before it is called.
 *
 * @param kind what the plugin is, for the message, e.g. `"store"` or `"language model"`
 * @throws ConfigurationError when it is not an object, lacks a function, or
 *   implements another specification; when it is `undefined` only with `required`
 */
export function resolvePlugin<P>(
  kind: string,
  plugin: P,
  options: ResolvePluginOptions & { required: true },
): NonNullable<P>;
export function resolvePlugin<P>(kind: string, plugin: P, options?: ResolvePluginOptions): P;
export function resolvePlugin<P>(kind: string, plugin: P, options: ResolvePluginOptions = {}): P {
  if (plugin === undefined && !options.required) return plugin;
  const subject = options.by ? `${options.by}: the ${kind}` : `The ${kind}`;
  const fields = plugin as { specificationVersion?: unknown; name?: unknown } | null;
  const missing =
    fields !== null && typeof fields === "object"
      ? (options.methods ?? []).find(
          (m) => typeof (fields as Record<string, unknown>)[m] !== "function",
        )
      : undefined;
  if (fields === null || typeof fields !== "object" || missing !== undefined) {
    const lacks = missing === undefined ? "" : ` (it has no ${missing}() function)`;
    throw new ConfigurationError(`${subject} is not a plugin object${lacks}.`, {
      hint: `pass a ${kind} created by its factory${options.example ? `, e.g. ${options.example}` : ""}`,
    });
  }
  if (fields.specificationVersion !== "v1") {
    const name = typeof fields.name === "string" ? ` ${JSON.stringify(fields.name)}` : "";
    throw new ConfigurationError(
      `${subject}${name} implements specification ${String(fields.specificationVersion)}; this @converge/core supports v1.`,
      {
        hint: `use versions of @converge/core and the ${kind} package that were released together`,
      },
    );
  }
  return plugin;
}
