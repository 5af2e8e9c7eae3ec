#!/usr/bin/env node
/** The `converge-demo` executable: runs the demo with the process's arguments. */
import { main } from "./program.js";

// `converge-demo | head` closes the pipe early: that is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

// exitCode rather than process.exit(), so piped output is flushed first.
process.exitCode = await main(process.argv.slice(2));
