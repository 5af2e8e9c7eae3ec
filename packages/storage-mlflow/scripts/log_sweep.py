"""Log an ordinary MLflow experiment, as an MLflow user would, with the official client.

Nothing here knows Converge: a hyper-parameter sweep of trial runs (params + final
metrics), one training run with a metric history over steps, a deleted run, a FAILED
run and (optionally) a run left RUNNING. The runs are created out of start order, two
of them with the same start time, so that a reader has to sort them itself.

Usage:
  python log_sweep.py --tracking-uri http://127.0.0.1:PORT --experiment-name NAME
      [--runs 12] [--history-steps 50] [--no-deleted] [--no-failed] [--running]
      [--description TEXT] [--seed 7]

Prints one JSON document (non-finite floats as "NaN" / "Infinity" / "-Infinity"):
  {
    "experiment_id": "...", "experiment_name": "...", "description": "...",
    "runs": [                     every run created, in creation order
      {"run_id", "run_name", "kind": "trial" | "history" | "deleted" | "failed" | "running",
       "status", "deleted", "start_time", "end_time" (ms or null),
       "params": {key: text}, "metrics": {key: latest value},
       "history": {key: [{"step", "value", "timestamp"}]}   (the history run only)}
    ]
  }
"""

import argparse
import json
import math
import os
import random

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

import mlflow  # noqa: E402
from mlflow.entities import Metric, Param  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

from json_safe import clean  # noqa: E402  (beside this script)

# A fixed start, so that times are predictable: 2026-03-02T09:00:00Z.
T0 = 1772442000000


def trial_values(i, rng):
    """A sweep that improves as it goes (a sequential search), with noise."""
    lr = round(0.1 * (0.7**i), 6)
    params = {
        "learning_rate": lr,
        "batch_size": [32, 64, 128][i % 3],
        "optimizer": "adam" if i % 2 == 0 else "sgd",
        "dropout": round(0.1 + 0.05 * (i % 4), 2),
        "run_tag": f"0{i}",  # a leading zero: an id, not a number
    }
    acc = 0.62 + 0.3 * (1 - math.exp(-i / 4)) + rng.uniform(-0.01, 0.01)
    metrics = {
        "val_acc": round(acc, 6),
        "val_loss": round(1.2 - acc + rng.uniform(0, 0.02), 6),
        "train_loss": round(1.0 - acc * 0.9, 6),
    }
    return params, metrics


