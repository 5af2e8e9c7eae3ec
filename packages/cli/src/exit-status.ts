/**
 * An exit code with nothing more to say: the command has printed its outcome
 * (`converge loop`: the gate did not pass, or Ctrl-C) and only the code is
 * left. `main` returns it without printing an error.
 */
export class ExitStatus extends Error {
  readonly code: number;

  constructor(code: number) {
    super(`exit ${code}`);
    this.name = "ExitStatus";
    this.code = code;
  }
}
