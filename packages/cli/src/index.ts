/**
 * @converge/cli: the `converge` command as a library, for embedding it or
 * testing it in-process. The binary is `dist/bin.js`.
 */
export { type CliIo, type CommandContext, createContext, type OutputStream } from "./context.js";
export { formatChanges, formatNumber, toJson } from "./format.js";
export { type LoadedExperiment, loadExperiment } from "./load-experiment.js";
export { createProgram, ExitCode, main } from "./program.js";
export {
  AVAILABLE_STORES,
  DEFAULT_STORE_URI,
  openStore,
  parseStoreUri,
  STORE_ENV,
  type StoreLocation,
  storeUriFrom,
} from "./store-uri.js";
export { createStyle, type Style, useColor } from "./style.js";
export { UsageError } from "./usage-error.js";
