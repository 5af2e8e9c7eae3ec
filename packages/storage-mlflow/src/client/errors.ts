import { ConvergeError, type ConvergeErrorOptions } from "@converge/core";

export interface MlflowErrorOptions extends ConvergeErrorOptions {
  /** HTTP status, when the server answered. */
  status?: number;
  /** MLflow's `error_code` (e.g. `RESOURCE_DOES_NOT_EXIST`), when the server sent one. */
  errorCode?: string;
  /** e.g. `POST /api/2.0/mlflow/runs/create`. */
  endpoint?: string;
  /**
   * True when the server could not be reached or kept failing (connection
   * errors, timeouts, 408/429/5xx) after the retry budget: the request may be
   * retried later; the store spools in that case.
   */
  unreachable?: boolean;
}

/**
 * An MLflow request failed. Carries the HTTP status and MLflow's `error_code`
 * when there is one; the message says what to do. Never contains a credential.
 */
export class MlflowError extends ConvergeError {
  static override readonly isInstance =
    ConvergeError.instanceCheck<MlflowError>("converge.error.mlflow");
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly endpoint: string | undefined;
  readonly unreachable: boolean;

  constructor(message: string, options: MlflowErrorOptions = {}) {
    super(message, { hint: options.hint, cause: options.cause });
    this.name = "MlflowError";
    this.status = options.status;
    this.errorCode = options.errorCode;
    this.endpoint = options.endpoint;
    this.unreachable = options.unreachable === true;
  }
}

/** Whether `error` is an `MlflowError` whose server did not answer within the retries (the spool keeps what it concerns). */
export function isUnreachable(error: unknown): boolean {
  return MlflowError.isInstance(error) && error.unreachable;
}

/** The first line of an error's message (its `Fix:` line and stderr-like tails left out), for notices. */
export function errorHeadline(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
