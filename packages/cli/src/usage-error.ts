/**
 * A command line that cannot work as given (a store scheme this version does
 * not have, an option value that makes no sense). The CLI exits with code 2
 * for it, as it does for commander's own usage errors.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
