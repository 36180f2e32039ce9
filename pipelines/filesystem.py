"""Atomic file output through Beam's filesystems (local paths, gs://, s3:// ...)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import BinaryIO

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems


def write_atomically(path: str, payload: bytes | Callable[[BinaryIO], object]) -> object:
    """Write ``path`` under a temporary name beside it, then rename it into place.

    ``payload`` is the bytes to write or a function that writes to the open file (its
    return value is returned), so a reader never sees a partly written file; when the
    write fails, the temporary file is deleted and the error raised.
    """
    directory, name = path.rsplit("/", 1) if "/" in path else (".", path)
    if not FileSystems.exists(directory):
        try:
            FileSystems.mkdirs(directory)
        except OSError:  # another worker made it in the meantime
            pass
    temporary = f"{directory}/.tmp-{uuid.uuid4().hex}-{name}"
    try:
        with FileSystems.create(temporary,
                                compression_type=CompressionTypes.UNCOMPRESSED) as file:
            result = payload(file) if callable(payload) else file.write(payload)
    except BaseException:  # a failed write leaves neither the file nor debris
        if FileSystems.exists(temporary):
            FileSystems.delete([temporary])
        raise
    # Local rename replaces an older file atomically; object stores copy then delete.
    FileSystems.rename([temporary], [path])
    return result
