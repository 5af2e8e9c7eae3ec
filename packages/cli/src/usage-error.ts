import { ConvergeError, type ConvergeErrorOptions } from "@converge/core";

/**
 * A command line that cannot work as given (a store scheme this version does
 * not have, an option value that makes no sense). The CLI exits with code 2
 * for it, as it does for commander's own usage errors.
 */
export class UsageError extends ConvergeError {
  static override readonly isInstance = ConvergeError.instanceCheck<UsageError>(
    "converge.error.cli-usage",
  );

  constructor(message: string, options: ConvergeErrorOptions = {}) {
    super(message, options);
    this.name = "UsageError";
  }
}
