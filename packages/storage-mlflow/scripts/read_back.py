"""Read back, with the official MLflow client, what Converge logged, and print it as JSON.

A cross-check written against a client nobody here wrote (`mlflow.MlflowClient`).

Usage:
  python read_back.py --tracking-uri http://127.0.0.1:PORT --experiment-name NAME
      [--converge-experiment-id ID] [--history parent|all|none] [--no-artifacts]
      [--read-artifact REL_PATH ...] [--include-deleted]

Output (stdout, one JSON document; non-finite floats as "NaN" / "Infinity" / "-Infinity"):
  {
    "mlflow_version": "3.17.2",
    "experiment": {experiment_id, name, lifecycle_stage, artifact_location, tags} | null,
    "parents":  [Run, ...],   top-level runs (no mlflow.parentRunId tag), oldest first
    "parent":   Run | null,   the only parent when there is exactly one
    "children": [Run, ...],   runs whose mlflow.parentRunId is one of the parents,
                              ordered by the converge.iteration tag, then start time
    "orphans":  [Run, ...]    runs whose mlflow.parentRunId is not among the parents
  }
  Run = {run_id, run_name, experiment_id, status, lifecycle_stage, start_time, end_time,
         artifact_uri, parent_run_id, params{}, metrics{latest value}, tags{},
         metric_history{key: [{step, value, timestamp}]} (parents; children with --history all),
         artifacts: [{path, file_size}] (files, recursive),
         artifact_contents: {rel_path: text} (for --read-artifact paths that exist)}
With --converge-experiment-id, parents are the top-level runs tagged
converge.experiment_id = ID. A missing experiment prints {"experiment": null, ...}.
"""

import argparse
import json
import math
import os
import sys
import tempfile

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

import mlflow  # noqa: E402
from mlflow.entities import ViewType  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402

from json_safe import clean  # noqa: E402  (beside this script)

PARENT_TAG = "mlflow.parentRunId"
PAGE = 1000


def search_all(client, experiment_id, filter_string, view_type):
    runs, token = [], None
    while True:
        page = client.search_runs(
            [experiment_id],
            filter_string=filter_string,
            run_view_type=view_type,
            max_results=PAGE,
            order_by=["attributes.start_time ASC"],
            page_token=token,
        )
        runs.extend(page)
        token = page.token
        if not token:
            return runs


def list_files(client, run_id, path=None):
    files = []
    for info in client.list_artifacts(run_id, path):
        if info.is_dir:
            files.extend(list_files(client, run_id, info.path))
        else:
            files.append({"path": info.path, "file_size": info.file_size})
    return files


def history(client, run_id, key):
    return [
        {"step": m.step, "value": m.value, "timestamp": m.timestamp}
        for m in sorted(client.get_metric_history(run_id, key), key=lambda m: (m.step, m.timestamp))
    ]


def describe(client, run, args, with_history):
    info, data = run.info, run.data
    out = {
        "run_id": info.run_id,
        "run_name": info.run_name,
        "experiment_id": info.experiment_id,
        "status": info.status,
        "lifecycle_stage": info.lifecycle_stage,
        "start_time": info.start_time,
        "end_time": info.end_time,
        "artifact_uri": info.artifact_uri,
        "parent_run_id": data.tags.get(PARENT_TAG),
        "params": dict(data.params),
        "metrics": dict(data.metrics),
        "tags": dict(data.tags),
    }
    if with_history:
        out["metric_history"] = {key: history(client, info.run_id, key) for key in sorted(data.metrics)}
    if not args.no_artifacts:
        out["artifacts"] = list_files(client, info.run_id)
        contents = {}
        present = {f["path"] for f in out["artifacts"]}
        for rel in args.read_artifact or []:
            if rel in present:
                with tempfile.TemporaryDirectory() as tmp:
                    local = client.download_artifacts(info.run_id, rel, tmp)
                    with open(local, encoding="utf-8") as fh:
                        contents[rel] = fh.read()
        if args.read_artifact:
            out["artifact_contents"] = contents
    return out


def iteration_key(run):
    raw = run.data.tags.get("converge.iteration")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        number = math.inf
    return (number, run.info.start_time or 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracking-uri", required=True)
    parser.add_argument("--experiment-name", required=True)
    parser.add_argument("--converge-experiment-id")
    parser.add_argument("--history", choices=["parent", "all", "none"], default="parent")
    parser.add_argument("--no-artifacts", action="store_true")
    parser.add_argument("--read-artifact", action="append", metavar="REL_PATH")
    parser.add_argument("--include-deleted", action="store_true")
    args = parser.parse_args()

    client = MlflowClient(tracking_uri=args.tracking_uri)
    result = {"mlflow_version": mlflow.__version__, "experiment": None, "parents": [], "parent": None,
              "children": [], "orphans": []}
    experiment = client.get_experiment_by_name(args.experiment_name)
    if experiment is None:
        print(json.dumps(result, allow_nan=False))
        return 0
    result["experiment"] = {
        "experiment_id": experiment.experiment_id,
        "name": experiment.name,
        "lifecycle_stage": experiment.lifecycle_stage,
        "artifact_location": experiment.artifact_location,
        "tags": dict(experiment.tags),
    }
    view = ViewType.ALL if args.include_deleted else ViewType.ACTIVE_ONLY
    runs = search_all(client, experiment.experiment_id, "", view)
    parents = [r for r in runs if PARENT_TAG not in r.data.tags]
    if args.converge_experiment_id is not None:
        parents = [r for r in parents if r.data.tags.get("converge.experiment_id") == args.converge_experiment_id]
    parent_ids = {r.info.run_id for r in parents}
    children = sorted((r for r in runs if r.data.tags.get(PARENT_TAG) in parent_ids), key=iteration_key)
    if args.converge_experiment_id is None:
        orphans = [r for r in runs if PARENT_TAG in r.data.tags and r.data.tags[PARENT_TAG] not in parent_ids]
    else:
        orphans = []
    result["parents"] = [describe(client, r, args, args.history != "none") for r in parents]
    result["parent"] = result["parents"][0] if len(result["parents"]) == 1 else None
    result["children"] = [describe(client, r, args, args.history == "all") for r in children]
    result["orphans"] = [describe(client, r, args, False) for r in orphans]
    print(json.dumps(clean(result), allow_nan=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
