"""Source code -> GitHub documents, one per file: a directory tree, a tar or zip archive
of repositories, or Parquet files with ``content``, ``path`` and ``repo`` columns (The
Stack style; its ``max_stars_repo_path`` and ``max_stars_repo_name`` columns work too).

Which files are kept, and their language, is :mod:`massivetext.readers.code_files`.
Repositories: in a directory tree that is itself a repository (it holds ``.git``,
``.hg`` or ``.svn``) every file belongs to it, named after the directory; otherwise each
top-level directory is a repository (a folder of checkouts) and top-level files belong
to the tree's own name. An archive's top-level directories are its repositories, as in
GitHub's ``owner-repo-sha/`` archives. Document ids are ``repo/path``.

Positions: the file's number in walk order (trees, sorted, so runs agree), its member
number (archives) or its row (Parquet). A member that cannot be read is Failed
``bad_member`` and the archive goes on; a corrupt archive ends with one Failed
``bad_archive``. Directory trees are read from the local filesystem; remote inputs are
archives or Parquet files.
"""

from __future__ import annotations

import lzma
import os
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath

from massivetext.document import Document, Failed, Skipped
from massivetext.io.text_input import read_parquet_records
from massivetext.readers.code_files import DEFAULT_MAX_FILE_BYTES, VCS_DIRECTORIES, code_outcome
from massivetext.readers.common import Opener, decompressed_stream, open_input, read_failure

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".zip")
PARQUET_PATH_COLUMNS = ("path", "max_stars_repo_path")
PARQUET_REPO_COLUMNS = ("repo", "repo_name", "max_stars_repo_name")
Outcome = Document | Skipped | Failed


def _read_file(path: str):
    def read(limit: int) -> bytes:
        with open(path, "rb") as file:
            return file.read(limit)
    return read


def read_code_tree(root: str, subset: str = "github", opener: Opener | None = None,
                   max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Iterator[Outcome]:
    """One outcome per file under the local directory ``root`` (``opener`` unused: a
    tree is walked on the local filesystem)."""
    root = root.rstrip("/") or "/"
    tree_name = os.path.basename(os.path.abspath(root))
    single_repo = any(os.path.isdir(os.path.join(root, vcs)) for vcs in VCS_DIRECTORIES)
    position = 0
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(name for name in subdirectories if name not in VCS_DIRECTORIES)
        relative_dir = os.path.relpath(directory, root).replace(os.sep, "/")
        for name in sorted(files):
            position += 1
            relative = name if relative_dir == "." else f"{relative_dir}/{name}"
            full = os.path.join(directory, name)
            if single_repo or "/" not in relative:
                repo, path = tree_name, relative
            else:
                repo, path = relative.split("/", 1)
            if os.path.islink(full) or not os.path.isfile(full):
                yield Skipped("not_regular_file", root, position, f"{repo}/{path}")
                continue
            try:
                yield code_outcome(repo, path, os.path.getsize(full), _read_file(full), root,
                                   position, subset, max_file_bytes)
            except OSError as error:
                yield read_failure(root, "unreadable_file", position, f"{relative}: {error}")


def _archive_name(path: str) -> str:
    name = PurePosixPath(path).name
    for suffix in ARCHIVE_SUFFIXES:
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name


def _split_member(name: str, archive: str) -> tuple[str, str]:
    while name.startswith("./"):
        name = name[2:]
    return tuple(name.split("/", 1)) if "/" in name else (_archive_name(archive), name)


def _member_reader(archive: tarfile.TarFile, member: tarfile.TarInfo):
    def read(limit: int) -> bytes:
        data = archive.extractfile(member).read(limit)
        # A stream cut short reads short, silently: tarfile would take it as the end.
        if len(data) < min(member.size, limit):
            raise tarfile.ReadError(f"{member.name}: {len(data)} of {member.size} bytes")
        return data
    return read


def _tar_members(path: str, raw, subset: str, max_file_bytes: int) -> Iterator[Outcome]:
    # Decompressed by us, not by tarfile: its own stream reader takes a cut-off
    # gzip stream for the end of the archive.
    with tarfile.open(fileobj=decompressed_stream(raw), mode="r|") as archive:
        for position, member in enumerate(archive, start=1):
            if member.isdir():
                continue
            repo, relative = _split_member(member.name, path)
            if not member.isfile():
                yield Skipped("not_regular_file", path, position, f"{repo}/{relative}")
                continue
            yield code_outcome(repo, relative, member.size, _member_reader(archive, member), path,
                               position, subset, max_file_bytes)


def _zip_members(path: str, raw, subset: str, max_file_bytes: int) -> Iterator[Outcome]:
    with zipfile.ZipFile(raw) as archive:
        for position, info in enumerate(archive.infolist(), start=1):
            if info.is_dir():
                continue
            repo, relative = _split_member(info.filename, path)

            def read(limit: int, info=info) -> bytes:
                with archive.open(info) as member:
                    return member.read(limit)
            try:
                yield code_outcome(repo, relative, info.file_size, read, path, position,
                                   subset, max_file_bytes)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError,
                    RuntimeError) as error:  # RuntimeError: an encrypted member
                yield read_failure(path, "bad_member", position, f"{info.filename}: {error}")


def read_code_archive(path: str, subset: str = "github", opener: Opener | None = None,
                      max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Iterator[Outcome]:
    """One outcome per file of a tar (any compression) or zip archive."""
    members = _zip_members if path.endswith(".zip") else _tar_members
    position = 0
    with open_input(path, opener) as raw:
        try:
            for outcome in members(path, raw, subset, max_file_bytes):
                position = outcome.offset
                yield outcome
        except (tarfile.TarError, zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError,
                EOFError) as error:
            yield read_failure(path, "bad_archive", position + 1,
                               f"after member {position}: {error}")


def _first(record: dict, names: tuple[str, ...]) -> str:
    return next((str(record[name]) for name in names if record.get(name)), "")


def read_code_parquet(path: str, subset: str = "github", opener: Opener | None = None,
                      max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Iterator[Outcome]:
    """One outcome per row of a Parquet file of source files."""
    columns = ["content", *PARQUET_PATH_COLUMNS, *PARQUET_REPO_COLUMNS]
    for row, record in read_parquet_records(path, opener, columns):
        if isinstance(record, Failed):
            yield record
            continue
        content, file_path = record.get("content"), _first(record, PARQUET_PATH_COLUMNS)
        if not isinstance(content, str) or not file_path:
            yield read_failure(path, "missing_content", row,
                               f"row {row}: no string 'content' or no 'path'")
            continue
        data = content.encode("utf-8")
        yield code_outcome(_first(record, PARQUET_REPO_COLUMNS) or _archive_name(path),
                           file_path, len(data), lambda limit, data=data: data[:limit], path,
                           row, subset, max_file_bytes)
