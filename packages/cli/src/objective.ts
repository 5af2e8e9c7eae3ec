/**
 * `--metric`, `--maximize`, `--minimize`: which metric is the objective when
 * there is no gate, and which way each metric is better.
 */
import { type MetricSpec, metricGoal, nameMap, ownValue } from "@converge/core";
import { type Command, Help, InvalidArgumentError, Option } from "commander";
import { UsageError } from "./usage-error.js";

/**
 * What a bare `--maximize` / `--minimize` (no metric after it) stands for:
 * the `--metric` objective. A NUL can be in no metric name on a command line.
 */
const THE_METRIC = "\u0000the --metric objective";

/** The options that name metrics. */
export interface ObjectiveOptions {
  /** The objective when there is no gate. */
  metric?: string;
  maximize?: string[];
  minimize?: string[];
}

/** Commander collector for repeatable options; "a,b" counts as two values. */
export function collect(value: string, previous: string[] | undefined): string[] {
  if (value === THE_METRIC) return [...(previous ?? []), value];
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError("give a metric name");
  return [...(previous ?? []), ...names];
}

/** `--metric`, `--maximize [metric]`, `--minimize [metric]`. */
export function objectiveOptions(): Option[] {
  return [
    new Option(
      "--metric <name>",
      "the objective: the metric the trajectory is scored by when there is no gate (its direction from --maximize / --minimize, else from its name)",
    ),
    new Option(
      "--maximize [metric]",
      "a metric where higher is better (repeatable; alone, the --metric objective)",
    )
      .preset(THE_METRIC)
      .argParser(collect),
    new Option(
      "--minimize [metric]",
      "a metric where lower is better (repeatable; alone, the --metric objective)",
    )
      .preset(THE_METRIC)
      .argParser(collect),
  ];
}

/**
 * Adds `objectiveOptions()` to a command, keeping their internal preset out
 * of `--help` (commander would print it as `(preset: "...")`).
 */
export function addObjectiveOptions(command: Command): Command {
  for (const option of objectiveOptions()) command.addOption(option);
  return command.configureHelp({
    optionDescription(option) {
      const text = Help.prototype.optionDescription.call(this, option);
      return option.presetArg === THE_METRIC ? text.replace(/ \(preset: [^)]*\)$/, "") : text;
    },
  });
}

/** `--maximize` / `--minimize` with a bare flag replaced by the `--metric` name. */
function directions(options: ObjectiveOptions): { maximize: string[]; minimize: string[] } {
  const resolve = (names: string[] | undefined, flag: string) =>
    (names ?? []).map((name) => {
      if (name !== THE_METRIC) return name;
      if (options.metric === undefined) {
        throw new UsageError(
          `${flag} without a metric name applies to --metric, and there is none. Write ${flag} NAME, or --metric NAME ${flag}.`,
        );
      }
      return options.metric;
    });
  return {
    maximize: resolve(options.maximize, "--maximize"),
    minimize: resolve(options.minimize, "--minimize"),
  };
}

/** The objective metric named on the command line: --metric, else the first --maximize, else the first --minimize. */
export function objectiveMetric(options: ObjectiveOptions): string | undefined {
  const { maximize, minimize } = directions(options);
  return options.metric ?? maximize[0] ?? minimize[0];
}

/**
 * The metric directions: `--maximize` / `--minimize` over `base` (the meta's
 * specs). The `--metric` objective comes first, so that the analyzers score
 * it when there is no gate; without a direction its goal is the base's, else
 * guessed from its name (`onGuess` is told).
 */
export function metricSpecs(
  base: Readonly<Record<string, MetricSpec>>,
  options: ObjectiveOptions,
  onGuess?: (metric: string, goal: MetricSpec["goal"]) => void,
): Record<string, MetricSpec> {
  const { maximize, minimize } = directions(options);
  const both = maximize.filter((m) => minimize.includes(m));
  if (both.length > 0) {
    throw new UsageError(`${both.join(", ")} cannot be both --maximize and --minimize.`);
  }
  // A map without a prototype: a metric called "__proto__" is a metric like any other.
  const specs = nameMap<MetricSpec>();
  const objective = options.metric;
  if (objective !== undefined) {
    const stated = maximize.includes(objective) || minimize.includes(objective);
    const known = ownValue(base, objective);
    if (!stated && known === undefined) onGuess?.(objective, metricGoal(objective));
    specs[objective] = known ?? { goal: metricGoal(objective) };
  }
  for (const [name, spec] of Object.entries(base)) if (name !== objective) specs[name] = spec;
  for (const m of maximize) specs[m] = { ...specs[m], goal: "maximize" };
  for (const m of minimize) specs[m] = { ...specs[m], goal: "minimize" };
  return specs;
}
