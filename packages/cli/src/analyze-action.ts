import type { TrajectoryAnalysis } from "@converge/analyzers";
import { StoreError } from "@converge/core";
import {
  type LoadOptions,
  loadTargets,
  type PreparedExperiment,
  resolveTargets,
} from "./analyze-command-load.js";
import { renderAnalysis, toJsonLine } from "./analyze-command-render.js";
import type { CommandContext } from "./context.js";

/**
 * @converge/analyzers, loaded on first use: its statistics (mathjs) take
 * longer to load than the rest of the CLI, and list / show do not need them.
 */
export function loadAnalyzers(): Promise<typeof import("@converge/analyzers")> {
  return import("@converge/analyzers");
}

/**
 * The trajectory analysis of a prepared experiment. Its success probability
 * is about the iterations left in the budget: `maxIterations` when given (advise's
 * `--max-iterations`), else the experiment's recorded `max_iterations`; with
 * neither, about the analyzers' default horizon, and the outlook says so.
 */
export async function analyzePrepared(
  x: PreparedExperiment,
  maxIterations?: number,
): Promise<TrajectoryAnalysis> {
  const { analyzeTrajectory } = await loadAnalyzers();
  return analyzeTrajectory(x.records, {
    metrics: x.metrics,
    gate: x.gate,
    experimentId: x.experimentId,
    maxIterations: maxIterations ?? x.meta.max_iterations ?? null,
  });
}

/**
 * The outlook line of an analysis, worded by @converge/analyzers as the rule
 * advisor words it: "P(pass within the 6 iterations left) 0.72 · 80% range
 * 2–5 iterations (median 3)". Async because the analyzers load on first use.
 */
export async function outlookOf(analysis: TrajectoryAnalysis): Promise<string> {
  const { outlookText } = await loadAnalyzers();
  return outlookText(analysis.success_probability, analysis.iterations_to_success);
}

/** `converge analyze`: loaded when the command runs (see analyze-command.ts). */
export async function runAnalyze(
  args: string[],
  options: LoadOptions & { json?: boolean },
  ctx: CommandContext,
): Promise<void> {
  const targets = await resolveTargets(args, options, ctx);
  const { experiments, failed } = await loadTargets(targets, options, ctx);
  for (const [i, x] of experiments.entries()) {
    const analysis = await analyzePrepared(x);
    if (options.json) {
      await ctx.json(`${toJsonLine(x.experimentId, analysis)}\n`);
      continue;
    }
    if (i > 0) ctx.out();
    const outlook = await outlookOf(analysis);
    for (const line of renderAnalysis(x, analysis, ctx.style, outlook)) ctx.out(line);
  }
  if (failed > 0) {
    throw new StoreError(
      `${failed} experiment(s) could not be read (see the messages above); the others are analysed.`,
    );
  }
}
