import { Command } from "commander";
import { describe, expect, it } from "vitest";
import {
  addObjectiveOptions,
  metricSpecs,
  type ObjectiveOptions,
  objectiveMetric,
  objectiveOptions,
} from "./objective.js";

/** The options as commander parses them from a command line. */
function parse(args: string[]): ObjectiveOptions {
  const command = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  for (const option of objectiveOptions()) command.addOption(option);
  command.parse(args, { from: "user" });
  return command.opts<ObjectiveOptions>();
}

describe("--metric, --maximize, --minimize", () => {
  it("a bare --maximize / --minimize gives --metric its direction; the objective comes first", () => {
    const options = parse(["--maximize", "f1", "--metric", "loss", "--minimize"]);
    expect(objectiveMetric(options)).toBe("loss");
    const specs = metricSpecs({ acc: { goal: "maximize" } }, options);
    expect(Object.keys(specs)).toEqual(["loss", "acc", "f1"]);
    expect(specs.loss).toEqual({ goal: "minimize" });
    expect(specs.f1).toEqual({ goal: "maximize" });
  });

  it("without --metric the objective is the first --maximize, else the first --minimize", () => {
    expect(objectiveMetric(parse(["--minimize", "loss", "--maximize", "a,b"]))).toBe("a");
    expect(objectiveMetric(parse(["--minimize", "loss"]))).toBe("loss");
    expect(objectiveMetric(parse([]))).toBeUndefined();
  });

  it("--metric alone takes its direction from the meta, else guesses it from the name and says so", () => {
    const guesses: string[] = [];
    const onGuess = (m: string, goal: string) => guesses.push(`${m}:${goal}`);
    expect(metricSpecs({}, parse(["--metric", "val_loss"]), onGuess).val_loss).toEqual({
      goal: "minimize",
    });
    expect(
      metricSpecs({ val_loss: { goal: "maximize" } }, parse(["--metric", "val_loss"]), onGuess)
        .val_loss,
    ).toEqual({ goal: "maximize" });
    expect(metricSpecs({}, parse(["--metric", "acc", "--maximize"]), onGuess).acc).toEqual({
      goal: "maximize",
    });
    expect(guesses).toEqual(["val_loss:minimize"]);
  });

  it("usage errors: a bare direction without --metric, one metric both ways", () => {
    expect(() => metricSpecs({}, parse(["--maximize"]))).toThrow(
      "--maximize without a metric name applies to --metric, and there is none. Write --maximize NAME, or --metric NAME --maximize.",
    );
    expect(() =>
      metricSpecs({}, parse(["--metric", "x", "--maximize", "--minimize", "x"])),
    ).toThrow("x cannot be both --maximize and --minimize.");
  });

  it("a metric called __proto__ is a metric like any other", () => {
    const specs = metricSpecs({}, parse(["--metric", "__proto__", "--minimize"]));
    expect(Object.hasOwn(specs, "__proto__")).toBe(true);
    expect(Object.keys(specs)).toEqual(["__proto__"]);
  });

  it("--help shows the options without their internal preset", () => {
    const help = addObjectiveOptions(new Command("analyze")).helpInformation();
    expect(help).toContain("--maximize [metric]");
    expect(help).toMatch(/alone, the\s+--metric objective/);
    expect(help).not.toContain("preset");
    // Without the help override commander would show it: the test above can fail.
    const plain = new Command("analyze");
    for (const option of objectiveOptions()) plain.addOption(option);
    expect(plain.helpInformation()).toContain("preset");
  });
});
