/**
 * The outlook section of the trajectory prompt: whether the gate is likely
 * to pass within the iterations left (the success probability with its
 * horizon) and when (the ETA: a median and a range at a stated level, over
 * the futures that pass within a stated horizon). Both come from the
 * analyzers' predictive model; an analysis written before they existed has
 * only the ETA, or core's point estimate, and the section says what it lacks.
 */
import type { AdvisorInput } from "@converge/core";
import { num, oneLine, type PromptSection } from "./prompt-format.js";
import type { EtaFacts, SuccessFacts, TrajectoryExtras } from "./trajectory-extras.js";
import { LIMITS } from "./trajectory-sections.js";

const iterations = (n: number) => `${num(n)} iteration${n === 1 ? "" : "s"}`;

/** "within the 6 iterations left in the budget" / "within the next 20 iterations (no budget known)". */
function horizonWords(s: Pick<SuccessFacts, "horizon" | "horizon_source">): string {
  if (s.horizon_source === "budget")
    return `within the ${iterations(s.horizon)} left in the budget`;
  if (s.horizon_source === "default")
    return `within the next ${iterations(s.horizon)} (no budget known)`;
  return `within the next ${iterations(s.horizon)}`;
}

function successLine(s: SuccessFacts): string {
  const within = horizonWords(s);
  const why = s.reason ? ` (${oneLine(s.reason, 300)})` : "";
  if (s.probability === null || !Number.isFinite(s.probability)) {
    return `- success probability, that the gate passes at least once ${within}: unknown${why}`;
  }
  const lines = [
    `- success probability, that the gate passes at least once ${within}: ${num(s.probability)}${why}`,
  ];
  const per = Object.entries(s.by_criterion ?? {});
  if (per.length > 0) {
    const shown = per
      .slice(0, LIMITS.listItems)
      .map(([name, p]) => `${oneLine(name, 80)} ${num(p)}`);
    if (per.length > LIMITS.listItems) {
      shown.push(`… ${per.length - LIMITS.listItems} more criteria not shown`);
    }
    lines.push(`  per criterion (each alone ${within}): ${shown.join("; ")}`);
  }
  return lines.join("\n");
}

function etaLine(eta: EtaFacts): string {
  const why = eta.reason ? ` (${oneLine(eta.reason, 300)})` : "";
  const head = "- ETA, the further iterations until the gate first passes:";
  if (eta.estimate === null || !Number.isFinite(eta.estimate)) {
    return `${head} no estimate${why}`;
  }
  if (eta.estimate === 0) return `${head} 0, it passes now${why}`;
  const open = eta.high === null ? "∞" : num(eta.high);
  const hasRange = eta.low !== undefined || eta.high !== undefined;
  const level =
    typeof eta.level === "number" && Number.isFinite(eta.level)
      ? `${num(Math.round(eta.level * 100))}% `
      : "";
  const range = hasRange ? `, ${level}range ${num(eta.low)} to ${open}` : "";
  const over =
    typeof eta.horizon === "number" && Number.isFinite(eta.horizon)
      ? `, over the predicted futures in which it passes within ${iterations(eta.horizon)}`
      : "";
  const model = eta.model ? `; ${oneLine(eta.model, 40)} model` : "";
  const centre = level || over ? `median ${num(eta.estimate)}` : `about ${num(eta.estimate)}`;
  return `${head} ${centre}${range}${over}${model}${why}`;
}

/**
 * The success probability with its horizon and the ETA with its level and
 * horizon; core's point estimate when the trajectory has no analysis.
 */
export function outlookSection(input: AdvisorInput, extras: TrajectoryExtras): PromptSection {
  const entries: string[] = [];
  if (extras.success) entries.push(successLine(extras.success));
  if (extras.eta) entries.push(etaLine(extras.eta));
  else {
    const e = input.trajectory.estimated_iterations_to_success;
    entries.push(
      `- iterations still needed to pass the gate: ${e === null ? "unknown (no estimate)" : `about ${num(e)} (a point estimate, without a range)`}`,
    );
  }
  if (!extras.success) {
    entries.push(
      "- success probability: not estimated (the trajectory carries no success_probability)",
    );
  }
  return { title: "Outlook: will the gate pass, and when", entries, priority: 88 };
}
