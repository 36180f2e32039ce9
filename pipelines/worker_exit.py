"""Local Beam workers exit when the ``massivetext run`` process that started them dies.

The local runner starts its worker processes through a shell; when the main process is
killed (``kill -9``, a closed terminal) nothing tells them, and they would run the
pipeline to its end and write files nobody asked for. The main process names itself in
:data:`PARENT_VARIABLE` before running; every worker inherits the variable, and on
importing our pipeline code starts a thread that ends the worker once that process is
gone (``massivetext.pipelines`` imports this module, so the watch starts with the first
bundle of our code a worker runs). Remote workers (Dataflow) never see the variable.
"""

from __future__ import annotations

import os
import threading
import time

PARENT_VARIABLE = "MASSIVETEXT_EXIT_WITH_PID"
#: Seconds between checks that the main process is alive.
POLL_SECONDS = 1.0

_started = False


def mark_parent() -> None:
    """In the main process: make the workers it starts from now on watch it."""
    os.environ[PARENT_VARIABLE] = str(os.getpid())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed process its own parent has not reaped yet is a zombie: dead
        with open(f"/proc/{pid}/stat", encoding="ascii") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _watch(pid: int) -> None:
    while _alive(pid):
        time.sleep(POLL_SECONDS)
    os._exit(1)  # no cleanup: the output the worker was writing is not wanted


def _marked_parent() -> int:
    return int(os.environ.get(PARENT_VARIABLE) or 0)


def is_local_worker() -> bool:
    """Whether this process is a worker started by a marked local run's process."""
    pid = _marked_parent()
    return pid > 0 and pid != os.getpid()


def watch_parent() -> None:
    """In a worker: exit once the marked main process has died (once per process)."""
    global _started
    if _started or not is_local_worker():
        return
    pid = _marked_parent()
    _started = True
    threading.Thread(target=_watch, args=(pid,), name="exit-with-parent", daemon=True).start()


watch_parent()
