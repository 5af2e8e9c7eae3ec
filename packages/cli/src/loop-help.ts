/** The text after the options in `converge loop --help`: the file's fields and a complete example. */
export function loopHelp(): string {
  return `
The evaluator is your program: for each iteration it gets one JSON object on
stdin, {"experiment_id", "iteration", "strategy": {"name", "parameters",
"code_path"}}, and prints one JSON object of metric name -> number on stdout
("NaN", "Infinity", "-Infinity" allowed as strings). Its stderr is kept as the
iteration's log (the last 16 KB). A non-zero exit, a timeout (the process
group is killed) or anything else on stdout is a failed evaluation: logged as
an iteration (EVALUATION_FAILED), then the loop stops, or goes on with
onEvaluationError "continue". Variables whose names contain KEY, TOKEN,
SECRET, PASSWORD or CREDENTIAL are not passed to it unless named in
evaluator.passEnv. It runs in the loop file's directory.

The loop file (JSON, or YAML for .yaml / .yml; paths relative to it):
  gate             the quality gate: {"criteria": [{"metric", "op", "threshold"}]}
  strategy         the start: {"name", "parameters", "code_file"?}
  parameters       the space the refiner searches, per parameter:
                   {"type": "int"|"float", "min", "max", "step"?} or
                   {"type": "choice", "values": [...]}
  maxIterations    the most iterations to run
  evaluator        {"command": [argv...], "timeoutSeconds"? (600), "passEnv"? []}
  metrics?         which way is better: {"sharpe_ratio": "maximize", ...}
  experimentId?    default: loop_<UTC time> (or --experiment-id)
  directive?       what the loop tries to achieve, kept in the meta
  budget?          {"costUsd"?, "wallTimeSeconds"?}
  store?           as --store takes it (default: $CONVERGE_STORE, else
                   mlflow+$MLFLOW_TRACKING_URI, else jsonl:./experiments)
  advisor?         {"kind": "rule"} (default) | {"kind": "openai"|"anthropic", "model"?}
  refiner?         {"kind": "rule"} (default) | {"kind": "llm", "provider":
                   "openai"|"anthropic", "model"?, "allowCode"?} | {"kind": "command",
                   "command": [argv...]}; allowCode: the model may change code_file's code
  onEvaluationError?  "stop" (default) | "continue"
  allowRepeats?    evaluate the same parameters twice: false (default)
  report?          the HTML report (default: beside the JSONL log as <id>.html)
LLM keys are read from OPENAI_API_KEY / ANTHROPIC_API_KEY only.

Exit codes: 0 the gate passed (SUCCESS), 1 it did not (or the loop failed),
2 a bad loop file, 130 Ctrl-C. The first Ctrl-C stops after the current
iteration is logged, then writes the summary and the report; a second one
stops the evaluation and exits at once.

A complete example (examples/python-backtest/loop.json):
  {
    "directive": "Tune a moving-average crossover to Sharpe >= 0.9, drawdown <= 20%, win rate >= 60%.",
    "gate": { "criteria": [
      { "metric": "sharpe_ratio", "op": ">=", "threshold": 0.9 },
      { "metric": "max_drawdown", "op": "<=", "threshold": 0.2 },
      { "metric": "win_rate", "op": ">=", "threshold": 0.6 } ] },
    "metrics": { "sharpe_ratio": "maximize", "max_drawdown": "minimize", "win_rate": "maximize" },
    "strategy": { "name": "ma_crossover", "parameters": { "fast": 5, "slow": 20, "stop_loss": 0.05 } },
    "parameters": {
      "fast": { "type": "int", "min": 2, "max": 30, "step": 3 },
      "slow": { "type": "int", "min": 20, "max": 120, "step": 10 },
      "stop_loss": { "type": "float", "min": 0.02, "max": 0.15, "step": 0.01 } },
    "maxIterations": 12,
    "store": "jsonl:./experiments",
    "evaluator": { "command": ["python3", "backtest.py"], "timeoutSeconds": 60 },
    "refiner": { "kind": "rule" }
  }

Examples:
  $ converge loop examples/python-backtest/loop.json
  $ converge loop loop.yaml --experiment-id tune_v2
  $ OPENAI_API_KEY=sk-... converge loop loop-llm.json`;
}
