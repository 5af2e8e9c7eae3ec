/**
 * @converge/demo: a gate loop that tunes a momentum strategy on a seeded
 * simulated market until it passes (or the advisor stops it), then writes an
 * HTML report. This is the library surface; the executable is `bin.ts`. Run it
 * with `npm run demo` from the repository root, or
 * `node apps/demo/dist/bin.js --help`.
 */
export * from "./backtest.js";
export * from "./counterfactual.js";
export * from "./demo.js";
export * from "./market.js";
export { createProgram, type MainIo, main } from "./program.js";
export * from "./progress.js";
export * from "./setup.js";
export * from "./strategy.js";
export * from "./summary.js";
export * from "./tuner.js";
