"""Run a command (the `mlflow server` of the tests) and take its process group down
when the Node process that started us disappears, even if that process was SIGKILLed
and could not clean up.

Usage: python serve_guard.py <command> [args...]
CONVERGE_GUARD_SIGNAL=INT makes the orphaned guard send SIGINT first instead of SIGTERM
(PostgreSQL: SIGTERM is a "smart" shutdown that waits for every client, SIGINT a fast one).
The test harness spawns this as the leader of a new process group (detached), so the
mlflow CLI and its uvicorn worker share the group and are stopped with one
`kill(-pgid, signal)`. Exit status: the command's.
"""

import os
import signal
import subprocess
import sys
import time


def main() -> int:
    parent = os.getppid()
    first = signal.SIGINT if os.environ.get("CONVERGE_GUARD_SIGNAL") == "INT" else signal.SIGTERM
    child = subprocess.Popen(sys.argv[1:])

    def on_term(signum, _frame):
        # The whole group got the signal; wait for the server to finish its shutdown so it
        # is reaped here and never left as a zombie for init.
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    while True:
        code = child.poll()
        if code is not None:
            return code
        if os.getppid() != parent:  # orphaned: our Node parent is gone
            signal.signal(first, signal.SIG_IGN)
            os.killpg(os.getpgrp(), first)
            deadline = time.monotonic() + 5
            while child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            os.killpg(os.getpgrp(), signal.SIGKILL)
        time.sleep(0.25)


if __name__ == "__main__":
    sys.exit(main())
