"""Build the project as pip and Dataflow do, and install it into a fresh environment.

For the packaging tests: the source is copied out of the tree first (builds write
``build/`` and ``*.egg-info`` beside setup.py, and tests run in parallel), and the
fresh virtual environment reuses this environment's dependencies through a ``.pth``
line, so installing the project there takes seconds and no network.
"""

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What setup.py and MANIFEST.in build the package from.
SOURCES = ("setup.py", "pyproject.toml", "MANIFEST.in", "README.md", "massivetext",
           "filters", "pipelines")


def copy_source(destination: Path) -> Path:
    """A copy of the files the package is built from, without caches, build outputs
    or symbolic links."""
    destination.mkdir(parents=True, exist_ok=True)
    patterns = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")

    def ignore(directory, names):  # build outputs, caches and links out of the tree
        return set(patterns(directory, names)) | {
            name for name in names if Path(directory, name).is_symlink()}

    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    return destination


def fresh_environment(directory: Path) -> Path:
    """A new virtual environment that sees this one's packages but not the project
    (the project is installed here as editable; a ``.pth`` path line does not run the
    editable finder). Returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True)
    python = directory / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    (Path(purelib) / "reuse-test-environment.pth").write_text(
        "\n".join([ours, *site.getsitepackages()]) + "\n")
    return python


def run_isolated(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run ``command`` without this process's PYTHONPATH, so the fresh environment sees
    only what was installed into it."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(command, env=env, capture_output=True, text=True, **kwargs)


def pip_install(python: Path, *args: str) -> None:
    """``pip install --no-deps --no-index`` into ``python``'s environment (pip itself is
    the one this environment reuses)."""
    run_isolated([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                  "--no-build-isolation", *args], check=True)
