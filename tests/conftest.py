"""One JAX compilation cache per test session, shared by its pytest-xdist workers and
the subprocesses they start.

Many trainer tests compile the same programs (the gopher-tiny initialiser, train step
and scorer at the same shapes): JAX's persistent compilation cache lets the second
compile of a program read the first one's executable instead of compiling it again, the
same executable. The cache lives in a fresh temporary directory made by the controlling
process before the workers start (they and their subprocesses inherit the environment)
and is removed at the end, so every session compiles each program at least once: no
result depends on a cache left by an earlier run. A cache directory set by the user is
left as it is.
"""

from __future__ import annotations

import os
import shutil
import tempfile

_CACHE_DIRECTORY = "JAX_COMPILATION_CACHE_DIR"
_MADE_HERE: list[str] = []


def pytest_configure(config):
    if os.environ.get("PYTEST_XDIST_WORKER") or os.environ.get(_CACHE_DIRECTORY):
        return  # a worker inherits its controller's cache; the user's cache is kept
    directory = tempfile.mkdtemp(prefix="massivetext-jax-cache-")
    _MADE_HERE.append(directory)
    os.environ[_CACHE_DIRECTORY] = directory
    # Every compile is cached, however quick (JAX's default skips those under a second).
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"


def pytest_unconfigure(config):
    for directory in _MADE_HERE:
        shutil.rmtree(directory, ignore_errors=True)
