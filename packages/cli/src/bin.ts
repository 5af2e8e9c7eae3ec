#!/usr/bin/env node
import { main } from "./program.js";

// `converge list | head` closes the pipe early: that is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

// exitCode rather than process.exit(), so piped output is flushed first.
process.exitCode = await main(process.argv.slice(2));
