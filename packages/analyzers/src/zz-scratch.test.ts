import { it } from "vitest";
import { parseRecord } from "@converge/core";
import { analyzeTrajectory, outlookText } from "./index.js";
it("s", () => {
  const gate = { criteria: [{ metric: "sharpe_ratio", op: ">=" as const, threshold: 1 }, { metric: "max_drawdown", op: "<=" as const, threshold: 0.2 }] };
  const dd = [0.24, 0.22, 0.21, 0.19, 0.18];
  const records = [0.18, 0.37, 0.52, 0.64, 0.75].map((sharpe_ratio, i) => parseRecord({ experiment_id: "exp_eta", iteration: i + 1, metrics: { sharpe_ratio, max_drawdown: dd[i] } }));
  const t = analyzeTrajectory(records, { gate, maxIterations: 20 });
  console.log(outlookText(t.success_probability, t.iterations_to_success));
  console.log(JSON.stringify(t.success_probability.by_criterion));
  const t2 = analyzeTrajectory(records, { gate });
  console.log(outlookText(t2.success_probability, t2.iterations_to_success));
  const t3 = analyzeTrajectory(records.slice(0, 5), { gate, maxIterations: 7 });
  console.log(outlookText(t3.success_probability, t3.iterations_to_success));
  const flat = [0.5, 0.52, 0.49, 0.51, 0.5, 0.5, 0.51, 0.49].map((sharpe_ratio, i) => parseRecord({ experiment_id: "exp_flat", iteration: i + 1, metrics: { sharpe_ratio, max_drawdown: 0.15 } }));
  const t4 = analyzeTrajectory(flat, { gate, maxIterations: 20 });
  console.log(outlookText(t4.success_probability, t4.iterations_to_success), t4.success_probability.reason);
});
