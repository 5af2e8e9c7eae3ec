/**
 * Test code shared by the Converge packages (private, never published): the
 * store conformance suite, scripted plugins for tests, the sample log and
 * deep equality for read-back checks. Packages take it as a devDependency.
 */

export { type CapturedOutput, captureOutput } from "./captured-output.js";
export { contractMeta, contractRecord, richRecords } from "./contract-records.js";
export { firstDifference } from "./first-difference.js";
export {
  SAMPLE_EXPERIMENT_ID,
  SAMPLE_LOG_PATH,
  sampleLogLines,
  sampleLogRecords,
} from "./sample-log.js";
export { type AdvisorStep, type ScriptedAdvisor, scriptedAdvisor } from "./scripted-advisor.js";
export {
  describeStoreContract,
  type StoreContractOptions,
} from "./store-contract.js";
