export {
  AdviceSchema,
  adviceFromRecord,
  adviceToRecord,
  LlmCallUsageSchema,
  llmUsageFromRecord,
  llmUsageToRecord,
} from "./advice.js";
export {
  analysisPart,
  type ChangePoint,
  ChangePointSchema,
  type Complete,
  type CompleteTrajectoryAnalysis,
  type Efficiency,
  EfficiencySchema,
  type ImpactDirection,
  ImpactDirectionSchema,
  type IterationsEstimate,
  IterationsEstimateSchema,
  type MetricTrend,
  MetricTrendSchema,
  type OverfittingGuard,
  OverfittingGuardSchema,
  type ParameterEffects,
  ParameterEffectsSchema,
  type ParameterImpact,
  ParameterImpactSchema,
  type ScoreTrend,
  ScoreTrendSchema,
  type SuccessProbability,
  SuccessProbabilitySchema,
  TRAJECTORY_ANALYSIS_VERSION,
  type TrajectoryAnalysis,
  type TrajectoryAnalysisPart,
  TrajectoryAnalysisSchema,
} from "./analysis.js";
export {
  type NextAction,
  NextActionSchema,
  type TrajectoryAssessment,
  TrajectoryAssessmentSchema,
} from "./assessment.js";
export { baseTrajectory } from "./base-trajectory.js";
export {
  type CommandEvaluatorOptions,
  commandEvaluator,
  type EvaluatorInput,
  parseMetricsOutput,
} from "./command/command-evaluator.js";
export {
  CommandProposalSchema,
  type CommandRefinerOptions,
  commandRefiner,
} from "./command/command-refiner.js";
export {
  type CommandOptions,
  type CommandOutcome,
  commandEnv,
  type RunCommandOptions,
  runCommand,
  SECRET_ENV_NAME,
} from "./command/run-command.js";
export type * from "./contracts.js";
export { INTEGRITY_NOTICE_KINDS, isIntegrityNotice } from "./contracts.js";
export { DEFAULT_MODELS } from "./default-models.js";
export * from "./errors.js";
export {
  BOUNDARY_DISTANCE,
  type CriterionResult,
  CriterionResultSchema,
  criterionScale,
  evaluateGate,
  type GateCriterion,
  type GateCriterionInput,
  GateCriterionSchema,
  type GateOp,
  GateOpSchema,
  type GateResult,
  GateResultSchema,
  type GateSpec,
  type GateSpecInput,
  GateSpecSchema,
  parseGate,
} from "./gate.js";
export {
  type GateLoopBudget,
  type GateLoopOptions,
  type GateLoopResult,
  type RefineContext,
  runGateLoop,
} from "./gate-loop.js";
export {
  capLogTail,
  type EvaluationContext,
  type EvaluationOutput,
  type EvaluationResult,
  MAX_EVALUATOR_LOG_BYTES,
} from "./gate-loop-evaluation.js";
export { inIterationOrder } from "./iteration-order.js";
export {
  canonicalJson,
  findDeepNesting,
  type JsonValue,
  JsonValueSchema,
  MAX_NESTING_DEPTH,
  type NestingProblem,
} from "./json.js";
export { median } from "./median.js";
export { memoryStore } from "./memory-store.js";
export { type ExperimentMeta, type ExperimentMetaInput, ExperimentMetaSchema } from "./meta.js";
export {
  directionText,
  type GoalSource,
  type GoalStatements,
  type MetricRole,
  type MetricRoleInfo,
  MetricRoleSchema,
  type MetricSpan,
  metricRole,
  metricSpan,
} from "./metric-role.js";
export {
  type MetricGoal,
  MetricGoalSchema,
  type MetricSpec,
  type MetricSpecInput,
  MetricSpecInputSchema,
  MetricSpecSchema,
  type MetricSpecs,
  MetricSpecsSchema,
  metricGoal,
} from "./metric-spec.js";
export { formatMetricValue, type MetricValueOptions } from "./metric-value.js";
export {
  hasName,
  type NameMapSchemaOptions,
  nameMap,
  nameMapSchema,
  ownValue,
  setName,
} from "./names.js";
export { seededRandom } from "./random.js";
export {
  deserializeRecord,
  EvaluationErrorFieldSchema,
  ExperimentIdSchema,
  type ExperimentRecord,
  type ExperimentRecordInput,
  ExperimentRecordSchema,
  type LlmUsage,
  LlmUsageSchema,
  MetricsSchema,
  MetricValueSchema,
  type ParameterChange,
  parseRecord,
  type RecordedAdvice,
  RecordedAdviceSchema,
  RefinerFieldSchema,
  SCHEMA_VERSION,
  serializeRecord,
  TimestampSchema,
} from "./record.js";
export { type RefineWithinOptions, refineWithin } from "./refine-within.js";
export { attachRefinement, type Refinement, refinementOf } from "./refinement.js";
export {
  checkParameters,
  clampToSpace,
  type ParameterSpace,
  ParameterSpaceSchema,
  type ParameterSpec,
  ParameterSpecSchema,
  parameterKey,
  parameterProblems,
  type RefinableStrategy,
  type Refiner,
  type RefinerInput,
  type RefinerProposal,
} from "./refiner.js";
export { type ResolvePluginOptions, resolvePlugin } from "./resolve-plugin.js";
export { parseRetryAfter } from "./retry-after.js";
export {
  adviceDirections,
  evidenceOf,
  type ParameterEvidence,
  type RuleRefinerOptions,
  ruleProposal,
  ruleRefiner,
} from "./rule-refiner.js";
export { deriveParameterChanges } from "./run.js";
export {
  type ExperimentStatus,
  ExperimentStatusSchema,
  type ExperimentSummary,
  ExperimentSummarySchema,
  isBetterRecord,
  summarize,
} from "./summary.js";
export { codePointLabel, HIDDEN_CHARACTER, hiddenCharacters, terminalSafe } from "./text-safety.js";
export {
  createTracker,
  type LogInput,
  type Run,
  type StartOptions,
  type Tracker,
  type TrackerSettings,
} from "./tracker.js";
export {
  type ConvergenceStatus,
  ConvergenceStatusSchema,
  type ExperimentTrajectory,
  ExperimentTrajectorySchema,
  type GradientDirection,
  GradientDirectionSchema,
} from "./trajectory.js";
export { truncate } from "./truncate.js";
export { REDACTED, redactUri, redactUrisIn } from "./uri-redaction.js";
export { parseOrThrow, toValidationIssues } from "./validate.js";
export {
  LIKELIHOOD_HIGH,
  LIKELIHOOD_MEDIUM,
  type LikelihoodBand,
  likelihoodBand,
  VOCABULARY,
  VOCABULARY_DOC,
  type VocabularyTerm,
  type VocabularyValue,
  vocabularyMarkdown,
} from "./vocabulary.js";
