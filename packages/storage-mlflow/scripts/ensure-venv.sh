#!/usr/bin/env bash
# Creates (once) the Python virtual environment with the pinned mlflow that the
# MLflow tests start their server from. Used by .ci/run and by
# src/test-fixtures/mlflow-venv.ts, so there is one protocol:
#   version: ../mlflow-version.txt (the only place the pin lives)
#   venv:    $CONVERGE_MLFLOW_VENV or ~/.cache/converge/mlflow-team-<version>-py<XY>: mlflow[auth]
#            plus the team deployment's drivers (psycopg2-binary for PostgreSQL, boto3 for S3)
#            and moto[server], the S3 stand-in the tests run
#   lock:    <venv>.lock, a directory made atomically by mkdir, holding the owner's pid
#            (a stale lock whose owner died is taken over)
#   ready:   <venv>/.converge-ready, holding the requirement list, written once `import mlflow`
#            reports the pinned version (later checks compare the list and read the installed
#            distribution's version, which is fast), so a changed pin rebuilds the venv
# Prints the venv path on stdout when ready. Exit codes say what is missing:
#   10 no python3, 11 `python3 -m venv` unusable, 12 pip install failed (PyPI?),
#   13 wrong mlflow version installed, 14 timed out waiting for another installer.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(tr -d '[:space:]' <"$here/../mlflow-version.txt")"
python="${CONVERGE_PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || {
  echo "ensure-venv: '$python' not found on PATH: install Python 3.10+ (Debian: apt-get install python3 python3-venv) or set CONVERGE_PYTHON" >&2
  exit 10
}
tag="$("$python" -c 'import sys; print(f"py{sys.version_info[0]}{sys.version_info[1]}")')" || exit 10
# "[auth]" brings MLflow's basic-auth app (Flask-WTF), used by the 401 tests. The team
# deployment's tests run mlflow on PostgreSQL (psycopg2-binary) with artifacts in S3 (boto3),
# the S3 being moto's server mode. Exact pins, checked together with mlflow on Python 3.11.
requirements=("mlflow[auth]==$version" "psycopg2-binary==2.9.13" "boto3==1.44.8" "moto[server]==5.2.5")
# The name changes whenever what the venv must hold grows, so an older venv is never taken
# for this one ("team": mlflow[auth] + PostgreSQL + S3 drivers + moto).
venv="${CONVERGE_MLFLOW_VENV:-$HOME/.cache/converge/mlflow-team-$version-$tag}"
lock="$venv.lock"
ready() { # the marker's requirement list plus the installed mlflow version (no `import mlflow`)
  [[ -f "$venv/.converge-ready" ]] &&
    [[ "$(cat "$venv/.converge-ready")" == "${requirements[*]}" ]] &&
    [[ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("mlflow"))' 2>/dev/null)" == "$version" ]]
}
if ready; then echo "$venv"; exit 0; fi
mkdir -p "$(dirname "$venv")"
waited=0
until mkdir "$lock" 2>/dev/null; do
  owner="$(cat "$lock/pid" 2>/dev/null || true)"
  if [[ -n "$owner" ]] && ! kill -0 "$owner" 2>/dev/null; then
    echo "ensure-venv: removing stale lock $lock (pid $owner is gone)" >&2
    rm -rf "$lock"
    continue
  fi
  if ready; then echo "$venv"; exit 0; fi
  if ((waited == 0)); then echo "ensure-venv: waiting for another install (lock $lock, pid ${owner:-?})" >&2; fi
  if ((waited > 1200)); then echo "ensure-venv: gave up after 20 min waiting for $lock (pid ${owner:-?}); remove it if no install is running" >&2; exit 14; fi
  sleep 1
  waited=$((waited + 1))
done
echo $$ >"$lock/pid"
trap 'rm -rf "$lock"' EXIT
if ready; then echo "$venv"; exit 0; fi
rm -rf "$venv"
start=$(date +%s)
echo "ensure-venv: creating $venv with ${requirements[*]} (a couple of minutes, once)" >&2
if ! "$python" -m venv "$venv" >&2; then
  rm -rf "$venv"
  echo "ensure-venv: '$python -m venv' failed: install the venv module (Debian/Ubuntu: apt-get install python3-venv)" >&2
  exit 11
fi
# One pip run for everything, so the resolver sees every pin at once.
if ! "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q "${requirements[@]}" >&2; then
  rm -rf "$venv"
  echo "ensure-venv: 'pip install ${requirements[*]}' failed: is PyPI reachable (proxy: set HTTPS_PROXY / PIP_INDEX_URL)?" >&2
  exit 12
fi
got="$("$venv/bin/python" -c 'import mlflow; print(mlflow.__version__)' || true)"
if [[ "$got" != "$version" ]]; then
  echo "ensure-venv: installed mlflow '$got', wanted $version" >&2
  exit 13
fi
printf '%s' "${requirements[*]}" >"$venv/.converge-ready"
echo "ensure-venv: ready in $(($(date +%s) - start)) s" >&2
echo "$venv"
