import { ConfigurationError } from "./errors.js";

/** Throws a ConfigurationError unless `plugin` (when given) implements specification v1. */
export function checkPlugin(
  kind: string,
  plugin: { specificationVersion?: unknown; name?: unknown } | undefined,
): void {
  if (plugin === undefined) return;
  if (plugin === null || typeof plugin !== "object") {
    throw new ConfigurationError(`The ${kind} is not a plugin object.`, {
      hint: `pass a ${kind} created by its factory, e.g. jsonlStore({ dir: "experiments" })`,
    });
  }
  if (plugin.specificationVersion !== "v1") {
    throw new ConfigurationError(
      `The ${kind} ${JSON.stringify(plugin.name ?? "")} implements specification ${String(plugin.specificationVersion)}; this @converge/core supports v1.`,
      {
        hint: `use versions of @converge/core and the ${kind} package that were released together`,
      },
    );
  }
}
