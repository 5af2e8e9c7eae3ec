/**
 * @converge/cli: the `converge` command as a library, for embedding it or
 * testing it in-process. The binary is `dist/bin.js`.
 */
export { type CliIo, type CommandContext, createContext, type OutputStream } from "./context.js";
export { formatChanges, formatNumber, toJson } from "./format.js";
export { type LoadedExperiment, loadExperiment } from "./load-experiment.js";
export {
  checkLoopFile,
  type LoopFile,
  type LoopFileData,
  LoopFileError,
  type LoopFileInput,
  LoopFileSchema,
  loadLoopFile,
} from "./loop-file.js";
export {
  describeChanges,
  describeMoves,
  fixed,
  formatIterationLine,
  gateColumns,
  type LoopProgress,
  type LoopProgressOptions,
  type MetricColumn,
  type MoveNote,
  percent,
  startLoopProgress,
} from "./loop-progress.js";
export {
  adviceReason,
  formatLoopSummary,
  type LoopSummaryOptions,
  type LoopSummaryResult,
  metricsText,
  shellWord,
  storeArguments,
  summaryRow,
} from "./loop-summary.js";
export { createProgram, ExitCode, main } from "./program.js";
export { openStore } from "./store-open.js";
export {
  AVAILABLE_STORES,
  DEFAULT_STORE_URI,
  parseStoreUri,
  STORE_ENV,
  type StoreLocation,
  storeUriFrom,
} from "./store-uri.js";
export { createStyle, type Style, useColor } from "./style.js";
export { UsageError } from "./usage-error.js";
