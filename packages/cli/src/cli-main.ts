/**
 * The `converge` command's entry inside the bundle (dist/cli.cjs, loaded by
 * dist/bin.js after it set up the code cache). CommonJS has no top-level
 * await: the exit code is set when main resolves.
 */
import { main } from "./program.js";

// `converge list | head` closes the pipe early: that is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

// exitCode rather than process.exit(), so piped output is flushed first.
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
