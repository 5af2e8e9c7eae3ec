import { ConvergeError, type ConvergeErrorOptions } from "@converge/core";

/** Why an MLflow experiment's ordinary runs could not be read as records. */
export type ForeignRunsReason =
  /** No MLflow experiment of that name; `details.others` names a few that exist. */
  | "experiment-not-found"
  /** The MLflow experiment is deleted (in the trash). */
  | "experiment-deleted"
  /** Every run in it was written by Converge; `details.convergeIds` are its experiments. */
  | "converge-experiment"
  /** The chosen run was written by Converge; `details.convergeIds` holds its experiment. */
  | "converge-run"
  /** No finished ordinary run to make iterations of. */
  | "no-runs"
  /** No run of that id or name; `details.runs` lists some that exist. */
  | "run-not-found"
  /** Several runs have that name; `details.runs` lists them. */
  | "run-ambiguous"
  /** The run is deleted, or in another MLflow experiment (`details.runs` holds it). */
  | "run-deleted"
  | "run-elsewhere"
  /** The run has no metric to make a history of. */
  | "no-history"
  /** A metric the caller named (gate or goals) is in no record; `details.available` lists those that are. */
  | "metric-not-found";

/** What a {@link ForeignRunsError} knows beside its message, for callers that word their own fix. */
export interface ForeignRunsDetails {
  experimentName: string;
  others?: string[];
  convergeIds?: string[];
  runs?: Array<{ run_id: string; run_name: string }>;
  /** The metric that is missing, and where the caller named it. */
  metric?: string;
  namedIn?: "gate" | "metrics";
  available?: string[];
}

/**
 * An MLflow experiment (or run) that cannot be read as Converge records: the
 * message says what is wrong and the hint what to do; `reason` and `details`
 * let a caller (the CLI) name its own options in the fix.
 */
export class ForeignRunsError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<ForeignRunsError>(
    "converge.error.mlflow-foreign-runs",
  );
  readonly reason: ForeignRunsReason;
  readonly details: ForeignRunsDetails;

  constructor(
    reason: ForeignRunsReason,
    message: string,
    details: ForeignRunsDetails,
    options: ConvergeErrorOptions = {},
  ) {
    super(message, options);
    this.name = "ForeignRunsError";
    this.reason = reason;
    this.details = details;
  }
}
