"""Local output files that appear atomically: written beside their name, then renamed.

(The Beam pipelines write through Beam's filesystems instead: ``pipelines/filesystem``.)
"""

from __future__ import annotations

import contextlib
import gzip
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_output(path: str | Path, compress: bool = False) -> Iterator[IO[bytes]]:
    """A binary file to write ``path`` through (gzip-compressed if ``compress``).

    It is written under a temporary name in the same directory and renamed over ``path``
    only when the block ends without an exception, so a reader never sees a partial file
    and a failed run leaves no debris.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as raw:
            if compress:
                # mtime=0: the same content gives the same bytes.
                with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as compressed:
                    yield compressed
            else:
                yield raw
        os.chmod(temporary, 0o644)  # mkstemp creates it private
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
