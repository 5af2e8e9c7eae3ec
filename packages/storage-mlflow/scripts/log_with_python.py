"""Benchmark baseline: log N Converge-like iterations with the official MLflow client.

The same mapping as @converge/storage-mlflow: one parent run per Converge experiment,
one child run per iteration (tag mlflow.parentRunId), each child getting its params,
metrics and tags in one `log_batch`, then `set_terminated`; the parent gets the
iteration's metrics with step = iteration (the trajectory) in one `log_batch`.
Requests per iteration: runs/create + runs/log-batch (child) + runs/update +
runs/log-batch (parent) = 4 (+1 artifact upload with --artifacts).

Usage:
  python log_with_python.py --tracking-uri URI --experiment-name NAME
      [--iterations 1000] [--params 10] [--metrics 10] [--concurrency 1] [--artifacts]
      [--seed 1]

Prints one JSON document: {wall_seconds (logging only, after imports and client setup),
setup_seconds, iterations, runs_created, requests, requests_by_endpoint,
requests_per_iteration, experiment_id, parent_run_id, mlflow_version, concurrency}.
"""

import argparse
import collections
import json
import os
import random
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
_t0 = time.perf_counter()

import mlflow  # noqa: E402
import mlflow.utils.rest_utils as rest_utils  # noqa: E402
from mlflow.entities import Metric, Param, RunTag  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

_lock = threading.Lock()
_counts = collections.Counter()


def _counting(original):
    def wrapper(*args, **kwargs):
        endpoint = kwargs.get("endpoint", args[1] if len(args) > 1 else "?")
        if "/mlflow-artifacts/" in str(endpoint):
            endpoint = "mlflow-artifacts"
        with _lock:
            _counts[str(endpoint)] += 1
        return original(*args, **kwargs)

    return wrapper


rest_utils.http_request = _counting(rest_utils.http_request)
try:
    import mlflow.store.artifact.http_artifact_repo as http_artifact_repo  # noqa: E402

    http_artifact_repo.http_request = _counting(http_artifact_repo.http_request)
except ImportError:
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--experiment-name", required=True)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--params", type=int, default=10)
    parser.add_argument("--metrics", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--artifacts", action="store_true", help="also upload record.json per child")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    client = MlflowClient(tracking_uri=args.tracking_uri)
    rng = random.Random(args.seed)
    converge_id = f"bench-{uuid.UUID(int=rng.getrandbits(128)).hex[:12]}"
    plan = [
        (
            i,
            {f"param_{j}": str(round(rng.uniform(0, 100), 4)) for j in range(args.params)},
            {f"metric_{j}": rng.gauss(0, 1) for j in range(args.metrics)},
        )
        for i in range(1, args.iterations + 1)
    ]
    setup_seconds = time.perf_counter() - _t0
    _counts.clear()

    start = time.perf_counter()
    experiment = client.get_experiment_by_name(args.experiment_name)
    experiment_id = (
        experiment.experiment_id if experiment is not None else client.create_experiment(args.experiment_name)
    )
    parent = client.create_run(
        experiment_id,
        run_name=f"converge {converge_id}",
        tags={"converge.experiment_id": converge_id, "converge.kind": "experiment"},
    )
    parent_id = parent.info.run_id

    def log_iteration(item):
        i, params, metrics = item
        now = int(time.time() * 1000)
        child = client.create_run(
            experiment_id,
            run_name=f"iteration {i}",
            tags={
                "mlflow.parentRunId": parent_id,
                "converge.experiment_id": converge_id,
                "converge.iteration": str(i),
            },
        )
        run_id = child.info.run_id
        client.log_batch(
            run_id,
            metrics=[Metric(k, v, now, 0) for k, v in metrics.items()],
            params=[Param(k, v) for k, v in params.items()],
            tags=[RunTag("converge.action", "refine"), RunTag("converge.gate_passed", "false")],
        )
        if args.artifacts:
            client.log_text(run_id, json.dumps({"iteration": i, "parameters": params, "metrics": metrics}), "record.json")
        client.set_terminated(run_id, "FINISHED")
        client.log_batch(parent_id, metrics=[Metric(k, v, now, i) for k, v in metrics.items()])

    if args.concurrency <= 1:
        for item in plan:
            log_iteration(item)
    else:
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(log_iteration, plan))
    client.set_terminated(parent_id, "FINISHED")
    wall = time.perf_counter() - start

    total = sum(_counts.values())
    print(
        json.dumps(
            {
                "wall_seconds": wall,
                "setup_seconds": setup_seconds,
                "iterations": args.iterations,
                "runs_created": args.iterations + 1,
                "requests": total,
                "requests_by_endpoint": dict(_counts),
                "requests_per_iteration": total / max(args.iterations, 1),
                "experiment_id": experiment_id,
                "parent_run_id": parent_id,
                "converge_experiment_id": converge_id,
                "mlflow_version": mlflow.__version__,
                "concurrency": args.concurrency,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
