/**
 * The options of the foreign mode (`--runs`, `--history <run>`), apart from
 * the code that reads MLflow (foreign-targets.ts), so that registering them
 * loads no MLflow client.
 */
import type { ForeignMode } from "@converge/storage-mlflow";
import { Option } from "commander";

/** What `--runs` / `--history` add to a target: the MLflow experiment and how to read it. */
export interface ForeignTarget {
  experimentName: string;
  mode: ForeignMode;
}

/** The options of the foreign mode. */
export interface ForeignOptions {
  runs?: boolean;
  history?: string;
}

/** `--runs` and `--history <run>`. */
export function foreignOptions(): Option[] {
  return [
    new Option(
      "--runs",
      "the arguments are MLflow experiments of ordinary runs (not written by Converge): each FINISHED run is an iteration, in start order",
    ),
    new Option(
      "--history <run>",
      "the argument is an MLflow experiment, and this run of it (id or name) is read: each step of its metric history is an iteration",
    ).conflicts("runs"),
  ];
}

/** The mode the options ask for, or undefined for Converge experiments. */
export function foreignMode(options: ForeignOptions): ForeignMode | undefined {
  if (options.history !== undefined) return { kind: "history", run: options.history };
  return options.runs ? { kind: "runs" } : undefined;
}
