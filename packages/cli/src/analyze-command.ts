import { type Command, Option } from "commander";
import type { LoadOptions } from "./analyze-command-load.js";
import type { CommandContext } from "./context.js";
import { foreignOptions } from "./foreign-options.js";
import { addObjectiveOptions } from "./objective.js";
import { mlflowExperimentOption, storeOption } from "./options.js";
import { strictOption } from "./strict-notices.js";

/**
 * `--gate`, `--metric`, `--maximize`, `--minimize`, `--runs`, `--history`,
 * `--lenient`, `--strict`: the options analyze, advise and report take.
 */
export function analysisOptions(command: Command): Command {
  command.addOption(
    new Option(
      "--gate <file|criteria>",
      'the gate to score the records against (default: the experiment\'s own): a JSON file ({"criteria": [...]}, or a .meta.json), JSON, or criteria like "val_acc>=0.9,val_loss<0.3"',
    ),
  );
  addObjectiveOptions(command);
  for (const option of foreignOptions()) command.addOption(option);
  return command
    .option("--lenient", "skip lines that are not valid records (each reported on stderr)")
    .addOption(strictOption());
}

/**
 * The help paragraph on MLflow experiments of ordinary runs (`--runs`,
 * `--history`) that analyze, advise and report show, with `command`'s examples.
 */
export function foreignHelp(command: string, extra = ""): string {
  return `
Ordinary MLflow runs (--runs, --history):
An MLflow experiment you logged yourself (runs with mlflow.log_params /
log_metrics, not written by Converge): add --runs, and the arguments are
MLflow experiment names on the --store mlflow+http://HOST:PORT server (or
$MLFLOW_TRACKING_URI). Each FINISHED run is an iteration, in start order
(params as parameters, the runs' latest metrics); runs not FINISHED, parents
of other runs and Converge's own runs are left out, with a warning. With
--history RUN (a run id or name) the argument is one MLflow experiment and
each step of that run's metric history is an iteration. MLflow has no
objective: give --metric NAME with --maximize or --minimize (or just
--maximize NAME), and/or --gate "NAME>=X" for a pass/fail target (the ETA
and the probability of passing need one). Without either it is an error
that lists the experiment's metrics.
  $ converge ${command} my-sweep --store mlflow+http://127.0.0.1:5000 --runs --maximize val_acc${extra}
  $ converge ${command} my-sweep --store mlflow+http://127.0.0.1:5000 --runs --gate "val_acc>=0.9"
  $ converge ${command} my-training --store mlflow+http://127.0.0.1:5000 --history train-long --metric loss --minimize`;
}

/** Adds `converge analyze` to a program. */
export function registerAnalyze(program: Command, ctx: CommandContext): Command {
  const command = program
    .command("analyze")
    .description(
      "Analyse experiments' trajectories: convergence status, gradient, distance to goal, the outlook (the probability of passing the gate within the iterations left, and the ETA with its 80% range), per-metric trends, parameter impact, efficiency, change points and the overfitting guard.",
    )
    .argument(
      "<experiment...>",
      "experiment ids, <experiment_id>.jsonl files, or directories (every experiment in each); with --runs / --history, MLflow experiment names",
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
against that gate. Without a gate the score is the objective: --metric, else
the first --maximize, else the first --minimize, else the first metric the
meta names. Metric directions come from --maximize / --minimize, else the
experiment's meta, else the name (drawdown, volatility, loss, error, cost,
latency are minimised; the rest maximised).

Outlook: P(pass within the N iterations left) is the probability that the
gate passes at least once within what is left of the experiment's iteration
budget (its max_iterations, recorded by runGateLoop); without a budget it is
about the next 20 iterations and says "(no budget known)". The ETA is the
median and the 80% range of the further iterations until the gate first
passes, over the predicted futures in which it passes within the horizon its
note names (at least 50 iterations, and at least the iterations left).

--json writes one line per experiment: experiment_id and the Python logger's
ExperimentTrajectory fields (metric_history, improvement_rates,
convergence_status, gradient_direction, distance_to_goal,
estimated_iterations_to_success, parameter_impact), then metric_trends,
score_trend, distance_by_criterion, iterations_to_success (estimate, low,
high, level, horizon, model, reason), success_probability (probability,
horizon, horizon_source, basis, by_criterion, reason), parameter_effects,
efficiency and overfitting. NaN and infinities are written as the strings
"NaN", "Infinity", "-Infinity".

With --strict, an experiment whose records have integrity problems (a
duplicate, out-of-order, foreign or missing iteration) is not analysed: each
problem is listed with its file:line and the command exits 1; without it they
are warnings on stderr.

Examples:
  $ converge analyze exp_20260118_143022
  $ converge analyze ./logs/exp_20260118_143022.jsonl
  $ converge analyze ./experiments --json > trajectories.jsonl
  $ converge analyze exp_a exp_b --store jsonl:./runs --gate gate.json
  $ converge analyze exp_a --maximize profit_factor --minimize max_drawdown
${foreignHelp("analyze")}`,
    )
    .action(async (args: string[], options: LoadOptions & { json?: boolean }) => {
      const { runAnalyze } = await import("./analyze-action.js");
      await runAnalyze(args, options, ctx);
    });
}
