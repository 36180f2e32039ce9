"""One run per output directory: refuse a directory holding files, or replace them whole.

``massivetext run`` writes a subset into ``OUTPUT/<subset>/``. Reusing it would mix two
runs (old shards beside new ones, which a ``*.arrow`` glob loads together), so a
directory holding any file is refused unless ``--overwrite``. With it, the earlier run
(shards, removed/, failed/, stats, manifest, and ``.tmp-*`` files a killed run left) is
gone before the new run writes its first file, so the directory never mixes the two:

- local: the directory is renamed aside (``<dir>.massivetext-old-<id>``) and deleted once
  the new run has succeeded; if the new run fails, its partial files are deleted and
  the earlier run is put back. Directories set aside by a run that was killed are
  deleted by the next ``--overwrite`` run.
- other file systems (gs://, s3:// through Beam's FileSystems): an object store cannot
  rename a directory, and a remote job may outlive this process, so the earlier run's
  files are deleted before the new run is started.

A local run that fails (an error, or values lost in a grouping:
:mod:`massivetext.pipelines.join_check`) leaves none of its files behind, with or
without ``--overwrite``: a finished-looking directory must be a finished run.
"""

from __future__ import annotations

import glob
import os
import shutil
import uuid

from apache_beam.io.filesystems import FileSystems
from massivetext.pipelines.preflight import PreflightError

ASIDE_MARK = ".massivetext-old-"


def _local_path(directory: str) -> str | None:
    if FileSystems.get_scheme(directory) not in (None, "file"):
        return None
    return directory.removeprefix("file://").rstrip("/") or "/"


def _files_in(directory: str) -> list[str]:
    local = _local_path(directory)
    if local is not None:
        return sorted(os.listdir(local)) if os.path.isdir(local) else []
    try:
        matched = FileSystems.match([directory.rstrip("/") + "/**"])[0].metadata_list
    except Exception:  # nothing there yet (or unreachable: the runner will say so)
        return []
    return sorted(metadata.path for metadata in matched)


class OutputDirectory:
    """Prepare ``directory`` for a new run (:meth:`prepare`), then settle it (:meth:`finish`)."""

    def __init__(self, directory: str, overwrite: bool):
        self.directory = directory
        self.overwrite = overwrite
        self._aside: str | None = None
        self._prepared = False  # the directory holds this run only (prepare() ran)

    def prepare(self) -> None:
        """Raise PreflightError if the directory holds files and ``overwrite`` is off;
        else move (local) or delete (remote) what it holds."""
        local = _local_path(self.directory)
        if self.overwrite and local is not None:
            for stale in glob.glob(glob.escape(local) + ASIDE_MARK + "*"):
                shutil.rmtree(stale, ignore_errors=True)  # set aside by a killed run
        files = _files_in(self.directory)
        if not files:
            self._prepared = True
            return
        if not self.overwrite:
            raise PreflightError(
                f"the output directory {self.directory} already holds {len(files)} "
                f"entries (e.g. {os.path.basename(files[0].rstrip('/'))}) of an earlier run; "
                "a new run there would mix the two. Give another --output, or --overwrite "
                "to replace the earlier run")
        if local is not None:
            self._aside = f"{local}{ASIDE_MARK}{uuid.uuid4().hex[:12]}"
            os.rename(local, self._aside)
        else:
            FileSystems.delete([self.directory.rstrip("/") + "/"])
        self._prepared = True

    def finish(self, succeeded: bool) -> None:
        """Delete the earlier run after a success; after a failure, delete what the
        failed run wrote (local) and put the earlier run back."""
        local = _local_path(self.directory)
        if not succeeded and self._prepared and local is not None:
            shutil.rmtree(local, ignore_errors=True)
        if self._aside is not None:
            if succeeded:
                shutil.rmtree(self._aside, ignore_errors=True)
            else:
                os.rename(self._aside, local)
        self._aside = None
        self._prepared = False