def log_run(client, exp_id, name, start, end, params, metrics, status="FINISHED", step=0):
    run = client.create_run(exp_id, start_time=start, run_name=name)
    rid = run.info.run_id
    client.log_batch(
        rid,
        metrics=[Metric(k, v, start + 500, step) for k, v in metrics.items()],
        params=[Param(k, str(v)) for k, v in params.items()],
    )
    if status != "RUNNING":
        client.set_terminated(rid, status=status, end_time=end)
    return rid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracking-uri", required=True)
    ap.add_argument("--experiment-name", required=True)
    ap.add_argument("--runs", type=int, default=12)
    ap.add_argument("--history-steps", type=int, default=50)
    ap.add_argument("--no-deleted", action="store_true")
    ap.add_argument("--no-failed", action="store_true")
    ap.add_argument("--running", action="store_true")
    ap.add_argument("--description", default="Learning-rate sweep of a small CNN")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    mlflow.set_tracking_uri(args.tracking_uri)
    client = MlflowClient(args.tracking_uri)
    rng = random.Random(args.seed)
    exp_id = client.create_experiment(
        args.experiment_name, tags={"mlflow.note.content": args.description}
    )
    runs = []

    def add(kind, rid, name, start, end, params, metrics, status, deleted=False, history=None):
        entry = {
            "run_id": rid,
            "run_name": name,
            "kind": kind,
            "status": status,
            "deleted": deleted,
            "start_time": start,
            "end_time": end if status != "RUNNING" else None,
            "params": {k: str(v) for k, v in params.items()},
            "metrics": metrics,
        }
        if history is not None:
            entry["history"] = history
        runs.append(entry)

    # Trials are created last-first: creation order is not start order. Trials 2 and 3
    # start at the same millisecond (ties are broken by run id).
    for i in reversed(range(args.runs)):
        start = T0 + 60_000 * (i if i < 3 else i - 1)
        end = start + 30_000 + 1_000 * i
        params, metrics = trial_values(i, rng)
        if i == 1:
            metrics["grad_norm"] = float("inf")  # a diverged gradient, logged as it was
        name = f"trial-{i:02d}"
        rid = log_run(client, exp_id, name, start, end, params, metrics)
        add("trial", rid, name, start, end, params, metrics, "FINISHED")

    base = T0 + 60_000 * (args.runs + 1)
    if not args.no_deleted:
        params, metrics = trial_values(99, rng)
        rid = log_run(client, exp_id, "trial-deleted", base, base + 1_000, params, metrics)
        client.delete_run(rid)
        add("deleted", rid, "trial-deleted", base, base + 1_000, params, metrics, "FINISHED", True)
    if not args.no_failed:
        start = base + 60_000
        params = {"learning_rate": 5.0, "batch_size": 32, "optimizer": "sgd"}
        metrics = {"val_loss": float("nan")}
        rid = log_run(client, exp_id, "trial-failed", start, start + 2_000, params, metrics, "FAILED")
        add("failed", rid, "trial-failed", start, start + 2_000, params, metrics, "FAILED")
    if args.running:
        start = base + 120_000
        params, metrics = trial_values(50, rng)
        rid = log_run(client, exp_id, "trial-running", start, None, params, metrics, "RUNNING")
        add("running", rid, "trial-running", start, None, params, metrics, "RUNNING")

    if args.history_steps > 0:
        start = base + 180_000
        params = {"learning_rate": 0.003, "epochs": args.history_steps, "model": "cnn-small"}
        run = client.create_run(exp_id, start_time=start, run_name="train-long")
        rid = run.info.run_id
        client.log_batch(rid, params=[Param(k, str(v)) for k, v in params.items()])
        history = {"loss": [], "accuracy": [], "lr": []}
        metrics = []
        for step in range(args.history_steps):
            ts = start + 1_000 * (step + 1)
            loss = round(2.0 * math.exp(-step / 12) + 0.15 + rng.uniform(0, 0.02), 6)
            acc = round(0.95 - 0.55 * math.exp(-step / 10) + rng.uniform(-0.005, 0.005), 6)
            values = {"loss": loss, "accuracy": acc}
            if step % 10 == 0:  # logged every 10 steps only
                values["lr"] = round(0.003 * (0.5 ** (step // 10)), 8)
            for k, v in values.items():
                metrics.append(Metric(k, v, ts, step))
                history[k].append({"step": step, "value": v, "timestamp": ts})
        # A value logged twice at the last step: the later one is the step's value.
        last = args.history_steps - 1
        ts = start + 1_000 * (last + 1) + 1
        metrics.append(Metric("loss", 0.14, ts, last))
        history["loss"].append({"step": last, "value": 0.14, "timestamp": ts})
        for i in range(0, len(metrics), 900):
            client.log_batch(rid, metrics=metrics[i : i + 900])
        end = start + 1_000 * (args.history_steps + 2)
        client.set_terminated(rid, status="FINISHED", end_time=end)
        latest = {k: v[-1]["value"] for k, v in history.items() if v}
        add("history", rid, "train-long", start, end, params, latest, "FINISHED", history=history)

    print(
        json.dumps(
            clean(
                {
                    "experiment_id": exp_id,
                    "experiment_name": args.experiment_name,
                    "description": args.description,
                    "runs": runs,
                }
            )
        )
    )


if __name__ == "__main__":
    main()
