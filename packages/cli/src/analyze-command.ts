import type { TrajectoryAnalysis } from "@converge/analyzers";
import { type Command, Option } from "commander";
import {
  collect,
  type LoadOptions,
  loadTargets,
  type PreparedExperiment,
  resolveTargets,
} from "./analyze-command-load.js";
import { renderAnalysis, toJsonLine } from "./analyze-command-render.js";
import type { CommandContext } from "./context.js";
import { mlflowExperimentOption, storeOption } from "./options.js";

/**
 * @converge/analyzers, loaded on first use: its statistics (mathjs) take
 * longer to load than the rest of the CLI, and list / show do not need them.
 */
export function loadAnalyzers(): Promise<typeof import("@converge/analyzers")> {
  return import("@converge/analyzers");
}

/** The trajectory analysis of a prepared experiment. */
export async function analyzePrepared(x: PreparedExperiment): Promise<TrajectoryAnalysis> {
  const { analyzeTrajectory } = await loadAnalyzers();
  return analyzeTrajectory(x.records, {
    metrics: x.metrics,
    gate: x.gate,
    experimentId: x.experimentId,
  });
}

/** `--gate`, `--maximize`, `--minimize`: the options both analyze and advise take. */
export function analysisOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--gate <file>",
        'a JSON gate ({"criteria": [...]}, or a .meta.json) to score the records against; default: the experiment\'s own gate',
      ),
    )
    .addOption(
      new Option("--maximize <metric>", "a metric where higher is better (repeatable)").argParser(
        collect,
      ),
    )
    .addOption(
      new Option("--minimize <metric>", "a metric where lower is better (repeatable)").argParser(
        collect,
      ),
    )
    .option("--lenient", "skip lines that are not valid records (each reported on stderr)");
}

/** Adds `converge analyze` to a program. */
export function registerAnalyze(program: Command, ctx: CommandContext): Command {
  const command = program
    .command("analyze")
    .description(
      "Analyse experiments' trajectories: convergence status, gradient, distance to goal, ETA, per-metric trends, parameter impact, efficiency, change points and the overfitting guard.",
    )
    .argument(
      "<experiment...>",
      "experiment ids, <experiment_id>.jsonl files, or directories (every experiment in each)",
    )
    .addOption(storeOption())
    .addOption(mlflowExperimentOption())
    .option("--json", "print JSON Lines: one trajectory object per experiment");
  return analysisOptions(command)
    .addHelpText(
      "after",
      `
An argument that is a directory means every experiment in it; a .jsonl file
(or anything containing a "/") is read as converge show reads it; anything
else is an experiment id in the --store store.

The score is the records' gate score; with --gate the records are re-scored
against that gate. Metric directions come from --maximize / --minimize, else
the experiment's meta, else the name (drawdown, volatility, loss, error, cost,
latency are minimised; the rest maximised).

--json writes one line per experiment: experiment_id and the seed's
ExperimentTrajectory fields (metric_history, improvement_rates,
convergence_status, gradient_direction, distance_to_goal,
estimated_iterations_to_success, parameter_impact), then metric_trends,
score_trend, distance_by_criterion, iterations_to_success, parameter_effects,
efficiency and overfitting. NaN and infinities are written as the strings
"NaN", "Infinity", "-Infinity".

Examples:
  $ converge analyze exp_20260118_143022
  $ converge analyze ./logs/exp_20260118_143022.jsonl
  $ converge analyze ./experiments --json > trajectories.jsonl
  $ converge analyze exp_a exp_b --store jsonl:./runs --gate gate.json
  $ converge analyze exp_a --maximize profit_factor --minimize max_drawdown`,
    )
    .action(async (args: string[], options: LoadOptions & { json?: boolean }) => {
      const targets = await resolveTargets(args, options, ctx);
      const { experiments, failed } = await loadTargets(targets, options, ctx);
      for (const [i, x] of experiments.entries()) {
        const analysis = await analyzePrepared(x);
        if (options.json) {
          ctx.out(toJsonLine(x.experimentId, analysis));
          continue;
        }
        if (i > 0) ctx.out();
        for (const line of renderAnalysis(x, analysis, ctx.style)) ctx.out(line);
      }
      if (failed > 0) {
        throw new Error(
          `${failed} experiment(s) could not be read (see the messages above); the others are analysed.`,
        );
      }
    });
}
